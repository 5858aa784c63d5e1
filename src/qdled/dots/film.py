"""Dots in a close-packed film: Foerster energy transfer between the sizes of an ensemble, the dielectric
environment and photon reabsorption -> the film's PL spectrum, red shift, narrowing and PL decay (issue #18).

Model
-----
* **Per size** (bins of :func:`qdled.dots.size_distribution`): absorption (band-edge) and PL energies, Stokes
  shift and homogeneous line from :mod:`qdled.dots.spectra` (unit-area Gaussian lines of
  ``HOMOGENEOUS_FWHM_EV``), radiative rate k_r(L) from :func:`qdled.dots.radiative_rate`, non-radiative rate from
  the ligand coverage (:func:`qdled.dots.nonradiative_rate`). Excitation far above the gap: generation ~ number
  fraction x volume (as the dots' PL weights).
* **Absolute absorption** of the band edge from the radiative rate (Einstein relation, Strickler & Berg [2]):
  integral sigma dE = g (hc)^2 h k_r / (8 pi n^2 E^2) with g = 4 band-edge exciton states per ground state
  (bright triplet + dark singlet, all populated at room temperature: k_r is their thermal mean [3]).
* **Pair rate** donor i -> acceptor j (Foerster [1]): k = k_r,i 9 kappa^2 J_ij / (128 pi^5 n^4 r_ij^6),
  J_ij = integral f_i(lambda) sigma_j(lambda) lambda^4 dlambda (f_i: donor PL of unit area), kappa^2 = 2/3
  (isotropic, dynamic average), n the film's refractive index at the PL peak (:func:`qdled.materials.
  refractive_index` "CsPbI3-QD", a measured nanocrystal film), r_ij = (L_i + L_j)/2 + 2 x ligand shell
  (:mod:`qdled.dots.film_environment`). Point dipoles (exact for the outside field of a uniformly polarised
  sphere; approximate for cubes at contact). Downhill transfer (E00_i >= E00_j, E00 = (E_abs + E_PL) / 2 the
  relaxed exciton) uses Foerster's overlap; uphill transfer is the downhill rate times exp(-dE00 / kT)
  (detailed balance; the Gaussian lines only approximately obey the Kennard-Stepanov relation).
* **Master equation over size classes, mean field**: every dot sits on a lattice (simple cubic for cubes) whose
  sites are filled independently from the size distribution; a dot of class i transfers to class j at
  S6 x w_j x k_ij, with S6 the lattice sum of (d/r)^6 over all sites (8.40 simple cubic). Back-transfer
  correlations and size correlations of the packing are neglected; against the exact master equation of an
  explicit random packing (tests/test_dots_film.py) the transfer shift agrees to ~4 %. dN/dt = M N + G is
  solved in closed form (steady state, and the decay from the eigenvectors of the detailed-balance-symmetrised M).
* **Sensitivity**: the default film makes ~12 hops per exciton, so the transfer shift is at 90 % of its
  thermal-equilibrium limit (2.75 nm for the default dots): insensitive to R0, n and kappa^2 (x 50 in the rates:
  +0.26 nm), but set by the inhomogeneous width (the dots' effective optical spread 0.137 nm; the TEM spread
  0.6 nm would give 13 nm).
* **Dielectric environment**: first-order polarisation (image-charge) energy of the exciton
  (:func:`qdled.dots.confinement.polarization_energy_eV`, Brus with a ligand shell) with the film beyond the shell
  (Maxwell Garnett of dots and ligands) minus that in hexane; a rigid per-size shift of absorption and PL. It
  takes the dot's permittivity of the confinement model's Coulomb term (10.2); the optical one (~5) would give
  less.
* **Reabsorption (slab estimate)**: absorption coefficient density x sum_j w_j sigma_j(E), single-pass absorbed
  share of an isotropic emitter in a slab of the QD layer's thickness
  (:func:`qdled.dots.film_environment.slab_absorbed_fraction`); absorbed photons become excitations of the
  absorbing class and go through the master equation again (the series of generations is one linear solve).
  Missing for the in-device version (optics): the emitted power per channel and wavelength (outcoupled,
  substrate, guided, plasmon) and the share of the trapped modes absorbed in the QD layer; recycling of guided
  light would add red shift and raise the EQE.
* **Order of the mechanisms** for the shift split: dielectric environment, then energy transfer, then
  reabsorption (each shift is the peak change it adds).

Code: pair rates and master equation in :mod:`qdled.dots.film_transfer`; shells, packing, permittivity, slab and
field in :mod:`qdled.dots.film_environment`; :func:`film_emission` here.

Voltage: the model gives the temperature dependence (``temperature_K``: uphill transfer is activated, so a warmer
film shifts less, -0.45 nm from 298 to 360 K; the band gap's own temperature coefficient is not modelled) and the
quadratic Stark shift of a field (:func:`qdled.dots.film_environment.stark_shift_eV`: -0.7 meV at 1e7 V/m,
-6 meV at 3e7 V/m for these dots). Both need the device's junction temperature and the field across the dots.

Nothing here is fitted to the EL. The dots' k_r and k_nr are calibrated to the paper's PLQY and its *film*
TRPL lifetime (:data:`qdled.dots.CALIBRATED`), so the film lifetime is not an independent prediction; its
change by energy transfer is.

References
----------
.. [1] Foerster, T. Zwischenmolekulare Energiewanderung und Fluoreszenz. Ann. Phys. 437, 55 (1948); practical
   form R0 = 0.211 (kappa^2 n^-4 Q J)^(1/6) Angstrom: Lakowicz, Principles of Fluorescence Spectroscopy, 3rd ed.
   (2006), ch. 13.
.. [2] Strickler, S. J. & Berg, R. A. J. Chem. Phys. 37, 814 (1962); Hilborn, R. C. Einstein coefficients, cross
   sections, f values, dipole moments, and all that. Am. J. Phys. 50, 982 (1982).
.. [3] Becker, M. A. et al. Bright triplet excitons in caesium lead halide perovskites. Nature 553, 189 (2018).
.. [4] Kagan, C. R., Murray, C. B. & Bawendi, M. G. Phys. Rev. B 54, 8633 (1996) (red shift, narrowing and
   lifetime changes from transfer within the inhomogeneous distribution of close-packed CdSe dot solids).
.. [5] Crooker, S. A., Hollingsworth, J. A., Tretiak, S. & Klimov, V. I. Phys. Rev. Lett. 89, 186802 (2002)
   (spectrally resolved transfer dynamics in dot assemblies; the master-equation picture used here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from qdled.dots import film_environment as env
from qdled.dots.calibration import CALIBRATED
from qdled.dots.confinement import BandParameters, polarization_energy_eV
from qdled.dots.film_transfer import (
    _KB_EV,
    EXCITON_DEGENERACY,
    KAPPA2_ISOTROPIC,
    ROOM_TEMPERATURE_K,
    _Ensemble,
    _ensemble,
    absorption_strength_eV_nm2,
    decay_curve,
    foerster_radius_nm,
    foerster_rate_per_s,
    rate_matrix,
    transfer_rates_per_s,
)
from qdled.dots.photophysics import REFERENCE_EDGE_NM, ligand_coverage
from qdled.dots.spectra import HOMOGENEOUS_FWHM_EV, ensemble_pl, size_distribution
from qdled.errors import InputError, require_finite_positive
from qdled.spectral import HC_EV_NM, Spectrum, voigt

__all__ = [
    "DECAY_TIME_NS",
    "EXCITON_DEGENERACY",
    "KAPPA2_ISOTROPIC",
    "ROOM_TEMPERATURE_K",
    "FilmResult",
    "absorption_strength_eV_nm2",
    "decay_curve",
    "film_emission",
    "foerster_radius_nm",
    "foerster_rate_per_s",
    "rate_matrix",
    "recipe_film",
    "synthesis_film",
    "transfer_rates_per_s",
]

#: Time grid of the film PL decay [ns].
DECAY_TIME_NS = np.linspace(0.0, 50.0, 501)
#: Size bins of a normal distribution (+/- 4 sd): the line is converged to < 0.01 nm in peak and FWHM.
N_BINS = 81
#: Step of the default output grid [nm] (the solution PL peak - 100 nm to + 150 nm).
GRID_STEP_NM = 0.1


@dataclass(frozen=True)
class FilmResult:
    """Film versus solution emission of a dot ensemble (:func:`film_emission`). Wavelengths [nm], times [ns].

    ``film_decay`` is the film's PL decay on ``decay_time_ns`` (1 at t = 0; reabsorption not included);
    ``film_lifetime_ns`` its amplitude-weighted mean lifetime, integral I dt / I(0) (for one exponential, its time
    constant), ``film_lifetime_intensity_ns`` the intensity-weighted one, integral t I dt / integral I dt.
    ``transfer_probability`` is the share of excitons that hop at least once (to any neighbour, same size
    included); ``hops_per_exciton`` the mean number of hops. ``shift_nm`` splits the red shift (film - solution
    PL peak) by mechanism, in the order dielectric -> energy transfer -> reabsorption; ``red_shift_nm`` also
    contains the (tiny) difference between the dilute limit of this model and :func:`qdled.dots.ensemble_pl`.
    ``reabsorbed_fraction``: share of the emitted photons absorbed in the slab on the first pass;
    ``escape_ratio``: photons escaping with recycling per photon emitted without reabsorption.
    """

    wavelength_nm: np.ndarray
    film_pl: Spectrum
    solution_pl: Spectrum
    solution_peak_nm: float
    solution_fwhm_nm: float
    film_peak_nm: float
    film_fwhm_nm: float
    red_shift_nm: float
    shift_nm: MappingProxyType
    solution_lifetime_ns: float
    film_lifetime_ns: float
    film_lifetime_intensity_ns: float
    solution_plqy: float
    film_plqy: float
    transfer_probability: float
    hops_per_exciton: float
    forster_radius_nm: float
    centre_distance_nm: float
    shell_nm: float
    refractive_index: float
    eps_film: float
    reabsorbed_fraction: float
    escape_ratio: float
    decay_time_ns: np.ndarray
    film_decay: np.ndarray
    parameters: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def film_pl_on(self, wavelength_nm) -> Spectrum:
        """The film PL (max 1) interpolated onto ``wavelength_nm`` (e.g. the optics' 81-point grid), zero outside
        the computed range."""
        grid = np.asarray(wavelength_nm, dtype=float)
        return Spectrum(grid, np.interp(grid, self.wavelength_nm, self.film_pl.intensity, left=0.0, right=0.0))

    @property
    def narrowing_nm(self) -> float:
        """Solution FWHM - film FWHM [nm] (positive: the film line is narrower)."""
        return self.solution_fwhm_nm - self.film_fwhm_nm

    def to_dict(self) -> dict:
        """Scalars and the shift split as plain Python numbers (for ``--json``)."""
        out = {k: v for k, v in self.__dict__.items() if isinstance(v, float)}
        out["narrowing_nm"] = self.narrowing_nm
        out["shift_nm"] = dict(self.shift_nm)
        out["parameters"] = dict(self.parameters)
        return out


def film_emission(
    edge_nm=REFERENCE_EDGE_NM,
    sd_nm: float | None = None,
    ligands="NSA-NH4PF6",
    *,
    weight=None,
    method: str = "kane",
    shell_nm: float | None = None,
    packing: str = "simple-cubic",
    refractive_index: float | None = None,
    kappa2: float = KAPPA2_ISOTROPIC,
    temperature_K: float = ROOM_TEMPERATURE_K,
    thickness_nm: float | None = None,
    eps_solvent: float = env.EPS_HEXANE,
    dielectric: bool = True,
    reabsorption: bool = True,
    wavelength_nm=None,
) -> FilmResult:
    """PL of a close-packed film of the dots against their solution PL (model in the module docstring).

    Parameters
    ----------
    edge_nm, sd_nm, weight
        Size distribution (:func:`qdled.dots.size_distribution`); a scalar ``edge_nm`` without ``sd_nm`` or
        ``weight`` takes the calibrated effective spread (as :func:`qdled.dots.summarize`).
    ligands
        "NSA-NH4PF6", "OA/OAm" or a tuple of ligand names: coverage (k_nr) and shell thickness.
    shell_nm
        Ligand shell thickness [nm] per dot (default from ``ligands``, :func:`.film_environment.shell_thickness_nm`);
        a large value is the dilute limit.
    packing
        "simple-cubic" (cubes face to face, default) or "fcc".
    refractive_index
        Film index for the Foerster rate and the Einstein relation; default n of "CsPbI3-QD" at the solution peak.
    kappa2, temperature_K
        Orientation factor (2/3) and temperature (detailed balance).
    thickness_nm
        QD layer thickness for reabsorption; default that of the built-in stack (35 nm).
    eps_solvent
        Permittivity of the solvent of the reference solution (hexane 1.89).
    dielectric, reabsorption
        Switch the two mechanisms off (energy transfer is switched off by a large ``shell_nm``).
    wavelength_nm : array, optional
        Output grid [nm]; default the solution PL peak - 100 nm to + 150 nm in :data:`GRID_STEP_NM` steps.

    Returns
    -------
    FilmResult
    """
    if isinstance(ligands, str) and ligands not in ("NSA-NH4PF6", "OA/OAm"):
        raise InputError(f"ligands must be 'NSA-NH4PF6', 'OA/OAm' or a tuple of ligand names, got {ligands!r}")
    if weight is None and sd_nm is None and np.ndim(edge_nm) == 0:
        sd_nm = CALIBRATED["effective_sd_nm"].value
    edges, w = size_distribution(edge_nm, weight, sd_nm=sd_nm, n_bins=N_BINS)
    edges, w = edges[w > 0], w[w > 0]
    t_k = require_finite_positive("temperature_K", temperature_K)
    if not 0 <= kappa2 <= 4:
        raise InputError(f"kappa2 must be in [0, 4], got {kappa2!r}")
    lattice_sum, density = env.packing_constants(packing)
    shell = env.shell_thickness_nm(ligands if shell_nm is None else float(shell_nm))
    names = ligands if isinstance(ligands, str) else tuple(ligands)
    theta = ligand_coverage(names)
    if wavelength_nm is None:  # the dots' PL peak - 100 nm to + 150 nm in 0.1 nm steps
        centre = float(np.round(ensemble_pl(edges, w, method=method).peak_nm))
        grid_nm = np.round(np.arange(centre - 100.0, centre + 150.0 + 1e-9, GRID_STEP_NM), 10)
    else:
        grid_nm = np.asarray(wavelength_nm, dtype=float)
    solution = ensemble_pl(edges, w, method=method, wavelength_nm=grid_nm)
    if refractive_index is None:
        from qdled.materials import refractive_index as _n

        refractive_index = float(np.real(_n("CsPbI3-QD", solution.peak_nm)))
    n_film = require_finite_positive("refractive_index", refractive_index)
    mean_edge = float(np.sum(w * edges))
    d_mean = mean_edge + 2.0 * shell
    eps_film = float(
        env.maxwell_garnett(
            BandParameters().dielectric, env.EPS_LIGAND, env.volume_fraction(mean_edge, d_mean, packing)
        )
    )
    fwhm = HOMOGENEOUS_FWHM_EV

    # dielectric shift per size: film (effective medium beyond the shell) minus solvent, interpolated in 1/L
    if dielectric:
        probe = np.linspace(edges.min(), edges.max(), 5)
        d_e = [
            polarization_energy_eV(x, eps_film, shell_nm=shell, eps_shell=env.EPS_LIGAND, method=method)
            - polarization_energy_eV(x, eps_solvent, shell_nm=shell, eps_shell=env.EPS_LIGAND, method=method)
            for x in probe
        ]
        shift = np.interp(edges, probe, d_e)
    else:
        shift = 0.0
    base = _ensemble(edges, w, method=method, theta=theta, shift_eV=0.0, fwhm_eV=fwhm)
    ens = _ensemble(edges, w, method=method, theta=theta, shift_eV=shift, fwhm_eV=fwhm, grid=base.grid)
    decay = ens.k_r + ens.k_nr
    g0 = ens.generation

    e_out = HC_EV_NM / grid_nm
    base_out, ens_out = voigt(e_out, base.e_pl, fwhm), voigt(e_out, ens.e_pl, fwhm)

    def spectrum(lines, emission_per_class, factor=1.0) -> Spectrum:
        return Spectrum(grid_nm, factor * (emission_per_class @ lines) * e_out**2)  # per nm: E^2 / hc Jacobian

    # 1) dilute limit (no transfer, solvent), 2) + dielectric, 3) + energy transfer, 4) + reabsorption
    dilute = spectrum(base_out, base.k_r * g0 / (base.k_r + base.k_nr))
    diel = spectrum(ens_out, ens.k_r * g0 / decay)
    k_pair = transfer_rates_per_s(ens, shell_nm=shell, refractive_index=n_film, kappa2=kappa2, temperature_K=t_k)
    m = rate_matrix(ens.weight, k_pair, decay, lattice_sum)
    inv = np.linalg.inv(-m)  # column k: time-integrated populations per exciton created in class k
    pops = inv @ g0
    transfer = spectrum(ens_out, ens.k_r * pops)

    # reabsorption in a slab (single pass per generation, re-emission through the same master equation)
    thick = _qd_thickness_nm() if thickness_nm is None else require_finite_positive("thickness_nm", thickness_nm)
    strength = (density / d_mean**3) * ens.weight * absorption_strength_eV_nm2(ens.k_r, ens.e_abs, n_film)

    def absorbed(lines):  # absorbed share in the slab and the share of each class, on the lines' grid
        per_class = strength[:, None] * lines  # 1/nm
        alpha = per_class.sum(axis=0)
        p = env.slab_absorbed_fraction(alpha, thick) if reabsorption else np.zeros_like(alpha)
        return p, per_class / np.maximum(alpha, 1e-300)

    p_abs, share = absorbed(ens.abs_lines)
    de = ens.grid[1] - ens.grid[0]
    per_class = ens.pl_lines.T @ (ens.k_r[:, None] * inv)  # (grid, class): emission per eV per exciton created
    recycle = (share * p_abs * de) @ per_class  # [j, k]: excitons created in j per exciton created in k
    g_total = np.linalg.solve(np.eye(g0.size) - recycle, g0)
    first_pass = per_class @ g0
    p_abs_out, _ = absorbed(voigt(e_out, ens.e_abs, fwhm))
    film = spectrum(ens_out, ens.k_r * (inv @ g_total), 1.0 - p_abs_out).normalised()
    p_dilute, p_diel, p_transfer = dilute.peak_nm, diel.peak_nm, transfer.peak_nm
    out_rate = lattice_sum * (k_pair @ ens.weight)
    k_r_n = ens.k_r @ pops
    r0 = _homo_r0(ens, n_film, kappa2, mean_edge)
    return FilmResult(
        wavelength_nm=grid_nm,
        film_pl=film,
        solution_pl=solution,
        solution_peak_nm=solution.peak_nm,
        solution_fwhm_nm=solution.fwhm_nm,
        film_peak_nm=film.peak_nm,
        film_fwhm_nm=film.fwhm_nm,
        red_shift_nm=film.peak_nm - solution.peak_nm,
        shift_nm=MappingProxyType(
            {
                "dielectric": p_diel - p_dilute,
                "energy_transfer": p_transfer - p_diel,
                "reabsorption": film.peak_nm - p_transfer,
            }
        ),
        solution_lifetime_ns=1e9 * float(np.sum(base.k_r * g0 / (base.k_r + base.k_nr)) / np.sum(base.k_r * g0)),
        film_lifetime_ns=1e9 * float(k_r_n / (ens.k_r @ g0)),
        film_lifetime_intensity_ns=1e9 * float((ens.k_r @ (inv @ pops)) / k_r_n),
        solution_plqy=float(np.sum(base.k_r * g0 / (base.k_r + base.k_nr))),
        film_plqy=float(k_r_n),
        transfer_probability=float(np.sum(g0 * out_rate / (out_rate + decay))),
        hops_per_exciton=float(out_rate @ pops),
        forster_radius_nm=r0,
        centre_distance_nm=d_mean,
        shell_nm=shell,
        refractive_index=n_film,
        eps_film=eps_film,
        reabsorbed_fraction=float(np.sum(first_pass * p_abs) / np.sum(first_pass)),
        escape_ratio=float(np.sum((1.0 - p_abs) * (per_class @ g_total)) / np.sum(first_pass)),
        decay_time_ns=DECAY_TIME_NS,
        film_decay=decay_curve(
            m, g0, ens.k_r, ens.weight * np.exp(-(ens.e00 - ens.e00.min()) / (_KB_EV * t_k)), DECAY_TIME_NS
        ),
        parameters=MappingProxyType(
            {
                "kappa2": kappa2,
                "packing": packing,
                "lattice_sum": lattice_sum,
                "temperature_K": t_k,
                "thickness_nm": thick,
                "eps_solvent": eps_solvent,
                "eps_ligand": env.EPS_LIGAND,
                "mean_edge_nm": mean_edge,
            }
        ),
    )


def synthesis_film(result, route: str = "NH4PF6", **kwargs) -> FilmResult:
    """:func:`film_emission` of the dots of a synthesis run: its final mean edge with the calibrated effective
    optical spread (as the ``pl_peak_nm`` of :func:`qdled.dots.summarize_synthesis`) and the ligand shell of its route
    (:func:`qdled.dots.summary.synthesis_ligands`). The film PL on the hand-off grid is
    ``synthesis_film(result, route).film_pl_on(qdled.dots.summary.HANDOFF_GRID_NM)``.

    Parameters
    ----------
    result : SynthesisResult
        Needs ``mean_edge_nm`` [nm] and ``nsa_mmol``.
    route : str
        Purification route, "NH4PF6" or "OA/OAm".
    **kwargs
        Passed to :func:`film_emission`.
    """
    from qdled.dots.summary import synthesis_ligands

    ligands = synthesis_ligands(route, float(result.nsa_mmol))
    return film_emission(float(result.mean_edge_nm), ligands=ligands, **kwargs)


def recipe_film(recipe: str) -> FilmResult:
    """:func:`synthesis_film` of ``recipe`` (built-in name or TOML path) simulated with the default synthesis
    parameters (:func:`qdled.synthesis.simulate`) and purified by its own route. Its
    ``film_pl_on(qdled.dots.HANDOFF_GRID_NM)`` is the emission the device chain hands to the optics."""
    from qdled.io.recipe import load_recipe
    from qdled.synthesis import simulate

    rec = load_recipe(recipe)
    return synthesis_film(simulate(rec), rec.purification.route)


def _homo_r0(ens: _Ensemble, n_film: float, kappa2: float, edge_nm: float) -> float:
    """Foerster radius of a pair of mean-size dots (reported, not used by the solver)."""
    i = int(np.argmin(np.abs(ens.edge_nm - edge_nm)))
    wl = HC_EV_NM / ens.grid[::-1]
    pl = ens.pl_lines[i][::-1] * ens.grid[::-1] ** 2
    sigma = (absorption_strength_eV_nm2(ens.k_r[i], ens.e_abs[i], n_film) * ens.abs_lines[i])[::-1]
    q = ens.k_r[i] / (ens.k_r[i] + ens.k_nr)
    return foerster_radius_nm(wl, pl, sigma, donor_plqy=q, refractive_index=n_film, kappa2=kappa2)


def _qd_thickness_nm() -> float:
    """Thickness of the emitting layer of the built-in stack (35 nm)."""
    from qdled.io.stack import default_stack

    stack = default_stack()
    return float(next(layer.thickness_nm for layer in stack.layers if getattr(layer, "emitter", False)))
