"""Radiative and non-radiative rates, ligand coverage, PLQY and PL decay of CsPbI3 nanocrystals.

Model
-----
* Radiative rate vs size: k_r(L) = k_r,ref * [E(L) g(L)] / [E(L_ref) g(L_ref)]. In strong confinement the
  electron and hole envelopes coincide (overlap 1), the Kane oscillator strength is f = Ep / E and the
  spontaneous rate ~ n E^2 f ~ E. Towards weak confinement the oscillator strength grows with the exciton
  coherence volume (giant oscillator strength); for a cube the centre-of-mass ground state gives
  f_weak / f_strong = (8/pi^2)^3 L^3 / (pi a_B^3). The interpolation g(L) = 1 + (8/pi^2)^3 L^3 / (pi a_B^3)
  (sum of the two limits) is an assumption. k_r,ref at L_ref (the paper's TEM edge of the NSA-NH4PF6 dots)
  is calibrated to the paper's PLQY and PL lifetime (k_r = PLQY / tau), see :data:`qdled.dots.CALIBRATED`.
* Non-radiative rate: k_nr = k_trap0 (1 - theta) + k_nr,intrinsic (surface traps on the uncovered fraction).
* Coverage: competitive Langmuir isotherm theta = sum_i K_i c_i / (1 + sum_i K_i c_i), with
  K_i c_i = A exp(E_b,i / kT) (adsorption/desorption balance, desorption Arrhenius with barrier E_b,i).
  The common prefactor A (adsorption rate x free-ligand concentration / attempt frequency) is calibrated.
  Binding energies default to the paper's DFT values (:func:`qdled.io.paper.paper_binding_energies_eV`).
* PLQY = k_r / (k_r + k_nr); PL decay of an ensemble is a sum of exponentials over size bins and, optionally,
  over a Poisson number of surface traps per dot (mean N_sites (1 - theta), each trap adding k_trap0 / N_sites,
  so the mean non-radiative rate equals the formula above).

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024): PLQY, average PL lifetimes of both batches (Fig. 2c),
   DFT binding energies (Fig. 2a); numbers through :mod:`qdled.io.paper`.
.. [2] Efros, Al. L. & Rosen, M. The electronic structure of semiconductor nanocrystals. Annu. Rev. Mater. Sci.
   30, 475 (2000) (oscillator strength in strong and weak confinement).
.. [3] Langmuir, I. J. Am. Chem. Soc. 40, 1361 (1918).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import constants as _c

from qdled.dots.calibration import ASSUMED, CALIBRATED
from qdled.dots.confinement import BandParameters, confinement_energy
from qdled.dots.spectra import size_distribution
from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import paper_binding_energies_eV, paper_value
from qdled.materials import cspbi3

_KB_EV = _c.k / _c.e
#: Reference edge [nm] of the calibrated radiative rate (the paper's NSA-NH4PF6 dots, TEM).
REFERENCE_EDGE_NM = paper_value("nsa_pf6.mean_edge_nm")
#: Ligands present on the surface for the paper's two purification routes.
ROUTE_LIGANDS = {"OA/OAm": ("OAm",), "NSA-NH4PF6": ("OAm", "NSA", "PF6")}


def _cal(name: str) -> float:
    return CALIBRATED[name].value


def _k_trap0() -> float:
    return float(ASSUMED["k_trap0_per_s"]["value"])


def _oscillator_enhancement(edge_nm, params: BandParameters):
    """g(L) = 1 + (8/pi^2)^3 L^3 / (pi a_B^3) with the effective (offset) edge, see module docstring."""
    a_b_nm = cspbi3.DIELECTRIC_EFFECTIVE * _c.physical_constants["Bohr radius"][0] * 1e9 / params.reduced_mass_m0
    edge = np.asarray(edge_nm, dtype=float) + _cal("edge_offset_nm")
    return 1.0 + (8.0 / np.pi**2) ** 3 * edge**3 / (np.pi * a_b_nm**3)


def radiative_rate(edge_nm, *, params: BandParameters | None = None, k_r_ref_per_s: float | None = None):
    """Radiative rate [1/s] of a dot of edge ``edge_nm`` [nm] (model in the module docstring)."""
    p = params or BandParameters()
    ref = _cal("k_r_ref_per_s") if k_r_ref_per_s is None else k_r_ref_per_s
    e = confinement_energy(edge_nm, "kane", params=p)
    e_ref = confinement_energy(REFERENCE_EDGE_NM, "kane", params=p)
    return ref * e * _oscillator_enhancement(edge_nm, p) / (e_ref * _oscillator_enhancement(REFERENCE_EDGE_NM, p))


def _binding(ligands, binding_energy_eV):
    table = dict(paper_binding_energies_eV())
    if binding_energy_eV:
        table.update(binding_energy_eV)
    if isinstance(ligands, str):
        ligands = ROUTE_LIGANDS.get(ligands, (ligands,))
    missing = [name for name in ligands if name not in table]
    if missing:
        raise InputError(f"no binding energy for ligand(s) {missing}; known: {sorted(table)}")
    for name in ligands:
        require_finite_positive(f"binding energy of {name}", table[name])
    return {name: float(table[name]) for name in ligands}


def ligand_coverages(
    ligands="NSA-NH4PF6",
    *,
    binding_energy_eV: dict[str, float] | None = None,
    temperature_K: float = 298.15,
    prefactor: float | None = None,
) -> dict[str, float]:
    """Per-ligand surface coverage from the competitive Langmuir isotherm.

    Parameters
    ----------
    ligands : str or sequence of str
        Ligand names, or a route name ("OA/OAm", "NSA-NH4PF6"; see :data:`ROUTE_LIGANDS`).
    binding_energy_eV : dict, optional
        {ligand: binding energy [eV]}; default the paper's DFT values (OAm, NSA, PF6).
    temperature_K : float
    prefactor : float, optional
        A in K c = A exp(E_b / kT); default calibrated (:data:`qdled.dots.CALIBRATED`).

    Returns
    -------
    dict
        {ligand: theta_i}; the total coverage is the sum (< 1).
    """
    t = require_finite_positive("temperature_K", temperature_K)
    energies = _binding(ligands, binding_energy_eV)
    log_a = np.log(_cal("langmuir_prefactor") if prefactor is None else require_finite_positive("prefactor", prefactor))
    log_kc = {name: log_a + e / (_KB_EV * t) for name, e in energies.items()}
    # theta_i = exp(x_i) / (1 + sum exp(x_j)), evaluated stably in log space
    xs = np.array(list(log_kc.values()))
    top = max(0.0, float(xs.max()))
    denom = np.exp(-top) + np.exp(xs - top).sum()
    return {name: float(np.exp(x - top) / denom) for name, x in log_kc.items()}


def ligand_coverage(ligands="NSA-NH4PF6", **kwargs) -> float:
    """Total surface coverage theta in [0, 1) (see :func:`ligand_coverages`)."""
    return float(sum(ligand_coverages(ligands, **kwargs).values()))


def nonradiative_rate(theta, *, k_trap0_per_s: float | None = None, k_nr_intrinsic_per_s: float | None = None):
    """k_nr = k_trap0 (1 - theta) + k_nr,intrinsic [1/s]."""
    th = np.asarray(theta, dtype=float)
    if np.any((th < 0) | (th > 1)) or not np.all(np.isfinite(th)):
        raise InputError(f"theta must be in [0, 1], got {theta!r}")
    k0 = _k_trap0() if k_trap0_per_s is None else k_trap0_per_s
    ki = _cal("k_nr_intrinsic_per_s") if k_nr_intrinsic_per_s is None else k_nr_intrinsic_per_s
    return k0 * (1.0 - th) + ki


@dataclass(frozen=True)
class Photophysics:
    """Rates [1/s], PLQY and lifetime [ns] of a dot (or ensemble mean)."""

    k_r_per_s: float
    k_nr_per_s: float
    theta: float

    @property
    def plqy(self) -> float:
        return self.k_r_per_s / (self.k_r_per_s + self.k_nr_per_s)

    @property
    def tau_ns(self) -> float:
        return 1e9 / (self.k_r_per_s + self.k_nr_per_s)


def plqy(
    edge_nm=REFERENCE_EDGE_NM,
    *,
    theta: float | None = None,
    ligands="NSA-NH4PF6",
    binding_energy_eV: dict[str, float] | None = None,
    params: BandParameters | None = None,
) -> Photophysics:
    """PLQY = k_r / (k_r + k_nr) of a dot of edge ``edge_nm`` [nm].

    ``theta`` (ligand coverage) is taken as given, or computed from ``ligands`` and their binding energies with
    :func:`ligand_coverage`. Returns a :class:`Photophysics` (``.plqy``, ``.tau_ns``, rates).
    """
    th = ligand_coverage(ligands, binding_energy_eV=binding_energy_eV) if theta is None else float(theta)
    k_r = float(radiative_rate(edge_nm, params=params))
    return Photophysics(k_r, float(nonradiative_rate(th)), th)


def surface_sites(edge_nm) -> np.ndarray:
    """Number of surface unit cells of a cube, 6 (L / a)^2 (a: pseudocubic lattice constant)."""
    return 6.0 * (np.asarray(edge_nm, dtype=float) / (cspbi3.LATTICE_CONSTANT_M * 1e9)) ** 2


@dataclass(frozen=True)
class Decay:
    """A PL decay curve (intensity normalised to 1 at t = 0) and its average lifetimes [ns]."""

    time_ns: np.ndarray
    intensity: np.ndarray
    tau_amplitude_ns: float
    tau_intensity_ns: float
    plqy: float

    def __iter__(self):
        return iter((self.time_ns, self.intensity))


def pl_decay(
    time_ns,
    edge_nm=REFERENCE_EDGE_NM,
    weight=None,
    *,
    sd_nm: float | None = None,
    theta: float | None = None,
    ligands="NSA-NH4PF6",
    poisson_traps: bool = False,
    params: BandParameters | None = None,
) -> Decay:
    """Multi-exponential PL decay of a nanocrystal ensemble after pulsed excitation.

    Components: size bins (number fraction x volume for the excitation, k_r(L) for the emission) and, with
    ``poisson_traps``, the number n of surface traps per dot (Poisson, mean N_sites(L) (1 - theta), rate
    n k_trap0 / N_sites each). Without it every dot has the mean-field k_nr. The calibration
    (:data:`qdled.dots.CALIBRATED`) used the mean-field form; with ``poisson_traps`` the trap-free dots raise
    the ensemble PLQY and lifetime (Jensen's inequality), e.g. the OA/OAm control at 4.78 nm gives PLQY 0.74 and
    tau_amplitude 6.1 ns instead of the calibrated 0.52 and the paper's TRPL lifetime. NSA-NH4PF6 dots (theta ~ 1)
    are unaffected.

    Returns
    -------
    Decay
        ``time_ns``, ``intensity`` (1 at t = 0), amplitude-weighted ``tau_amplitude_ns`` = sum a_i tau_i / sum a_i,
        intensity-weighted ``tau_intensity_ns`` = sum a_i tau_i^2 / sum a_i tau_i, and the ensemble ``plqy``.
    """
    t = np.asarray(time_ns, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError("time_ns must be finite and >= 0")
    edges, w = size_distribution(edge_nm, weight, sd_nm=sd_nm)
    th = ligand_coverage(ligands) if theta is None else float(theta)
    k_r = radiative_rate(edges, params=params)
    k_intr = _cal("k_nr_intrinsic_per_s")
    k0 = _k_trap0()
    if poisson_traps:
        from scipy.stats import poisson

        sites = surface_sites(edges)
        mean_traps = sites * (1.0 - th)
        k1 = k0 / sites
        # curve: sum_n P(n) exp(-n k1 t) = exp(-m (1 - exp(-k1 t))) (Poisson generating function)
        ts = t[:, None] * 1e-9
        curve = (w * edges**3 * k_r)[None, :] * np.exp(
            -(k_r + k_intr)[None, :] * ts - mean_traps[None, :] * (1.0 - np.exp(-k1[None, :] * ts))
        )
        n_max = int(np.ceil(mean_traps.max() + 8.0 * np.sqrt(mean_traps.max()) + 10))
        n = np.arange(n_max + 1)
        prob = poisson.pmf(n[None, :], mean_traps[:, None])  # (bins, n)
        k_tot = k_r[:, None] + k_intr + n[None, :] * k1[:, None]
        exc = (w * edges**3)[:, None] * prob
    else:
        k_tot = (k_r + float(nonradiative_rate(th)))[:, None]
        exc = (w * edges**3)[:, None]
        curve = (w * edges**3 * k_r)[None, :] * np.exp(-t[:, None] * 1e-9 * k_tot[None, :, 0])
    k_rad = np.broadcast_to(k_r[:, None], k_tot.shape)
    amp = exc * k_rad  # initial emission intensity of each exponential component
    tau = 1e9 / k_tot
    intensity = curve.sum(axis=1) / amp.sum()
    ensemble_qy = float((exc * k_rad / k_tot).sum() / exc.sum())
    return Decay(
        t, intensity, float((amp * tau).sum() / amp.sum()), float((amp * tau**2).sum() / (amp * tau).sum()), ensemble_qy
    )
