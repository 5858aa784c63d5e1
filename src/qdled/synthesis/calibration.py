"""Calibration of the synthesis model against Li et al. (2024), kept apart from validation.

Sizes, not PL, are fitted, so that the synthesis stays independent of :mod:`qdled.dots`.
Target edge lengths come from the PL peaks by inverting a simple confinement relation:
effective-mass scaling ``E_PL(L) = Eg + dE_ref (L_ref / L)^2`` (Brus [2]_; the L^-2 law of
a particle in a box) anchored at the paper's one measured pair, the TEM mean edge and the PL peak
of the NSA-NH4PF6 dots (``nsa_pf6.mean_edge_nm``, ``nsa_pf6.pl_peak_nm``), with the bulk gap of
:mod:`qdled.materials.cspbi3`. (``qdled.dots.edge_from_pl_peak``, a non-parabolic k.p model, gives
the same targets within 0.01 nm.)

Calibration set (:data:`CALIBRATION_KEYS` -> :data:`CALIBRATION_TARGETS`): control as synthesised
(``nsa_0.pl_peak_nm``), 0.6 mmol NSA as synthesised (``nsa_0.6.pl_peak_nm``), control after
purification (``control.pl_peak_nm``).
Validation set (:data:`VALIDATION_KEYS` -> :data:`VALIDATION_TARGETS`, never used in fitting):
0.2 mmol (``nsa_0.2.pl_peak_nm``), 0.8 mmol (``nsa_0.8.pl_peak_nm``: "no significant change" from
0.6 mmol), NSA-NH4PF6 after purification (TEM ``nsa_pf6.mean_edge_nm`` +/- ``nsa_pf6.sd_edge_nm``),
and the trend that sizes fall and distributions narrow with NSA dose. Note the NSA-NH4PF6 mean is
tied to the size anchor, so its check is weak; its sd is not. All numbers: :mod:`qdled.io.paper`.

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024), Fig. 1d, Fig. 2b and text.
.. [2] Brus, L. E. J. Chem. Phys. 80, 4403 (1984).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from qdled.errors import require_finite_positive
from qdled.io.paper import paper_value
from qdled.materials import cspbi3
from qdled.spectral import photon_energy_eV
from qdled.synthesis.parameters import ASSUMED, CALIBRATED, CALIBRATION_KEYS, SynthesisParameters

__all__ = [
    "ASSUMED",
    "CALIBRATED",
    "CALIBRATION_KEYS",
    "CALIBRATION_TARGETS",
    "VALIDATION_KEYS",
    "VALIDATION_TARGETS",
    "calibrate",
    "edge_from_pl_nm",
    "evaluate",
    "fit_growth",
    "fit_purification",
]

#: The size anchor [1]: TEM mean edge [nm] and PL peak [nm] of the NSA-NH4PF6 dots.
ANCHOR_EDGE_NM, ANCHOR_PL_NM = paper_value("nsa_pf6.mean_edge_nm"), paper_value("nsa_pf6.pl_peak_nm")


def edge_from_pl_nm(pl_nm):
    """Edge length [nm] whose PL peak is ``pl_nm`` under the anchored L^-2 law (module docstring)."""
    pl = np.asarray(pl_nm, dtype=float)
    require_finite_positive("pl_nm", float(np.min(pl)))
    de_ref = photon_energy_eV(ANCHOR_PL_NM) - cspbi3.BANDGAP_BULK_EV
    de = photon_energy_eV(pl) - cspbi3.BANDGAP_BULK_EV
    return ANCHOR_EDGE_NM * np.sqrt(de_ref / de)


def _edge_of(key: str) -> float:
    """Target edge [nm] of a paper value: a PL peak through :func:`edge_from_pl_nm`, a TEM edge as it is."""
    value = paper_value(key)
    return value if key.endswith("_edge_nm") else float(edge_from_pl_nm(value))


#: (recipe, NSA mmol, stage "synthesis"/"purified") -> the paper value the size is checked against (never fitted).
VALIDATION_KEYS = MappingProxyType(
    {
        ("li2024-nsa-pf6", 0.2, "synthesis"): "nsa_0.2.pl_peak_nm",
        ("li2024-nsa-pf6", 0.8, "synthesis"): "nsa_0.8.pl_peak_nm",
        ("li2024-nsa-pf6", 0.6, "purified"): "nsa_pf6.mean_edge_nm",
    }
)

#: (recipe, NSA mmol, stage) -> target edge [nm] of the calibration set (:data:`CALIBRATION_KEYS`).
CALIBRATION_TARGETS = MappingProxyType({k: _edge_of(v) for k, v in CALIBRATION_KEYS.items()})
#: (recipe, NSA mmol, stage) -> target edge [nm] of the validation set (:data:`VALIDATION_KEYS`).
VALIDATION_TARGETS = MappingProxyType({k: _edge_of(v) for k, v in VALIDATION_KEYS.items()})

#: TEM standard deviation of the NSA-NH4PF6 dots [nm] ([1]), validation only.
VALIDATION_SD_NM = paper_value("nsa_pf6.sd_edge_nm")


def evaluate(key, params: SynthesisParameters | None = None, n_bins: int = 400) -> tuple[float, float]:
    """Model mean and sd of the edge [nm] for a target key ``(recipe, nsa_mmol, stage)``."""
    from qdled.synthesis.run import simulate

    recipe, nsa, stage = key
    r = simulate(recipe, nsa_mmol=nsa, params=params, n_bins=n_bins, purify=stage == "purified")
    if stage == "purified":
        return r.mean_edge_nm, r.sd_edge_nm
    return r.synthesis_mean_edge_nm, r.synthesis_sd_edge_nm


def fit_growth(params: SynthesisParameters | None = None, n_bins: int = 400) -> dict[str, float]:
    """Fit ``gamma_ref_J_m2`` and ``log10_rate_constant_ref_m_s`` by least squares on the two
    as-synthesised calibration targets (control, 0.6 mmol NSA)."""
    from scipy.optimize import least_squares

    base = params or SynthesisParameters()
    keys = [k for k in CALIBRATION_TARGETS if k[2] == "synthesis"]

    def resid(x):
        p = base.with_values(gamma_ref_J_m2=x[0], log10_rate_constant_ref_m_s=x[1])
        return [evaluate(k, p, n_bins)[0] - CALIBRATION_TARGETS[k] for k in keys]

    fit = least_squares(
        resid,
        [base.gamma_ref_J_m2, base.log10_rate_constant_ref_m_s],
        x_scale=[0.005, 0.3],
        diff_step=1e-3,
        bounds=([0.02, -7.0], [0.08, -3.0]),
        xtol=1e-4,
        ftol=1e-4,
    )
    return {"gamma_ref_J_m2": float(fit.x[0]), "log10_rate_constant_ref_m_s": float(fit.x[1])}


def fit_purification(params: SynthesisParameters | None = None, n_bins: int = 400) -> dict[str, float]:
    """Fit ``bare_weight`` (in [1, 30]) to the purified control by root finding in log10."""
    from scipy.optimize import brentq

    base = params or SynthesisParameters()
    key = ("li2024-control", 0.0, "purified")

    def resid(log_w):
        return evaluate(key, base.with_values(bare_weight=10.0**log_w), n_bins)[0] - CALIBRATION_TARGETS[key]

    return {"bare_weight": 10.0 ** brentq(resid, 0.0, 1.5, xtol=1e-3)}


def calibrate(params: SynthesisParameters | None = None, n_bins: int = 400) -> dict[str, float]:
    """Refit all CALIBRATED parameters (slow, ~2 min): :func:`fit_growth`, then
    :func:`fit_purification` with its result. Paste the values into the records of
    :data:`qdled.synthesis.parameters.CALIBRATED`."""
    base = params or SynthesisParameters()
    growth = fit_growth(base, n_bins)
    return {**growth, **fit_purification(base.with_values(**growth), n_bins)}
