"""Run a recipe through the population balance: nucleation to the end of purification.

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError
from qdled.materials.cspbi3 import MOLAR_VOLUME_M3_PER_MOL
from qdled.synthesis import kinetics as kin
from qdled.synthesis import ligands as lig
from qdled.synthesis import pbe
from qdled.synthesis.parameters import CALIBRATED, SynthesisParameters
from qdled.synthesis.purification import bare_fraction
from qdled.synthesis.timeline import Stage, build_timeline

#: Smallest edge counted in size statistics [nm]: clusters below ~1.5 nm are not resolved as
#: dots in TEM (and hold a negligible share of the material at the end of a run).
COUNT_EDGE_MIN_NM = 1.5

#: Radius grid limits [m]. The lowest face is the equal-volume radius of one CsPbI3 formula
#: unit, (3 Vm / (4 pi N_A))^(1/3) = 0.39 nm: nothing smaller is a particle, and the Gibbs-Thomson
#: dissolution rate of sub-unit "clusters" (exp(l_cap / r) > 1e16 at room temperature) only
#: makes the system needlessly stiff. The upper face lies above the largest dot.
R_MIN_M = float((3.0 * MOLAR_VOLUME_M3_PER_MOL / (4.0 * np.pi * kin.N_A)) ** (1.0 / 3.0))
R_MAX_M = 8.0e-9

#: Allowed number of radius bins: below 50 the log grid (0.39-8 nm) is coarser than ~6 % per bin and
#: the mean size moves by > 0.05 nm; above 10000 a run takes minutes and gains nothing (0.01 nm at 400).
N_BINS_MIN, N_BINS_MAX = 50, 10000


def check_n_bins(n_bins, name: str = "n_bins") -> int:
    """``n_bins`` as int, or :class:`InputError` naming ``name`` (the CLI passes ``"--bins"``)."""
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)):
        raise InputError(f"{name} must be an integer, got {n_bins!r}")
    if not N_BINS_MIN <= n_bins <= N_BINS_MAX:
        raise InputError(f"{name} must be in {N_BINS_MIN}..{N_BINS_MAX}, got {n_bins}")
    return int(n_bins)


def check_nsa_mmol(nsa_mmol, name: str = "nsa_mmol") -> float:
    """An NSA dose override [mmol] within the recipe's bounds (0 to ``MAX_NSA_MMOL``), or :class:`InputError`."""
    from qdled.errors import require_finite_positive
    from qdled.io.recipe import MAX_NSA_MMOL

    v = require_finite_positive(name, nsa_mmol, allow_zero=True)
    if v > MAX_NSA_MMOL:
        raise InputError(
            f"{name} must be <= {MAX_NSA_MMOL:g} mmol (the paper's doses are 0-0.8 mmol; see "
            f"qdled.io.recipe.MAX_NSA_MMOL), got {nsa_mmol!r}"
        )
    return v


@dataclass(frozen=True)
class SynthesisResult:
    """Outcome of :func:`simulate` (edge lengths of equal-volume cubes, see :mod:`.kinetics`).

    Attributes
    ----------
    edge_nm : (n_bins,) bin-centre edge lengths [nm].
    snapshot_time_s : (k,) times of the snapshots [s] (end of every stage, and during growth).
    snapshot_label : (k,) stage name of each snapshot.
    number_per_m3 : (k, n_bins) particles per m^3 of solution in each bin.
    time_s, monomer_mol_m3, temperature_C, mean_edge_t_nm, sd_edge_t_nm : (m,) histories.
    mean_edge_nm, sd_edge_nm : final number mean and standard deviation [nm].
    synthesis_mean_edge_nm, synthesis_sd_edge_nm : the same at the end of the quench (before purification).
    yield_fraction : share of the limiting element (Cs or Pb) in dots >= COUNT_EDGE_MIN_NM at the end.
    mass_balance_error : max relative drift of total CsPbI3 (monomer + particles).
    stages : the time line.
    calibrated : names of the fitted parameters used.
    """

    recipe_name: str
    nsa_mmol: float
    edge_nm: np.ndarray
    snapshot_time_s: np.ndarray
    snapshot_label: tuple
    number_per_m3: np.ndarray
    time_s: np.ndarray
    monomer_mol_m3: np.ndarray
    temperature_C: np.ndarray
    mean_edge_t_nm: np.ndarray
    sd_edge_t_nm: np.ndarray
    mean_edge_nm: float
    sd_edge_nm: float
    synthesis_mean_edge_nm: float
    synthesis_sd_edge_nm: float
    yield_fraction: float
    mass_balance_error: float
    stages: tuple
    calibrated: tuple = tuple(CALIBRATED)


def edge_statistics(number, edge_nm, edge_min_nm: float = COUNT_EDGE_MIN_NM):
    """Number-weighted mean and sd of the edge length [nm] over bins with edge >= ``edge_min_nm``.

    ``number`` may be (n_bins,) or (k, n_bins); negative round-off values count as 0.
    """
    n = np.clip(np.asarray(number, dtype=float), 0.0, None) * (np.asarray(edge_nm) >= edge_min_nm)
    tot = n.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (n * edge_nm).sum(axis=-1) / tot
        var = (n * edge_nm**2).sum(axis=-1) / tot - mean**2
    return mean, np.sqrt(np.clip(var, 0.0, None))


def _ligand_amounts_mmol(recipe, params: SynthesisParameters) -> dict:
    p, c = recipe.precursors, recipe.cs_oleate
    oa_ml = p.OA_mL + c.OA_mL * c.injected_mL / (c.ODE_mL + c.OA_mL)
    return {
        "OA": 1e3 * oa_ml * params.oa_g_per_mL / params.oa_g_per_mol,
        "OAm": 1e3 * p.OAm_mL * params.oam_g_per_mL / params.oam_g_per_mol,
    }


def _environment(stage: Stage, params: SynthesisParameters, base_mmol: dict, nsa0_mmol: float, volume_m3: float):
    """``env(t, area) -> Rates`` for one stage."""
    e = dict(params.binding_energy_eV)
    to_conc = 1e-3 / volume_m3
    jn0 = 10.0**params.log10_nucleation_prefactor_m3_s
    tref = params.reference_temperature_K
    solubility_factor = params.purification_solubility_factor if stage.strip else 1.0

    def env(t_s: float, area_m2_m3: float) -> pbe.Rates:
        temp = stage.temperature_K(t_s)
        nsa = nsa0_mmol + stage.nsa_rate_mmol_s * (t_s - stage.t_start_s)
        amounts = {k: v * to_conc for k, v in base_mmol.items()}
        amounts["NSA"], amounts["PF6"] = nsa * to_conc, stage.pf6_mmol * to_conc
        sites = params.site_density_m2 * area_m2_m3 / kin.N_A
        theta = lig.coverage(amounts, sites, e, temp)
        bare = 0.0
        if stage.strip:
            pf6_free = max(amounts["PF6"] - theta["PF6"] * sites, 0.0) / sites if sites > 0 else 0.0
            bare = bare_fraction(theta, params.strip_fraction, pf6_free)
        factor = lig.rate_factor(theta, e, temp, bare_fraction=bare, bare_weight=params.bare_weight)
        return pbe.Rates(
            temperature_K=temp,
            gamma_J_m2=lig.surface_energy_J_m2(params.gamma_ref_J_m2, theta, temp, params.site_density_m2),
            rate_constant_m_s=float(
                kin.arrhenius(params.rate_constant_ref_m_s, params.rate_activation_J_mol, temp, tref)
            )
            * factor,
            diffusion_m2_s=float(
                kin.stokes_einstein_diffusion(params.diffusion_ref_m2_s, params.viscosity_activation_J_mol, temp, tref)
            ),
            solubility_mol_m3=solubility_factor
            * float(kin.arrhenius(params.solubility_ref_mol_m3, params.solubility_enthalpy_J_mol, temp, tref)),
            nucleation_prefactor_m3_s=jn0,
            nucleation_gamma_J_m2=params.gamma_ref_J_m2,
        )

    return env


def simulate(
    recipe=None,
    *,
    nsa_mmol: float | None = None,
    params: SynthesisParameters | None = None,
    n_bins: int = 400,
    purify: bool = True,
    rtol: float = 1e-3,
    points_per_stage: int = 25,
) -> SynthesisResult:
    """Simulate a hot-injection synthesis (and purification) of CsPbI3 dots.

    Parameters
    ----------
    recipe : qdled.io.recipe.Recipe or str or None
        Recipe object, built-in name or TOML path (None -> ``li2024-nsa-pf6``).
    nsa_mmol : float, optional
        Override of the NSA amount [mmol] (the paper's dose series: 0-0.8 mmol; at most
        :data:`qdled.io.recipe.MAX_NSA_MMOL`). A dose of exactly 0 means no
        injection step at all (the paper's control), so the limit dose -> 0+ differs from 0 by the 5 s
        injection pause itself (+0.05 nm).
    params : SynthesisParameters, optional
        Model constants (default: cited, assumed and calibrated values).
    n_bins : int
        Number of radius bins (log grid, 0.39-8 nm; ``N_BINS_MIN``-``N_BINS_MAX`` = 50-10000). At the default
        400 the mean size is converged to ~0.01 nm but the size spread is 5-8 % too wide (NSA-NH4PF6: sd
        0.81 nm at 400 bins, 0.77 nm at 3200); the calibration was done at 400 bins.
    purify : bool
        Include the purification stage.
    rtol : float
        Relative tolerance of the BDF integrator.
    points_per_stage : int
        Output times per stage for the histories.

    Returns
    -------
    SynthesisResult
    """
    from qdled.io.recipe import Recipe, load_recipe

    if not isinstance(recipe, Recipe):
        recipe = load_recipe(recipe)
    n_bins = check_n_bins(n_bins)
    if nsa_mmol is not None:
        nsa_mmol = check_nsa_mmol(nsa_mmol)
    params = params or SynthesisParameters()
    stages = build_timeline(recipe, params, nsa_mmol=nsa_mmol, purify=purify)
    grid = pbe.log_grid(n_bins, R_MIN_M, R_MAX_M)
    volume_m3 = recipe.volume_mL * 1e-6
    c0 = 1e-3 * min(recipe.cs_mmol, recipe.pb_mmol) / volume_m3
    base = _ligand_amounts_mmol(recipe, params)
    y = np.zeros(grid.n_bins + 1)
    y[-1] = c0
    nsa_amount = 0.0
    ts, ys, temps, snaps, labels, snap_t = [], [], [], [], [], []
    removed_rows = []
    removed = 0.0  # free monomer discarded with the supernatant at the start of purification [mol/m^3]
    for stage in stages:
        if stage.strip:  # first centrifugation removes the unreacted precursor (Methods of [1])
            removed, y = y[-1], np.append(y[:-1], 0.0)
        env = _environment(stage, params, base, nsa_amount, volume_m3)
        if stage.name == "growth":
            t_eval = np.concatenate([[0.0], np.geomspace(1e-4, stage.t_end_s, points_per_stage)])
        else:
            t_eval = np.linspace(stage.t_start_s, stage.t_end_s, points_per_stage)
        t, yy = pbe.integrate(
            grid,
            y,
            (stage.t_start_s, stage.t_end_s),
            env,
            params.molar_volume_m3_mol,
            t_eval=t_eval,
            rtol=rtol,
            atol=1e-9 * c0,
        )
        ts.append(t)
        ys.append(yy)
        removed_rows.append(np.full(len(t), removed))
        temps.append([stage.temperature_K(x) - 273.15 for x in t])
        picks = [len(t) // 4, len(t) // 2, len(t) - 1] if stage.name == "growth" else [len(t) - 1]
        snaps.extend(yy[i] for i in picks)
        labels.extend(stage.name for _ in picks)
        snap_t.extend(float(t[i]) for i in picks)
        y = yy[-1]
        nsa_amount += stage.nsa_rate_mmol_s * stage.duration_s
    t_all, y_all = np.concatenate(ts), np.vstack(ys)
    # the grid has no outflow at R_MAX_M: dots growing past it would pile up in the last bins
    top = max(1, grid.n_bins // 50)
    material = np.clip(y_all[:, :-1], 0.0, None)
    top_share = float(np.max(material[:, -top:].sum(axis=1) / np.maximum(material.sum(axis=1), 1e-300)))
    if top_share > 1e-6:
        raise InputError(
            f"dots outgrow the size grid (edge > {kin.edge_from_radius(grid.edges_m[-top]) * 1e9:.1f} nm holds "
            f"{top_share:.1e} of the material): recipe '{recipe.name}' is outside the modelled range "
            f"(grid up to R_MAX_M = {R_MAX_M * 1e9:g} nm radius)"
        )
    to_number = params.molar_volume_m3_mol / grid.volumes_m3
    edge_nm = kin.edge_from_radius(grid.centres_m) * 1e9
    number = y_all[:, :-1] * to_number
    mean_t, sd_t = edge_statistics(number, edge_nm)
    end_synth = sum(len(t) for t, s in zip(ts, stages, strict=False) if s.name != "purification") - 1
    if not (np.isfinite(mean_t[-1]) and np.isfinite(mean_t[end_synth])):
        raise InputError(
            f"recipe '{recipe.name}': no dots of edge >= {COUNT_EDGE_MIN_NM} nm remain (Pb {recipe.pb_mmol:.3g} mmol, "
            f"Cs {recipe.cs_mmol:.3g} mmol in {recipe.volume_mL:.3g} mL): outside the modelled range"
        )
    total = y_all.sum(axis=1) + np.concatenate(removed_rows)  # removed monomer kept in the balance
    counted = edge_nm >= COUNT_EDGE_MIN_NM
    snap_number = np.array(snaps)[:, :-1] * to_number
    return SynthesisResult(
        recipe_name=recipe.name,
        nsa_mmol=float(recipe.nsa.amount_mmol if nsa_mmol is None else nsa_mmol),
        edge_nm=edge_nm,
        snapshot_time_s=np.array(snap_t),
        snapshot_label=tuple(labels),
        number_per_m3=snap_number,
        time_s=t_all,
        monomer_mol_m3=y_all[:, -1],
        temperature_C=np.concatenate(temps),
        mean_edge_t_nm=mean_t,
        sd_edge_t_nm=sd_t,
        mean_edge_nm=float(mean_t[-1]),
        sd_edge_nm=float(sd_t[-1]),
        synthesis_mean_edge_nm=float(mean_t[end_synth]),
        synthesis_sd_edge_nm=float(sd_t[end_synth]),
        yield_fraction=float(y_all[-1, :-1][counted].sum() / c0),
        mass_balance_error=float(np.max(np.abs(total / c0 - 1.0))),
        stages=stages,
    )
