"""Numbers of :mod:`qdled.dots` that were fitted to the seed paper ("calibrated is not predicted").

:data:`CALIBRATED` maps parameter name -> :class:`qdled.io.paper.Calibrated` (value, unit, the paper values it
was fitted to, how); :data:`ASSUMED` lists the stated assumptions the calibration rests on. Everything else in
:mod:`qdled.dots` is a literature constant (cited where it is defined). :func:`derive_calibration` recomputes
every calibrated value from the paper's numbers (:mod:`qdled.io.paper`); ``tests/test_dots_calibration.py``
checks that the stored values agree.

Calibration data: Li et al., Nat. Commun. 15, 5696 (2024). Validation data (never used here):
``qdled/dots/data/cspbi3_sizing.csv``.
"""

from __future__ import annotations

from types import MappingProxyType

from qdled.io.paper import Calibrated

#: Calibrated parameters of :mod:`qdled.dots`: name -> :class:`qdled.io.paper.Calibrated` record.
CALIBRATED: MappingProxyType = MappingProxyType(
    {
        "edge_offset_nm": Calibrated(
            0.46200,
            "nm",
            ("nsa_pf6.pl_peak_nm", "nsa_pf6.pl_fwhm_nm"),
            "kane model at the paper's mean edge nsa_pf6.mean_edge_nm; solved jointly with effective_sd_nm for the "
            "ensemble PL peak and FWHM",
        ),
        "effective_sd_nm": Calibrated(
            0.13730,
            "nm",
            ("nsa_pf6.pl_peak_nm", "nsa_pf6.pl_fwhm_nm"),
            "effective size spread that, with the assumed homogeneous line (ASSUMED), gives the measured FWHM "
            "(solved jointly with edge_offset_nm). The TEM spread nsa_pf6.sd_edge_nm would give a much wider line: "
            "it includes sizing/measurement error (projection, focus, edge definition on ~4 nm particles) and is "
            "not used as the optical spread",
        ),
        "k_r_ref_per_s": Calibrated(
            1.1899e08,
            "1/s",
            ("nsa_pf6.plqy", "nsa_pf6.tau_avg_ns"),
            "k_r = PLQY / tau at the reference edge nsa_pf6.mean_edge_nm",
        ),
        "k_nr_intrinsic_per_s": Calibrated(
            7.5949e06,
            "1/s",
            ("nsa_pf6.plqy", "nsa_pf6.tau_avg_ns"),
            "(1 - PLQY) / tau: the PF6-capped surface is fully covered in the model (theta ~ 1), so all k_nr is "
            "intrinsic",
        ),
        "control_edge_nm": Calibrated(
            4.7819,
            "nm",
            ("control.pl_peak_nm",),
            "OA/OAm dot size inferred by inverting the calibrated single-dot PL energy (TEM value not in the text)",
        ),
        "langmuir_prefactor": Calibrated(
            1.5589e-18,
            "1",
            ("control.tau_avg_ns",),
            "K c = A exp(E_b / kT): A such that OAm-only coverage gives 1/tau = k_r + k_nr",
        ),
        "trap_creation_per_s_per_day": Calibrated(
            6.3291e05,
            "1/s per day",
            ("nsa_pf6.plqy_retained_day50",),
            "ligand-independent linear growth of k_nr in air over nsa_pf6.storage_days",
        ),
        "attempt_frequency_per_s": Calibrated(
            3.6271e13,
            "1/s",
            ("control.plqy_day25",),
            "first-order OAm desorption nu exp(-E_b(OAm) / kT) at the storage temperature (ASSUMED); the paper's "
            "PLQY 0 after control.storage_days is read as ASSUMED control_plqy_day25",
        ),
    }
)

#: Assumed (not fitted, not predicted) numbers with their justification.
ASSUMED: MappingProxyType = MappingProxyType(
    {
        "homogeneous_fwhm_eV": {
            "value": 0.095,
            "why": "middle of the 70-120 meV room-temperature single-dot linewidths, Nat. Commun. 13, 2587 (2022)",
        },
        "stokes_fraction": {
            "value": 0.15,
            "why": "Stokes shift 55 meV at 4 nm falling to 14 meV at 8 nm; "
            "20-100 meV reported for small perovskite NCs by Brennan et al., JACS 139, 12201 (2017)",
        },
        "k_trap0_per_s": {
            "value": 1.0e11,
            "why": "exciton trapping in ~10 ps on a bare surface; sets the PLQY floor (0.1 %) of a ligand-free dot",
        },
        "storage_temperature_K": {"value": 298.15, "why": "ageing in air at room temperature (paper, Fig. 2d)"},
        "control_plqy_day25": {"value": 0.01, "why": "'decreased to 0' read as 1 % (a model PLQY never reaches 0)"},
    }
)


def derive_calibration() -> dict[str, float]:
    """Recompute the calibrated values from the paper's numbers (slow-ish: ~1 s).

    The steps run in dependency order; later steps use the stored values of earlier ones (the test checks
    that each derived value equals the stored one).
    """
    import numpy as np
    from scipy import constants as _c
    from scipy.optimize import fsolve

    from qdled.dots.spectra import HOMOGENEOUS_FWHM_EV, edge_from_pl_peak, ensemble_pl
    from qdled.io.paper import paper_binding_energies_eV, paper_value

    out: dict[str, float] = {}
    edge = paper_value("nsa_pf6.mean_edge_nm")

    def spectral(x):
        s = ensemble_pl(edge, sd_nm=abs(x[1]), edge_offset_nm=x[0], homogeneous_fwhm_eV=HOMOGENEOUS_FWHM_EV)
        return [s.peak_nm - paper_value("nsa_pf6.pl_peak_nm"), s.fwhm_nm - paper_value("nsa_pf6.pl_fwhm_nm")]

    off, sd = fsolve(spectral, [0.5, 0.15], xtol=1e-10)
    out["edge_offset_nm"], out["effective_sd_nm"] = float(off), abs(float(sd))

    qy, tau = paper_value("nsa_pf6.plqy"), paper_value("nsa_pf6.tau_avg_ns") * 1e-9
    out["k_r_ref_per_s"] = qy / tau
    out["k_nr_intrinsic_per_s"] = (1.0 - qy) / tau

    out["control_edge_nm"] = edge_from_pl_peak(paper_value("control.pl_peak_nm"))

    from qdled.dots.photophysics import radiative_rate

    kt = _c.k / _c.e * ASSUMED["storage_temperature_K"]["value"]
    e_oam = paper_binding_energies_eV()["OAm"]
    k_trap0 = ASSUMED["k_trap0_per_s"]["value"]
    k_r_c = float(radiative_rate(out["control_edge_nm"], k_r_ref_per_s=out["k_r_ref_per_s"]))
    bare = (1.0 / (paper_value("control.tau_avg_ns") * 1e-9) - k_r_c - out["k_nr_intrinsic_per_s"]) / k_trap0
    theta_c = 1.0 - bare
    out["langmuir_prefactor"] = float(theta_c / bare * np.exp(-e_oam / kt))

    k_r = out["k_r_ref_per_s"]
    retained = paper_value("nsa_pf6.plqy_retained_day50")
    days = paper_value("nsa_pf6.storage_days")
    out["trap_creation_per_s_per_day"] = (k_r / (retained * qy) - k_r - out["k_nr_intrinsic_per_s"]) / days

    qy25 = ASSUMED["control_plqy_day25"]["value"]
    k_nr25 = k_r_c * (1.0 / qy25 - 1.0)
    days25 = paper_value("control.storage_days")
    bare25 = (k_nr25 - out["k_nr_intrinsic_per_s"] - out["trap_creation_per_s_per_day"] * days25) / k_trap0
    k_d = np.log(theta_c / (1.0 - bare25)) / (days25 * 86400.0)
    out["attempt_frequency_per_s"] = float(k_d * np.exp(e_oam / kt))
    return out
