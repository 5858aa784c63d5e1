"""Recipe -> time line of stages (temperature and ligand schedule).

The paper's procedure ([1]_, Methods): Cs-oleate is injected at ``injection.temperature_C``
(150 degC), the dots grow for ``injection.growth_time_s`` (5 s), then the flask is quenched
to ``quench.final_temperature_C`` (50 degC) in an ice-water bath; on the NSA route it first
goes into a cold-water bath, the NSA solution is injected over ``nsa.injection_duration_s``
(about 5 s) when the temperature passes ``nsa.injection_temperature_C`` (120 degC), and then
the ice-water bath finishes the quench. Purification follows at room temperature.

Cooling follows Newton's law ``T(t) = T_bath + (T_0 - T_bath) exp(-t / tau)`` with the
ASSUMED time constant ``tau`` of :class:`~qdled.synthesis.parameters.SynthesisParameters`.

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024), Methods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qdled.errors import InputError
from qdled.synthesis.parameters import SynthesisParameters

_K0 = 273.15


@dataclass(frozen=True)
class Stage:
    """One stage of the time line.

    ``temperature_K(t_s)`` follows Newton cooling from ``start_C`` towards ``bath_C`` (isothermal
    if ``bath_C`` is None). ``nsa_rate_mmol_s`` is the NSA feed during the stage, ``pf6_mmol`` the
    NH4PF6 present, ``strip`` whether the antisolvent strips the OA/OAm shell.
    """

    name: str
    t_start_s: float
    duration_s: float
    start_C: float
    bath_C: float | None = None
    tau_s: float = 1.0
    nsa_rate_mmol_s: float = 0.0
    pf6_mmol: float = 0.0
    strip: bool = False

    @property
    def t_end_s(self) -> float:
        """End time [s]."""
        return self.t_start_s + self.duration_s

    def temperature_K(self, t_s: float) -> float:
        """Temperature [K] at absolute time ``t_s``."""
        if self.bath_C is None:
            return self.start_C + _K0
        return self.bath_C + _K0 + (self.start_C - self.bath_C) * math.exp(-(t_s - self.t_start_s) / self.tau_s)

    @property
    def end_C(self) -> float:
        """Temperature at the end of the stage [degC]."""
        return self.temperature_K(self.t_end_s) - _K0


def _cool(name, t0, start_C, target_C, bath_C, tau_s, field: str = "target", **kw) -> Stage:
    if target_C >= start_C:
        return Stage(name, t0, 0.0, start_C, bath_C, tau_s, **kw)
    if target_C <= bath_C:
        raise InputError(f"{field} = {target_C:g} degC: a {bath_C:g} degC bath cannot cool the flask to it")
    return Stage(name, t0, tau_s * math.log((start_C - bath_C) / (target_C - bath_C)), start_C, bath_C, tau_s, **kw)


def build_timeline(
    recipe, params: SynthesisParameters, *, nsa_mmol: float | None = None, purify: bool = True
) -> tuple[Stage, ...]:
    """Stages of ``recipe`` (a :class:`qdled.io.recipe.Recipe`); ``nsa_mmol`` overrides the NSA amount."""
    inj, q, nsa = recipe.injection, recipe.quench, recipe.nsa
    amount = nsa.amount_mmol if nsa_mmol is None else float(nsa_mmol)
    if amount < 0:
        raise InputError(f"nsa_mmol must be >= 0, got {amount}")
    tau = params.cooling_time_constant_s
    stages = [Stage("growth", 0.0, inj.growth_time_s, inj.temperature_C)]
    first_bath = params.water_bath_C if q.bath == "water-then-ice" else params.ice_bath_C
    t, temp = stages[-1].t_end_s, inj.temperature_C
    if amount > 0 or q.bath == "water-then-ice":
        target = nsa.injection_temperature_C
        if not q.final_temperature_C < target <= inj.temperature_C:
            raise InputError(
                f"nsa.injection_temperature_C must lie between {q.final_temperature_C} and "
                f"{inj.temperature_C} degC, got {target}"
            )
        stages.append(_cool("cooling", t, temp, target, first_bath, tau, field="nsa.injection_temperature_C"))
        t, temp = stages[-1].t_end_s, stages[-1].end_C
        if amount > 0:
            dur = nsa.injection_duration_s
            stages.append(Stage("NSA injection", t, dur, temp, first_bath, tau, nsa_rate_mmol_s=amount / dur))
            t, temp = stages[-1].t_end_s, stages[-1].end_C
    stages.append(
        _cool("quench", t, temp, q.final_temperature_C, params.ice_bath_C, tau, field="quench.final_temperature_C")
    )
    if purify:
        p = recipe.purification
        pf6 = p.NH4PF6_mmol if p.route == "NH4PF6" else 0.0
        stages.append(
            Stage(
                "purification",
                stages[-1].t_end_s,
                params.purification_time_s,
                params.purification_temperature_C,
                pf6_mmol=pf6,
                strip=True,
            )
        )
    return tuple(s for s in stages if s.duration_s > 0)
