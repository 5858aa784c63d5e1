"""LED stack files: TOML validated with pydantic, layers listed from the substrate side up.

A stack file names a thick ``substrate`` (incoherent, light leaves through it into
``outside``; or ``coherent = true`` for a semi-infinite coherent half-space), the medium
``top`` above the last layer, the thin ``layers`` (each a built-in material or a constant
``n``/``k``, a ``thickness_nm``, and exactly one with ``emitter = true``) and the emitter's
dipole orientation and position. A layer may be uniaxial with its optic axis along the stack normal
(spin-coated or evaporated films): ``n_e``/``k_e`` give its extraordinary (out-of-plane) index, ``n``/``k``
or ``material`` the ordinary (in-plane) one. ``[emitter] absorbing = true`` keeps the emitter layer's own
absorption (:mod:`qdled.optics.dipole`). Unknown keys are rejected. The paper's device is built in
(:func:`default_stack`); see ``qdled/data/stacks/li2024.toml``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from qdled.errors import InputError
from qdled.io._toml import dumps, parse_model
from qdled.io.text import load_toml_file

_CFG = ConfigDict(extra="forbid", frozen=True)

Finite = Annotated[float, Field(allow_inf_nan=False, strict=True)]  # strict: no booleans or quoted numbers

# Bounds of the inputs: the range in which the thin-film optics is physics, not nonsense.
#: Thinnest layer [nm]: below one atomic layer (~0.2-0.3 nm) a film has no meaning; 0.1 nm leaves room
#: for nominal sub-monolayer interlayers such as the paper's 1 nm LiF made thinner.
THICKNESS_MIN_NM = 0.1
#: Thickest coherent layer [nm]: layers are treated coherently, valid below the coherence length of the
#: emission, lambda^2 / delta_lambda ~ 628^2 / 30 nm ~ 13 um; thicker ones belong in the incoherent substrate.
THICKNESS_MAX_NM = 10_000.0
#: Largest real index: no material exceeds n ~ 5.5 in the visible (germanium at 620 nm; Aspnes & Studna,
#: Phys. Rev. B 27, 985 (1983)); 10 leaves room for model studies.
N_MAX = 10.0
#: Largest extinction coefficient: metals reach k ~ 7.6 (Al at 628 nm; Rakic, Appl. Opt. 34, 4755 (1995))
#: to ~ 10 in the near infrared; 20 covers any material in 300-1000 nm.
K_MAX = 20.0
#: Most layers in a stack: an LED has 5-15; 200 allows distributed Bragg reflectors of ~100 pairs
#: (the optics cost grows with the layer count).
MAX_LAYERS = 200


class _Optical(BaseModel):
    """Either a built-in ``material`` or a constant complex index ``n + i k``."""

    model_config = _CFG
    material: str | None = None
    n: Finite | None = Field(default=None, gt=0, le=N_MAX)
    k: Finite | None = Field(default=None, ge=0, le=K_MAX)

    @model_validator(mode="before")
    @classmethod
    def _k_defaults_to_zero(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("n") is not None and data.get("k") is None:
            data = {**data, "k": 0.0}
        return data

    @model_validator(mode="after")
    def _one_source(self):
        from qdled.materials import MATERIALS

        if self.material is not None:
            if self.n is not None or self.k is not None:
                raise ValueError("give either material or n/k, not both")
            if self.material not in MATERIALS:
                raise ValueError(f"unknown material {self.material!r}; known: {', '.join(MATERIALS)}")
        elif self.n is None:
            raise ValueError("give a material or a refractive index n")
        return self

    def index(self, wavelength_nm) -> np.ndarray:
        """Complex refractive index at ``wavelength_nm`` [nm] (shape of the input)."""
        from qdled.materials import refractive_index

        if self.material is not None:
            return refractive_index(self.material, wavelength_nm)
        wl = np.asarray(wavelength_nm, dtype=float)
        return np.full(wl.shape, complex(self.n, self.k))

    def _describe(self) -> dict[str, Any]:
        if self.material is not None:
            return {"material": self.material}
        return {"n": self.n, "k": self.k}


class Medium(_Optical):
    """A semi-infinite medium (``outside``, ``top``) or the thick ``substrate``."""

    coherent: StrictBool = False  # strict: a quoted "yes" is refused, not read as true


class Layer(_Optical):
    """A thin, coherent layer, isotropic or uniaxial (``n_e``/``k_e``: extraordinary index, optic axis along
    the normal; ``n``/``k`` or ``material``: the ordinary, in-plane index)."""

    name: str = Field(min_length=1, max_length=64)  # a label (netCDF variable and table names)
    thickness_nm: Finite = Field(ge=THICKNESS_MIN_NM, le=THICKNESS_MAX_NM)
    emitter: StrictBool = False
    n_e: Finite | None = Field(default=None, gt=0, le=N_MAX)
    k_e: Finite | None = Field(default=None, ge=0, le=K_MAX)

    @model_validator(mode="after")
    def _extraordinary(self):
        if self.k_e is not None and self.n_e is None:
            raise ValueError(f"layer {self.name!r}: k_e needs n_e (the extraordinary index)")
        if self.n_e is not None and self.k_e is None:
            if self.material is not None and _absorbs(self.material):
                raise ValueError(f"layer {self.name!r}: {self.material} absorbs; give k_e with n_e")
            object.__setattr__(self, "k_e", 0.0)
        return self

    @property
    def uniaxial(self) -> bool:
        """Whether the layer has an extraordinary index."""
        return self.n_e is not None

    def index_z(self, wavelength_nm) -> np.ndarray:
        """Extraordinary (out-of-plane) index at ``wavelength_nm`` [nm]: ``n_e + i k_e`` (constant), or the
        ordinary index for an isotropic layer."""
        if self.n_e is None:
            return self.index(wavelength_nm)
        wl = np.asarray(wavelength_nm, dtype=float)
        return np.full(wl.shape, complex(self.n_e, self.k_e))

    @field_validator("name")
    @classmethod
    def _no_dot(cls, v: str) -> str:
        if "." in v:
            raise ValueError(f"layer name {v!r} must not contain '.'")
        return v


class Emitter(BaseModel):
    """Dipole orientation, emission zone and self-absorption of the emitting layer.

    ``absorbing``: keep the emitter layer's extinction coefficient (its own absorption is then reported as
    the channel ``emitter_absorbed``); default False, the real part of its index (as before issue #23).
    """

    model_config = _CFG
    horizontal_fraction: Finite = Field(default=2.0 / 3.0, ge=0, le=1)
    absorbing: StrictBool = False
    position: Union[Literal["uniform"], Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]] = (
        "uniform"
    )


def _medium(v: Any) -> Any:
    return {"material": v} if isinstance(v, str) else v


def _absorbs(material: str, wavelength_nm: float | None = None) -> bool:
    """Whether a built-in material has k > 1e-3 at the design wavelength (default the paper's EL peak; metals,
    ITO, QD film)."""
    from qdled.io.paper import paper_value
    from qdled.materials import refractive_index

    wl = paper_value("nsa_pf6.el_peak_nm") if wavelength_nm is None else wavelength_nm
    return float(refractive_index(material, wl).imag) > 1e-3


class Stack(BaseModel):
    """An LED stack from the substrate side up (see the module docstring)."""

    model_config = _CFG
    name: str = "stack"
    description: str = ""
    substrate: Medium = Medium(material="glass")
    outside: Medium = Medium(material="air")
    top: Medium = Medium(material="air")
    layers: tuple[Layer, ...] = Field(min_length=1, max_length=MAX_LAYERS)
    emitter: Emitter = Emitter()

    _coerce = field_validator("substrate", "outside", "top", mode="before")(classmethod(lambda cls, v: _medium(v)))

    @model_validator(mode="after")
    def _checks(self):
        names = [layer.name for layer in self.layers]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"layer names must be unique, repeated: {sorted(dup)}")
        n_emit = sum(layer.emitter for layer in self.layers)
        if n_emit != 1:
            raise ValueError(f"exactly one layer must have emitter = true, found {n_emit}")
        if self.outside.coherent or self.top.coherent:
            raise ValueError("only the substrate takes coherent = true")
        return self

    # --- derived quantities -------------------------------------------------------------
    @property
    def emitter_index(self) -> int:
        """Index of the emitting layer in :attr:`layers`."""
        return next(i for i, layer in enumerate(self.layers) if layer.emitter)

    @property
    def thicknesses_nm(self) -> np.ndarray:
        """Layer thicknesses [nm], substrate side first."""
        return np.array([layer.thickness_nm for layer in self.layers])

    def layer(self, name: str) -> Layer:
        """The layer called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise InputError(f"no layer named {name!r}; layers: {', '.join(x.name for x in self.layers)}")

    def layer_indices(self, wavelength_nm) -> np.ndarray:
        """Complex (ordinary) indices, shape (n_wavelength, n_layers), for 1-d ``wavelength_nm`` [nm]."""
        wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
        return np.stack([layer.index(wl) for layer in self.layers], axis=-1)

    @property
    def uniaxial(self) -> bool:
        """Whether any layer is uniaxial."""
        return any(layer.uniaxial for layer in self.layers)

    def layer_indices_z(self, wavelength_nm) -> np.ndarray | None:
        """Extraordinary indices (n_wavelength, n_layers) (ordinary ones for isotropic layers); None if no
        layer is uniaxial."""
        if not self.uniaxial:
            return None
        wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
        return np.stack([layer.index_z(wl) for layer in self.layers], axis=-1)

    # --- edits -------------------------------------------------------------------------------
    def with_values(self, values: dict[str, Any]) -> "Stack":
        """A new validated stack with ``{"LAYER.field": value}`` changed.

        Fields: ``thickness_nm``, ``n``, ``k`` (setting ``n`` or ``k`` of a layer made of a
        built-in material replaces it with a constant index, ``k`` = 0 unless given; an absorbing
        material needs its ``k`` given too), ``n_e``, ``k_e`` (the extraordinary index: makes the layer
        uniaxial, the ordinary index unchanged; ``k_e`` = the layer's current ``k_e`` or 0), and
        ``emitter.horizontal_fraction`` / ``emitter.position`` / ``emitter.absorbing``.
        """
        data = self.model_dump(exclude_none=True)
        layers = {layer["name"]: layer for layer in data["layers"]}
        for key, value in values.items():
            target, _, field = key.rpartition(".")
            if target == "emitter" and field in ("horizontal_fraction", "position", "absorbing"):
                data["emitter"][field] = value
                continue
            if target not in layers:
                raise InputError(f"{key!r}: no layer named {target!r}; layers: {', '.join(layers)}")
            if field not in ("thickness_nm", "n", "k", "n_e", "k_e"):
                raise InputError(f"{key!r}: can vary thickness_nm, n, k, n_e or k_e, not {field!r}")
            if field in ("n_e", "k_e"):
                layer = layers[target]
                if field == "k_e" and "n_e" not in layer and f"{target}.n_e" not in values:
                    raise InputError(f"{key!r}: layer {target!r} is isotropic; give {target}.n_e with its k_e")
                if field == "n_e" and "k_e" not in layer and f"{target}.k_e" not in values:
                    if "material" in layer and _absorbs(layer["material"]):
                        raise InputError(f"{key!r}: {layer['material']} absorbs; give {target}.k_e too")
                    layer["k_e"] = layer.get("k", 0.0)
                layer[field] = float(value)
                continue
            layer = layers[target]
            if field in ("n", "k") and "material" in layer:
                if field == "k" and f"{target}.n" not in values:
                    raise InputError(f"{key!r}: layer {target!r} is a built-in material; vary {target}.n with its k")
                if field == "n" and f"{target}.k" not in values and _absorbs(layer["material"]):
                    raise InputError(
                        f"{key!r}: {layer['material']} absorbs; give {target}.k too "
                        "(a constant index would otherwise drop its k)"
                    )
                del layer["material"]
                layer.setdefault("k", 0.0)
            layer[field] = float(value)
        return parse_model(Stack, data, "stack")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the file's layout (round-trips through :func:`stack_from_dict`)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        for key in ("substrate", "outside", "top"):
            med: Medium = getattr(self, key)
            d = med._describe()
            if med.coherent:
                d["coherent"] = True
            out[key] = d["material"] if list(d) == ["material"] else d
        out["emitter"] = self.emitter.model_dump()
        if not out["emitter"]["absorbing"]:
            del out["emitter"]["absorbing"]
        out["layers"] = []
        for layer in self.layers:
            d = {"name": layer.name, **layer._describe(), "thickness_nm": layer.thickness_nm}
            if layer.uniaxial:
                d.update(n_e=layer.n_e, k_e=layer.k_e)
            if layer.emitter:
                d["emitter"] = True
            out["layers"].append(d)
        return out

    def to_toml(self) -> str:
        """The stack as TOML text."""
        return dumps(self.to_dict())


def stack_from_dict(data: dict[str, Any], source: str = "stack") -> Stack:
    """Validate a dict as a :class:`Stack` (errors name the field)."""
    return parse_model(Stack, data, source)


BUILTIN_STACKS = ("li2024",)


def load_stack(path: str | Path | None = None) -> Stack:
    """Load a stack file, or a built-in stack by name (``None`` -> the paper's ``li2024``)."""
    if path is None or str(path) in BUILTIN_STACKS:
        name = "li2024" if path is None else str(path)
        text = resources.files("qdled.data").joinpath(f"stacks/{name}.toml").read_text(encoding="utf-8")
        import tomllib

        return stack_from_dict(tomllib.loads(text), f"built-in stack {name}")
    return stack_from_dict(load_toml_file(path), str(path))


def default_stack() -> Stack:
    """The paper's device: ITO/PEDOT:PSS/PTAA/CsPbI3 QDs/TmPyPB/PO-T2T/LiF/Al on glass."""
    return load_stack(None)


__all__ = ["Stack", "Layer", "Medium", "Emitter", "load_stack", "default_stack", "stack_from_dict", "BUILTIN_STACKS"]
