"""Ligand binding energies on the periodic CsPbI3 (100) slab with GFN-xTB (tblite under PBC, ASE).

Definition (ion-pair substitution of a surface CsI pair, refs. [1], [2]; structures in
:mod:`qdled.binding.slab`)::

    E_bind = E(slab - CsI) + E(C+X- pair, gas) - E(slab - CsI + C+X-)

positive when binding is favourable, in eV. Every system is neutral (no charged periodic
cells). ``slab - CsI`` is the CsI-terminated slab with one surface Cs+ and the apical I-
above one Pb removed; the pair puts its anion on that Pb and its cation on the empty A-site.
The gas-phase pair is relaxed alone, non-periodic, starting from its geometry on the surface.

Protocol: the vacancy slab and the complex are relaxed with ASE's BFGS to
``fmax_eV_per_A`` with every plane below the top CsI plane fixed (FixAtoms); the top plane and
the pair move. tblite evaluates the periodic cell at the Gamma point only (it has no k-point
sampling), so Brillouin-zone convergence is checked through Gamma-point supercells: a 2x2
surface cell at Gamma samples the 1x1 cell's 2x2x1 k-mesh, 3x3 its 3x3x1 mesh.

Convergence (:func:`frozen_pair_binding_energy`): the relaxed pair, frozen, is put on ideal
(unrelaxed) vacancy slabs of 3, 5, 7 planes and of 2x2 and 3x3 cells, and lifted far above
the surface (the isolated-molecule limit, E_bind -> 0); the differences measure slab
thickness, lateral size / k-point and image effects on the same adsorbate.

References
----------
.. [1] ten Brinck, S. & Infante, I. ACS Energy Lett. 1, 1266 (2016).
.. [2] Bodnarchuk, M. I. et al. ACS Energy Lett. 4, 63 (2019).
.. [3] Bannwarth, C., Ehlert, S. & Grimme, S. J. Chem. Theory Comput. 15, 1652 (2019) (GFN2-xTB);
   Grimme, S., Bannwarth, C. & Shushkov, P. J. Chem. Theory Comput. 13, 1989 (2017) (GFN1-xTB);
   tblite, https://github.com/tblite/tblite.
.. [4] Li, Y. et al. Nat. Commun. 15, 5696 (2024) (DFT binding energies, validation only).
"""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.constraints import FixAtoms

from qdled.errors import InputError, require_finite_positive

from . import slab as slabmod
from .cache import cache_key, load_cached, store_cached

#: Bumped whenever structures or the protocol change, so that old cache entries are not reused.
SLAB_MODEL_VERSION = 1
METHODS = ("GFN2-xTB", "GFN1-xTB")
SLAB_SHIPPED_FILE = "slab_binding_energies.json"
#: Atomic planes of the shipped production slab (CsI/PbI2/CsI; thicker slabs enter as frozen-pair corrections).
DEFAULT_SLAB_LAYERS = 3


@dataclass(frozen=True)
class SlabSettings:
    """Everything that defines one slab calculation (hashed for the disk cache)."""

    ligand: str
    n_layers: int = DEFAULT_SLAB_LAYERS
    lateral: int = 2
    method: str = "GFN2-xTB"
    fmax_eV_per_A: float = 0.05
    max_steps: int = 300
    vacuum_A: float = 25.0
    electronic_temperature_K: float = 300.0


@dataclass(frozen=True)
class SlabResult:
    """Binding energy of one ion pair on the slab, with energies, geometry and timing."""

    ligand: str
    binding_energy_eV: float
    energy_complex_eV: float
    energy_site_eV: float
    energy_pair_eV: float
    pair_model: str
    site_formula: str
    complex_formula: str
    pb_anion_distance_A: float
    cation_shift_A: float
    n_steps: int
    converged: bool
    cpu_s: float
    wall_s: float
    pair_symbols: str
    pair_positions_rel_A: list = field(repr=False)
    settings: SlabSettings = field(default_factory=lambda: SlabSettings("OAm"))
    tblite_version: str = ""
    cache_key: str = ""

    def to_dict(self) -> dict:
        """Plain-dict form (JSON-serialisable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SlabResult":
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "settings": SlabSettings(**data["settings"])})


#: SCF settings tried in turn when the tblite SCF fails at some geometry (they change the path to
#: self-consistency, not the converged energy).
SCF_FALLBACKS = (
    {},
    {"mixer_damping": 0.1, "max_iterations": 1000},
    {"mixer_damping": 0.05, "max_iterations": 2000, "guess": "eeq"},
)


def _calc(method: str, temperature_K: float, scf: int = 0):
    """tblite calculator (neutral, closed shell) with SCF settings ``SCF_FALLBACKS[scf]``."""
    from tblite.ase import TBLite

    return TBLite(
        method=method,
        charge=0,
        multiplicity=1,
        verbosity=0,
        electronic_temperature=temperature_K,
        **SCF_FALLBACKS[scf],
    )


def _single_point(atoms: Atoms, method: str, temperature_K: float = 300.0) -> float:
    """Energy [eV], trying the :data:`SCF_FALLBACKS` settings in turn if the SCF fails."""
    from ase.calculators.calculator import CalculationFailed

    for k in range(len(SCF_FALLBACKS)):
        atoms.calc = _calc(method, temperature_K, scf=k)
        try:
            return float(atoms.get_potential_energy())
        except CalculationFailed:
            if k == len(SCF_FALLBACKS) - 1:
                raise
    raise AssertionError("unreachable")


def _relax(atoms: Atoms, s: SlabSettings) -> tuple[float, int, bool]:
    """BFGS to ``s.fmax_eV_per_A`` (constraints on ``atoms``); on an SCF failure continue with the next
    :data:`SCF_FALLBACKS` setting. Returns energy, steps, converged."""
    from ase.calculators.calculator import CalculationFailed
    from ase.optimize import BFGS

    opt = BFGS(atoms, logfile=None)
    for k in range(len(SCF_FALLBACKS)):
        atoms.calc = _calc(s.method, s.electronic_temperature_K, scf=k)
        try:
            converged = bool(opt.run(fmax=s.fmax_eV_per_A, steps=max(s.max_steps - opt.nsteps, 1)))
            break
        except CalculationFailed:
            if k == len(SCF_FALLBACKS) - 1:
                raise
    return float(atoms.get_potential_energy()), int(opt.nsteps), converged


def _validate(ligand: str, n_layers: int, lateral: int, method: str) -> None:
    slabmod.pair_spec(ligand)
    if n_layers not in slabmod.SLAB_LAYERS:
        raise InputError(f"n_layers must be one of {slabmod.SLAB_LAYERS}, got {n_layers!r}")
    if lateral not in (2, 3):
        raise InputError(f"lateral must be 2 or 3 for a pair on the slab, got {lateral!r}")
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")


def relaxed_site(settings: SlabSettings, use_cache: bool = True, cache_dir=None) -> tuple[slabmod.SlabSite, dict]:
    """The vacancy slab relaxed (top plane free), cached; returns the site and {energy, steps, times}."""
    site = slabmod.vacancy_site(settings.n_layers, settings.lateral, settings.vacuum_A)
    inputs = {**asdict(settings), "ligand": None, "kind": "slab-site", "model_version": SLAB_MODEL_VERSION}
    key = cache_key({**inputs, "tblite": version("tblite")})
    cached = load_cached(key, cache_dir) if use_cache else None
    atoms = site.atoms.copy()
    if cached is None:
        atoms.set_constraint(FixAtoms(mask=list(site.fixed)))
        t0, c0 = time.perf_counter(), time.process_time()
        e, n, conv = _relax(atoms, settings)
        cached = {
            "energy_eV": e,
            "n_steps": n,
            "converged": conv,
            "cpu_s": time.process_time() - c0,
            "wall_s": time.perf_counter() - t0,
            "positions_A": atoms.get_positions().tolist(),
        }
        store_cached(key, cached, cache_dir)
    atoms.set_positions(np.array(cached["positions_A"]))
    atoms.set_constraint()
    return slabmod.SlabSite(**{**asdict_site(site), "atoms": atoms}), cached


def asdict_site(site: slabmod.SlabSite) -> dict:
    """The fields of a :class:`SlabSite` as a dict (shallow; atoms not copied)."""
    return {k: getattr(site, k) for k in site.__dataclass_fields__}


def _compute(s: SlabSettings, key: str, use_cache: bool, cache_dir) -> SlabResult:
    spec = slabmod.pair_spec(s.ligand)
    site, site_rec = relaxed_site(s, use_cache, cache_dir)
    t0, c0 = time.perf_counter(), time.process_time()
    cplx = slabmod.place_pair(site, s.ligand)
    n_site = len(site.atoms)
    start_cation = cplx.positions[n_site].copy()
    cplx.set_constraint(FixAtoms(mask=list(site.fixed) + [False] * (len(cplx) - n_site)))
    e_cplx, n_cplx, c_cplx = _relax(cplx, s)
    pair = Atoms(cplx.get_chemical_symbols()[n_site:], positions=cplx.positions[n_site:])
    e_pair, n_pair, c_pair = _relax(pair, s)  # non-periodic gas-phase pair
    n_cat = len(spec.cation())
    anion = cplx.positions[n_site + n_cat :]
    k = slabmod.structures.binding_atom(Atoms(cplx.get_chemical_symbols()[n_site + n_cat :], anion), spec.element)
    d_pb = float(cplx.get_distance(site.pb_index, n_site + n_cat + k, mic=True))
    rel = cplx.positions[n_site:] - np.array(site.x_site_A)
    return SlabResult(
        ligand=s.ligand,
        binding_energy_eV=site_rec["energy_eV"] + e_pair - e_cplx,
        energy_complex_eV=e_cplx,
        energy_site_eV=site_rec["energy_eV"],
        energy_pair_eV=e_pair,
        pair_model=spec.model,
        site_formula=site.atoms.get_chemical_formula(),
        complex_formula=cplx.get_chemical_formula(),
        pb_anion_distance_A=d_pb,
        cation_shift_A=float(np.linalg.norm(cplx.positions[n_site] - start_cation)),
        n_steps=int(site_rec["n_steps"]) + n_cplx + n_pair,
        converged=bool(site_rec["converged"] and c_cplx and c_pair),
        cpu_s=float(site_rec["cpu_s"]) + time.process_time() - c0,
        wall_s=float(site_rec["wall_s"]) + time.perf_counter() - t0,
        pair_symbols="".join(pair.get_chemical_symbols()),
        pair_positions_rel_A=np.round(rel, 5).tolist(),
        settings=s,
        tblite_version=version("tblite"),
        cache_key=key,
    )


def compute_slab_binding_energy(
    ligand: str,
    *,
    n_layers: int = DEFAULT_SLAB_LAYERS,
    lateral: int = 2,
    method: str = "GFN2-xTB",
    fmax_eV_per_A: float = 0.05,
    max_steps: int = 300,
    vacuum_A: float = 25.0,
    use_cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> SlabResult:
    """Binding energy [eV] of ``ligand`` (as its ion pair) on the CsPbI3 (100) slab with GFN-xTB.

    Parameters
    ----------
    ligand : "OAm", "OA", "NSA" or "PF6" (pairs in :data:`qdled.binding.slab.SLAB_PAIRS`).
    n_layers : atomic planes of the slab (3, 5 or 7).
    lateral : surface supercell edge (2 or 3); one pair per supercell.
    method : "GFN2-xTB" or "GFN1-xTB" (both periodic in tblite).
    fmax_eV_per_A : force threshold of the BFGS relaxations [eV/angstrom].
    max_steps : maximum optimiser steps per relaxation.
    vacuum_A : vacuum along z [angstrom].
    use_cache : reuse an identical earlier result from the disk cache.
    cache_dir : cache directory (default ``$QDLED_CACHE_DIR`` or ``~/.cache/qdled``).

    Returns
    -------
    SlabResult (frozen); ``binding_energy_eV`` > 0 for favourable binding.

    References
    ----------
    See the module docstring.
    """
    _validate(ligand, n_layers, lateral, method)
    if not isinstance(max_steps, int) or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    s = SlabSettings(
        ligand=ligand,
        n_layers=n_layers,
        lateral=lateral,
        method=method,
        fmax_eV_per_A=require_finite_positive("fmax_eV_per_A", fmax_eV_per_A),
        max_steps=max_steps,
        vacuum_A=require_finite_positive("vacuum_A", vacuum_A),
    )
    key = cache_key({**asdict(s), "kind": "slab", "model_version": SLAB_MODEL_VERSION, "tblite": version("tblite")})
    if use_cache:
        cached = load_cached(key, cache_dir)
        if cached is not None:
            try:
                return SlabResult.from_dict(cached)
            except (TypeError, KeyError, ValueError):  # a damaged or foreign entry counts as a miss
                pass
    result = _compute(s, key, use_cache, cache_dir)
    store_cached(key, result.to_dict(), cache_dir)
    return result


def frozen_pair_binding_energy(
    result: SlabResult, *, n_layers: int, lateral: int, lift_A: float = 0.0, interaction: bool = False
) -> float:
    """Single-point E_bind [eV] of ``result``'s relaxed pair, frozen, on an ideal vacancy slab.

    The pair keeps its relaxed geometry relative to the removed apical iodide; the slab is
    the unrelaxed :func:`qdled.binding.slab.vacancy_site` of the given size (same method as
    ``result``). The pair reference is the relaxed gas pair (``result.energy_pair_eV``), or with
    ``interaction`` the frozen pair alone in the same periodic cell: the pair-slab interaction
    energy, which must vanish as ``lift_A`` moves the pair away from the surface (the vacuum grows
    by as much). Binding = interaction - deformation of the pair - lateral pair-pair energy.
    """
    _validate(result.ligand, n_layers, lateral, result.settings.method)
    lift = require_finite_positive("lift_A", lift_A, allow_zero=True)
    site = slabmod.vacancy_site(n_layers, lateral, result.settings.vacuum_A + lift)
    pair = Atoms(result.pair_symbols, positions=np.array(result.pair_positions_rel_A) + site.x_site_A)
    pair.translate([0.0, 0.0, lift])
    method, t = result.settings.method, result.settings.electronic_temperature_K
    if interaction:  # the frozen pair alone in the same periodic cell (its lateral images included)
        alone = pair.copy()
        alone.set_cell(site.atoms.cell)
        alone.pbc = True
        e_pair = _single_point(alone, method, t)
    else:
        e_pair = result.energy_pair_eV
    e_bare = _ideal_site_energy(n_layers, lateral, result.settings.vacuum_A + lift, method, t)
    return e_bare + e_pair - _single_point(site.atoms + pair, method, t)


@functools.lru_cache(maxsize=32)
def _ideal_site_energy(n_layers: int, lateral: int, vacuum_A: float, method: str, temperature_K: float) -> float:
    """Single-point energy [eV] of the unrelaxed vacancy slab (shared by all ligands of a scan)."""
    return _single_point(slabmod.vacancy_site(n_layers, lateral, vacuum_A).atoms, method, temperature_K)


# --------------------------------------------------------------------------- shipped runs


def run_id(n_layers: int, lateral: int, method: str) -> str:
    """Name of a slab run in the shipped file, e.g. ``"GFN2-xTB_L5_2x2"``."""
    return f"{method}_L{n_layers}_{lateral}x{lateral}"


def load_slab_shipped(path: str | os.PathLike | None = None) -> dict:
    """The shipped slab record (``path`` overrides the packaged file); empty runs if absent."""
    from qdled.binding.shipped import load_shipped

    return load_shipped(path, SLAB_SHIPPED_FILE)


def shipped_slab_run(
    n_layers: int = DEFAULT_SLAB_LAYERS, lateral: int = 2, method: str = "GFN2-xTB", path=None
) -> dict | None:
    """The shipped run with these settings (values, results, convergence, command), or None."""
    return load_slab_shipped(path)["runs"].get(run_id(n_layers, lateral, method))


def convergence_scan(result: SlabResult, *, lift_A: float = 16.0, use_cache: bool = True, cache_dir=None) -> dict:
    """Frozen-pair E_bind [eV] across thickness (3, 5, 7 planes) and lateral cell (2x2, 3x3); isolated limit.

    Returns {"n_layers": {..}, "lateral": {..}, "interaction_eV": on the surface, "isolated_limit_eV":
    interaction energy with the pair ``lift_A`` above the surface, "lift_A", "k_points", "cpu_s"}, the
    other settings those of ``result`` (see :func:`frozen_pair_binding_energy`); cached on disk.
    """
    key = cache_key({"kind": "slab-convergence", "result": result.cache_key, "lift_A": lift_A, "v": 2})
    cached = load_cached(key, cache_dir) if use_cache else None
    if cached is not None:
        return cached
    c0 = time.process_time()
    s = result.settings
    out = {
        "frozen_pair": True,
        "n_layers": {str(n): frozen_pair_binding_energy(result, n_layers=n, lateral=s.lateral) for n in (3, 5, 7)},
        "lateral": {f"{m}x{m}": frozen_pair_binding_energy(result, n_layers=s.n_layers, lateral=m) for m in (2, 3)},
        "interaction_eV": frozen_pair_binding_energy(result, n_layers=s.n_layers, lateral=s.lateral, interaction=True),
        "isolated_limit_eV": frozen_pair_binding_energy(
            result, n_layers=s.n_layers, lateral=s.lateral, lift_A=lift_A, interaction=True
        ),
        "lift_A": lift_A,
        "k_points": "Gamma only (tblite); 2x2 and 3x3 Gamma supercells = 2x2x1 and 3x3x1 k-meshes of the 1x1 cell",
    }
    out["cpu_s"] = time.process_time() - c0
    store_cached(key, out, cache_dir)
    return out


def thickness_corrected_eV(binding_eV: float, convergence: dict, n_layers: int) -> float:
    """Relaxed E_bind [eV] plus the frozen-pair change from ``n_layers`` to 7 planes (additive correction)."""
    c = convergence["n_layers"]
    return float(binding_eV + c["7"] - c[str(n_layers)])


def add_slab_run(
    path: str | os.PathLike, results: list, convergence: dict, command: str, *, force=False, notes: str | None = None
) -> Path:
    """Merge a slab run (results with equal size and method, their convergence, optional notes) into ``path``."""
    from qdled.io.atomic import write_text_atomic

    if not results:
        raise InputError("no results to write")
    first = results[0].settings
    keys = {(r.settings.n_layers, r.settings.lateral, r.settings.method) for r in results}
    if len(keys) != 1:
        raise InputError("all results of one slab run must share n_layers, lateral and method")
    record = load_slab_shipped(path)
    record["description"] = (
        "Ligand binding energies [eV] on the CsI-terminated cubic CsPbI3 (100) slab with GFN-xTB (tblite, "
        "periodic, Gamma point): E_bind = E(slab - CsI) + E(C+X- gas) - E(slab - CsI + C+X-), each ligand "
        "as a neutral ion pair replacing one surface CsI pair (qdled.binding.slab_engine)."
    )
    record["runs"][run_id(first.n_layers, first.lateral, first.method)] = {
        "command": command,
        "generated_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "binding_energies_eV": {r.ligand: round(r.binding_energy_eV, 4) for r in results},
        "timing_cpu_s": {
            r.ligand: round(r.cpu_s + (convergence.get(r.ligand) or {}).get("cpu_s", 0.0), 1) for r in results
        },
        "binding_energies_7plane_eV": {
            r.ligand: round(thickness_corrected_eV(r.binding_energy_eV, convergence[r.ligand], r.settings.n_layers), 4)
            for r in results
            if convergence.get(r.ligand)
        },
        "convergence": convergence,
        "results": {r.ligand: r.to_dict() for r in results},
        **({"notes": notes} if notes else {}),
    }
    record["runs"] = dict(sorted(record["runs"].items()))
    return write_text_atomic(path, json.dumps(record, indent=1) + "\n", force=force)


def slab_binding_energies(
    ligands=None,
    recompute: bool = False,
    *,
    n_layers: int = DEFAULT_SLAB_LAYERS,
    lateral: int = 2,
    method: str = "GFN2-xTB",
    convergence: bool = False,
    use_cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> dict:
    """Slab binding energies [eV] of ``ligands`` (default: those of the shipped run) with their provenance.

    Returns {"model", "settings", "binding_energies_eV", "timing_cpu_s", "convergence", "source",
    and for shipped values "command", "generated_utc"}. Shipped values unless ``recompute`` or the
    settings/ligands have no shipped run; computed values carry a convergence scan only with
    ``convergence`` (it costs several single points per ligand), else the field is None.
    """
    run = None if recompute else shipped_slab_run(n_layers, lateral, method)
    default = list(run["binding_energies_eV"]) if run is not None else ["OAm", "OA", "NSA", "PF6"]
    names = default if ligands is None else list(ligands)
    for name in names:
        _validate(name, n_layers, lateral, method)
    settings = {"n_layers": n_layers, "lateral": lateral, "method": method}
    if run is not None and all(n in run["binding_energies_eV"] for n in names):
        return {
            "model": "slab",
            "source": "shipped",
            "settings": {**settings, **run["results"][names[0]]["settings"], "ligand": None},
            "binding_energies_eV": {n: float(run["binding_energies_eV"][n]) for n in names},
            "timing_cpu_s": {n: run["timing_cpu_s"][n] for n in names},
            "binding_energies_7plane_eV": {n: v for n, v in run["binding_energies_7plane_eV"].items() if n in names},
            "convergence": {n: run["convergence"][n] for n in names if n in run["convergence"]},
            "command": run["command"],
            "generated_utc": run["generated_utc"],
            "notes": run.get("notes"),
        }
    results = [
        compute_slab_binding_energy(
            n, n_layers=n_layers, lateral=lateral, method=method, use_cache=use_cache, cache_dir=cache_dir
        )
        for n in names
    ]
    conv = (
        {r.ligand: convergence_scan(r, use_cache=use_cache, cache_dir=cache_dir) for r in results}
        if convergence
        else None
    )
    return {
        "model": "slab",
        "source": "computed",
        "settings": {**asdict(results[0].settings), "ligand": None},
        "binding_energies_eV": {r.ligand: r.binding_energy_eV for r in results},
        "timing_cpu_s": {r.ligand: r.cpu_s for r in results},
        "binding_energies_7plane_eV": (
            {r.ligand: thickness_corrected_eV(r.binding_energy_eV, conv[r.ligand], n_layers) for r in results}
            if conv
            else None
        ),
        "convergence": conv,
        "results": results,
    }
