"""Synthesis recipe files: TOML validated with pydantic (unknown keys rejected).

A recipe holds the hot-injection synthesis of CsPbI3 QDs as done by Li et al. (2024):
precursor amounts, injection temperature and growth time, the quench, the optional NSA
injection during cooling and the purification route. The paper's two recipes are built in:
``li2024-control`` (OA/OAm) and ``li2024-nsa-pf6`` (NSA injected at 120 degC, NH4PF6
exchange during purification).

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024), Methods.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qdled.io._toml import dumps, load_toml, parse_model

_CFG = ConfigDict(extra="forbid", frozen=True)
Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Celsius = Annotated[float, Field(gt=-273.15, lt=400, allow_inf_nan=False)]

#: Molar masses [g/mol] (IUPAC standard atomic weights).
MOLAR_MASS_G_PER_MOL = {"PbI2": 461.01, "ZnI2": 319.22, "Cs2CO3": 325.82}


class Precursors(BaseModel):
    """Lead/zinc halide solution in the flask before injection."""

    model_config = _CFG
    PbI2_g: Pos = 0.185
    ZnI2_g: NonNeg = 0.351
    ODE_mL: Pos = 6.0
    OA_mL: NonNeg = 1.2
    OAm_mL: NonNeg = 2.0


class CsOleate(BaseModel):
    """Cs-oleate stock (Cs2CO3 in ODE + OA) and the volume injected."""

    model_config = _CFG
    Cs2CO3_g: Pos = 0.142
    ODE_mL: Pos = 11.0
    OA_mL: NonNeg = 0.6
    injected_mL: Pos = 2.4


class Injection(BaseModel):
    """Hot injection of Cs-oleate and the growth time before the quench."""

    model_config = _CFG
    temperature_C: Celsius = 150.0
    growth_time_s: Pos = 5.0


class Quench(BaseModel):
    """Cooling after growth: straight into ice water, or a cold-water bath first (NSA route)."""

    model_config = _CFG
    bath: Literal["ice-water", "water-then-ice"] = "ice-water"
    final_temperature_C: Celsius = 50.0


class NSA(BaseModel):
    """2-naphthalenesulfonic acid injected during the quench (amount 0 = none)."""

    model_config = _CFG
    amount_mmol: NonNeg = 0.0
    injection_temperature_C: Celsius = 120.0
    injection_duration_s: Pos = 5.0


class Purification(BaseModel):
    """Antisolvent purification: plain (``"OA/OAm"``) or with NH4PF6 exchange (``"NH4PF6"``)."""

    model_config = _CFG
    route: Literal["OA/OAm", "NH4PF6"] = "OA/OAm"
    NH4PF6_mmol: NonNeg = 0.0


class Recipe(BaseModel):
    """A hot-injection synthesis of CsPbI3 QDs (see the module docstring)."""

    model_config = _CFG
    name: str = "recipe"
    description: str = ""
    precursors: Precursors = Precursors()
    cs_oleate: CsOleate = CsOleate()
    injection: Injection = Injection()
    quench: Quench = Quench()
    nsa: NSA = NSA()
    purification: Purification = Purification()

    @model_validator(mode="after")
    def _checks(self):
        if self.nsa.amount_mmol > 0 and not (
            self.quench.final_temperature_C < self.nsa.injection_temperature_C <= self.injection.temperature_C
        ):
            raise ValueError(
                "nsa.injection_temperature_C must lie between quench.final_temperature_C and injection.temperature_C"
            )
        if self.purification.route == "NH4PF6" and self.purification.NH4PF6_mmol <= 0:
            raise ValueError("purification.NH4PF6_mmol must be > 0 for route 'NH4PF6'")
        return self

    @property
    def pb_mmol(self) -> float:
        """Lead in the flask [mmol]."""
        return 1e3 * self.precursors.PbI2_g / MOLAR_MASS_G_PER_MOL["PbI2"]

    @property
    def cs_mmol(self) -> float:
        """Caesium injected [mmol] (two Cs per Cs2CO3, the stock's share that is injected)."""
        c = self.cs_oleate
        stock_mmol = 2e3 * c.Cs2CO3_g / MOLAR_MASS_G_PER_MOL["Cs2CO3"]
        return stock_mmol * c.injected_mL / (c.ODE_mL + c.OA_mL)

    @property
    def iodide_mmol(self) -> float:
        """Iodide from PbI2 and ZnI2 [mmol]."""
        p = self.precursors
        return 2e3 * (p.PbI2_g / MOLAR_MASS_G_PER_MOL["PbI2"] + p.ZnI2_g / MOLAR_MASS_G_PER_MOL["ZnI2"])

    @property
    def volume_mL(self) -> float:
        """Reaction volume after injection [mL]."""
        p = self.precursors
        return p.ODE_mL + p.OA_mL + p.OAm_mL + self.cs_oleate.injected_mL

    def with_values(self, values: dict[str, float | str]) -> "Recipe":
        """A new validated recipe with ``{"section.field": value}`` changed (e.g. ``"nsa.amount_mmol"``)."""
        from qdled.errors import InputError

        data = self.model_dump()
        for key, value in values.items():
            section, _, field = key.partition(".")
            if section not in data or not isinstance(data[section], dict) or field not in data[section]:
                raise InputError(f"unknown recipe field {key!r}")
            data[section][field] = value
        return parse_model(Recipe, data, "recipe")

    def to_toml(self) -> str:
        """The recipe as TOML text."""
        return dumps(self.model_dump())


BUILTIN_RECIPES = ("li2024-control", "li2024-nsa-pf6")


def load_recipe(path_or_name: str | Path | None = None) -> Recipe:
    """Load a recipe file or a built-in recipe by name (``None`` -> ``li2024-nsa-pf6``)."""
    name = "li2024-nsa-pf6" if path_or_name is None else str(path_or_name)
    if name in BUILTIN_RECIPES:
        import tomllib

        text = resources.files("qdled.data").joinpath(f"recipes/{name}.toml").read_text(encoding="utf-8")
        return parse_model(Recipe, tomllib.loads(text), f"built-in recipe {name}")
    return parse_model(Recipe, load_toml(path_or_name), str(path_or_name))


__all__ = ["Recipe", "load_recipe", "BUILTIN_RECIPES"]
