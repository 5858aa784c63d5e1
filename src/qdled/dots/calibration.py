"""Numbers of :mod:`qdled.dots` that were fitted to the seed paper ("calibrated is not predicted").

:data:`CALIBRATED` maps parameter name -> {"value", "unit", "fitted_to", "how"}; :data:`ASSUMED` lists the
stated assumptions the calibration rests on. Everything else in :mod:`qdled.dots` is a literature constant
(cited where it is defined). :func:`derive_calibration` recomputes every calibrated value from the paper's
numbers (:mod:`qdled.io.paper`); ``tests/test_dots_calibration.py`` checks that the stored values agree.

Calibration data: Li et al., Nat. Commun. 15, 5696 (2024). Validation data (never used here):
``qdled/dots/data/cspbi3_sizing.csv``.
"""

from __future__ import annotations

CALIBRATED: dict[str, dict] = {
    "edge_offset_nm": {
        "value": 0.46402,
        "unit": "nm",
        "fitted_to": "nsa_pf6.pl_peak_nm (623 nm) with nsa_pf6.mean_edge_nm (4.3 nm)",
        "how": "kane model; solved jointly with effective_sd_nm for the ensemble PL peak and FWHM",
    },
    "effective_sd_nm": {
        "value": 0.13721,
        "unit": "nm",
        "fitted_to": "nsa_pf6.pl_fwhm_nm (32 nm)",
        "how": "effective size spread that, with the assumed 95 meV homogeneous line, gives the measured FWHM. "
        "The TEM spread (+/- 0.6 nm) would give ~53 nm FWHM: it includes sizing/measurement error "
        "(projection, focus, edge definition on ~4 nm particles) and is not used as the optical spread",
    },
    "k_r_ref_per_s": {
        "value": 1.1899e08,
        "unit": "1/s",
        "fitted_to": "nsa_pf6.plqy (0.94) / nsa_pf6.tau_avg_ns (7.9 ns), at 4.3 nm",
        "how": "k_r = PLQY / tau",
    },
    "k_nr_intrinsic_per_s": {
        "value": 7.5949e06,
        "unit": "1/s",
        "fitted_to": "(1 - nsa_pf6.plqy) / nsa_pf6.tau_avg_ns",
        "how": "PF6-capped surface is fully covered in the model (theta ~ 1), so all k_nr is intrinsic",
    },
    "control_edge_nm": {
        "value": 4.7798,
        "unit": "nm",
        "fitted_to": "control.pl_peak_nm (639 nm)",
        "how": "OA/OAm dot size inferred by inverting the calibrated single-dot PL energy (TEM value not in the text)",
    },
    "langmuir_prefactor": {
        "value": 1.5588e-18,
        "unit": "1",
        "fitted_to": "control.tau_avg_ns (4.3 ns)",
        "how": "K c = A exp(E_b / kT): A such that OAm-only coverage gives 1/tau = k_r + k_nr",
    },
    "trap_creation_per_s_per_day": {
        "value": 6.3291e05,
        "unit": "1/s per day",
        "fitted_to": "nsa_pf6.plqy_retained_day50 (0.80)",
        "how": "ligand-independent linear growth of k_nr in air",
    },
    "attempt_frequency_per_s": {
        "value": 3.6269e13,
        "unit": "1/s",
        "fitted_to": "control.plqy_day25 (0; read as PLQY = 1 % at day 25)",
        "how": "first-order OAm desorption nu exp(-1.23 eV / kT) at 298.15 K",
    },
}

#: Assumed (not fitted, not predicted) numbers with their justification.
ASSUMED: dict[str, dict] = {
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
CALIBRATED["k_trap0_per_s"] = {
    "value": ASSUMED["k_trap0_per_s"]["value"],
    "unit": "1/s",
    "fitted_to": "none (assumed, see ASSUMED)",
    "how": "assumption",
}


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
    out["trap_creation_per_s_per_day"] = (k_r / (retained * qy) - k_r - out["k_nr_intrinsic_per_s"]) / 50.0

    qy25 = ASSUMED["control_plqy_day25"]["value"]
    k_nr25 = k_r_c * (1.0 / qy25 - 1.0)
    bare25 = (k_nr25 - out["k_nr_intrinsic_per_s"] - out["trap_creation_per_s_per_day"] * 25.0) / k_trap0
    k_d = np.log(theta_c / (1.0 - bare25)) / (25.0 * 86400.0)
    out["attempt_frequency_per_s"] = float(k_d * np.exp(e_oam / kt))
    return out
