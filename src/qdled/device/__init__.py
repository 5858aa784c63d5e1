"""Device stage: energy levels, charge injection/transport/recombination, EQE(J) with roll-off,
luminance and colour of the EL, operational lifetime.

Entry point: :func:`simulate_device` with a parameter set from :func:`device_parameters`
(``"li2024-nsa-pf6"`` or ``"li2024-control"``; :func:`device_for_recipe` maps a synthesis recipe to its
device); :data:`CALIBRATED` holds the provenance records of the fitted parameters.

Model in one paragraph (details and limits in the module docstrings): a zero-dimensional series
model -- thermionic injection steps between layers (Richardson, no image-force lowering), SCLC transport
(Murgatroyd/Poole-Frenkel in the organics, trap-limited Mark-Helfrich -> Mott-Gurney in the QD film with
a ligand-shell tunnelling mobility ``mu0 exp(-beta d)``), Langevin recombination in the QD layer, a
shunt -- gives J-V and the charge balance (excess space charge in the QD film -> charged, dark dots);
EQE = charge balance x q_eff (PLQY with Purcell; Auger and Joule-heating roll-off) x eta_out (input);
luminance/colour from the EL spectrum (input, a :class:`qdled.spectral.Spectrum`); lifetime: stretched
exponential with L0^n T = const.
No drift-diffusion: no band bending, diffusion currents or carrier leakage (see
:mod:`qdled.device.electrical`).

Modules: :mod:`.levels`, :mod:`.transport`, :mod:`.electrical`, :mod:`.emission`, :mod:`.lifetime`,
:mod:`.parameters`, :mod:`.calibration`, :mod:`.simulate`, :mod:`.chain` (stack -> optics -> device),
:mod:`.plots`.
"""

from qdled.device.dd import DriftDiffusionResult, DriftDiffusionSettings, solve_jv
from qdled.device.levels import energy_levels, plot_energy_levels, qd_levels
from qdled.device.parameters import (
    CALIBRATED,
    DEVICE_NAMES,
    DeviceParameters,
    device_for_recipe,
    device_for_route,
    device_parameters,
)
from qdled.device.simulate import DeviceResult, paper_comparison, simulate_device

__all__ = [
    "CALIBRATED",
    "DEVICE_NAMES",
    "DeviceParameters",
    "DeviceResult",
    "DriftDiffusionResult",
    "DriftDiffusionSettings",
    "device_for_recipe",
    "device_for_route",
    "device_parameters",
    "energy_levels",
    "paper_comparison",
    "plot_energy_levels",
    "qd_levels",
    "simulate_device",
    "solve_jv",
]
