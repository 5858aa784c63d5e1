"""Synthesis recipe files: TOML validated with pydantic (unknown keys rejected).

A recipe holds the hot-injection synthesis of CsPbI3 QDs as done by Li et al. (2024):
precursor amounts, injection temperature and growth time, the quench, the optional NSA
injection during cooling and the purification route. The paper's two recipes are built in:
``li2024-control`` (OA/OAm) and ``li2024-nsa-pf6`` (NSA injected at 120 degC, NH4PF6
exchange during purification).

Every number has bounds (refused outside, the message naming the field and value): the range
in which the model of :mod:`qdled.synthesis` describes a bench-scale hot injection, each with its
reason beside the field. They are deliberately wide (roughly 10x the paper's amounts) but exclude
nonsense such as 1e6 mmol of NSA.

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024), Methods.
.. [2] Protesescu, L. et al. Nanocrystals of cesium lead halide perovskites (CsPbX3, X = Cl, Br, and I).
   Nano Lett. 15, 3692 (2015) (hot injection at 140-200 degC, 0.19 mmol PbI2 in 5 mL ODE).
.. [3] 1-octadecene boils at 315 degC (Sigma-Aldrich data sheet).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qdled.io._toml import dumps, parse_model
from qdled.io.text import load_toml_file

_CFG = ConfigDict(extra="forbid", frozen=True)
Num = Annotated[float, Field(allow_inf_nan=False, strict=True)]  # strict: no booleans or quoted numbers

#: Largest mass of a precursor salt [g]: ~10x the paper's (0.185 g PbI2, 0.142 g Cs2CO3); hot-injection
#: recipes dissolve ~0.04 mol/L Pb ([1], [2]), and 10x that exceeds what OA/OAm bring into solution.
MAX_SALT_G = 2.0
#: Largest volume of a liquid [mL]: the model is a well-mixed flask that follows its bath with one
#: cooling time constant (10 s, ASSUMED for the paper's ~12 mL); a batch much larger than ~100 mL
#: cools far slower than that.
MAX_VOLUME_ML = 100.0
#: Temperatures [degC]: above 0 (the coldest bath of the model is ice water) and at most 300 (the
#: solvent ODE boils at 315 degC [3]); the injection at least at room temperature (25 degC).
MIN_T_C, MAX_T_C, MIN_INJECTION_T_C = 0.0, 300.0, 25.0
#: Longest growth time [s]: CsPbX3 growth is complete within seconds ([2]; the paper: 5 s); an hour
#: covers any ripening study. Shortest: 0.1 s, the mixing time of a hot injection.
MIN_TIME_S, MAX_GROWTH_S = 0.1, 3600.0
#: Longest NSA injection [s]: the injection happens while the flask cools (time constant ~10 s).
MAX_INJECTION_S = 300.0
#: Largest NSA dose [mmol]: the paper's series is 0-0.8 mmol, dissolved at 0.6 mmol per mL of ethyl
#: acetate; that solvent is not added to the reaction volume, a neglect that stays small only up to
#: ~2 mmol (~3 mL in a ~12 mL flask).
MAX_NSA_MMOL = 2.0
#: Largest NH4PF6 amount [mmol]: ~40x the paper's 0.024 mmol (120 uL of 0.2 mmol/mL per 1 mL of dots);
#: the exchange model treats PF6 as a minor additive of the antisolvent.
MAX_NH4PF6_MMOL = 1.0

#: Molar masses [g/mol] (IUPAC standard atomic weights).
MOLAR_MASS_G_PER_MOL = {"PbI2": 461.01, "ZnI2": 319.22, "Cs2CO3": 325.82}


class Precursors(BaseModel):
    """Lead/zinc halide solution in the flask before injection."""

    model_config = _CFG
    PbI2_g: Num = Field(0.185, gt=0, le=MAX_SALT_G)
    ZnI2_g: Num = Field(0.351, ge=0, le=2 * MAX_SALT_G)  # the paper uses ~2x the PbI2 mass of ZnI2
    ODE_mL: Num = Field(6.0, gt=0, le=MAX_VOLUME_ML)
    OA_mL: Num = Field(1.2, ge=0, le=MAX_VOLUME_ML)
    OAm_mL: Num = Field(2.0, ge=0, le=MAX_VOLUME_ML)


class CsOleate(BaseModel):
    """Cs-oleate stock (Cs2CO3 in ODE + OA) and the volume injected."""

    model_config = _CFG
    Cs2CO3_g: Num = Field(0.142, gt=0, le=MAX_SALT_G)
    ODE_mL: Num = Field(11.0, gt=0, le=MAX_VOLUME_ML)
    OA_mL: Num = Field(0.6, ge=0, le=MAX_VOLUME_ML)
    injected_mL: Num = Field(2.4, gt=0, le=MAX_VOLUME_ML)

    @model_validator(mode="after")
    def _stock_holds_the_injection(self):
        if self.injected_mL > self.ODE_mL + self.OA_mL:
            raise ValueError(
                f"injected_mL = {self.injected_mL:g} exceeds the stock's volume (ODE_mL + OA_mL = "
                f"{self.ODE_mL + self.OA_mL:g} mL)"
            )
        return self


class Injection(BaseModel):
    """Hot injection of Cs-oleate and the growth time before the quench."""

    model_config = _CFG
    temperature_C: Num = Field(150.0, ge=MIN_INJECTION_T_C, le=MAX_T_C)
    growth_time_s: Num = Field(5.0, ge=MIN_TIME_S, le=MAX_GROWTH_S)


class Quench(BaseModel):
    """Cooling after growth: straight into ice water, or a cold-water bath first (NSA route)."""

    model_config = _CFG
    bath: Literal["ice-water", "water-then-ice"] = "ice-water"
    final_temperature_C: Num = Field(50.0, gt=MIN_T_C, le=MAX_T_C)


class NSA(BaseModel):
    """2-naphthalenesulfonic acid injected during the quench (amount 0 = none)."""

    model_config = _CFG
    amount_mmol: Num = Field(0.0, ge=0, le=MAX_NSA_MMOL)
    injection_temperature_C: Num = Field(120.0, gt=MIN_T_C, le=MAX_T_C)
    injection_duration_s: Num = Field(5.0, ge=MIN_TIME_S, le=MAX_INJECTION_S)


class Purification(BaseModel):
    """Antisolvent purification: plain (``"OA/OAm"``) or with NH4PF6 exchange (``"NH4PF6"``)."""

    model_config = _CFG
    route: Literal["OA/OAm", "NH4PF6"] = "OA/OAm"
    NH4PF6_mmol: Num = Field(0.0, ge=0, le=MAX_NH4PF6_MMOL)


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
                f"nsa.injection_temperature_C = {self.nsa.injection_temperature_C:g} degC must lie between "
                f"quench.final_temperature_C ({self.quench.final_temperature_C:g}) and injection.temperature_C "
                f"({self.injection.temperature_C:g})"
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
    return parse_model(Recipe, load_toml_file(path_or_name), str(path_or_name))


__all__ = ["Recipe", "load_recipe", "BUILTIN_RECIPES"]
