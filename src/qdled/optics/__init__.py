"""Thin-film optics of the LED: dipole emission in the stack, loss channels, far field, sweeps.

Modules: :mod:`.tmm` (transfer matrices), :mod:`.dipole` (power dissipation K(u)),
:mod:`.quadrature` (u integration), :mod:`.channels` (loss channels, modes),
:mod:`.outcoupling` (stack-level API: :func:`summary`, :func:`el_spectrum`),
:mod:`.farfield`, :mod:`.sweep`, :mod:`.plots`.
"""

from qdled.optics.farfield import cie_xy_vs_angle, far_field
from qdled.optics.outcoupling import (
    EL_PEAK_NM,
    PLQY_PAPER,
    CavityEmission,
    effective_radiative_efficiency,
    el_spectrum,
    emission_zone,
    eqe_ceiling,
    pl_spectrum,
    stack_emission,
    summary,
)
from qdled.optics.sweep import paper_sweeps, sweep

__all__ = [
    "EL_PEAK_NM",
    "PLQY_PAPER",
    "CavityEmission",
    "cie_xy_vs_angle",
    "far_field",
    "paper_sweeps",
    "sweep",
    "effective_radiative_efficiency",
    "el_spectrum",
    "emission_zone",
    "eqe_ceiling",
    "pl_spectrum",
    "stack_emission",
    "summary",
]
