"""Ligand binding energies on the periodic CsPbI3 (100) slab with GFN-xTB (tblite under PBC, ASE).

Definition (ion-pair substitution of a surface CsI pair, refs. [1], [2]; structures in
:mod:`qdled.binding.slab`)::

    E_bind = E(slab - CsI) + E(C+X- pair, gas) - E(slab - CsI + C+X-)

positive when binding is favourable, in eV. Every system is neutral (no charged periodic
cells). ``slab - CsI`` is the CsI-terminated slab with one surface Cs+ and the apical I-
above one Pb removed; the pair puts its anion on that Pb and its cation on the empty A-site.
The gas-phase pair is relaxed alone, non-periodic, starting from its geometry on the surface.
All four ligands use this one definition (OA and NSA with the methylammonium stand-in for
oleylammonium, OA's chain cut to acetate; see :data:`qdled.binding.slab.SLAB_PAIRS`).

Protocol: the vacancy slab and the complex are relaxed with ASE's BFGS to
``fmax_eV_per_A`` with every plane below the top CsI plane fixed (FixAtoms); the top plane and
the pair move. tblite evaluates the periodic cell at the Gamma point only (it has no k-point
sampling), so Brillouin-zone convergence is checked through Gamma-point supercells: a 2x2
surface cell at Gamma samples the 1x1 cell's 2x2x1 k-mesh, 3x3 its 3x3x1 mesh.

SCF failures (:data:`SCF_DIAGNOSIS`): with the O-bound anions (acetate, sulfonate) the periodic
GFN2-xTB SCF diverges in thin regions of configuration space, whatever the electronic
temperature, mixer, guess or vacuum; a small displacement avoids them. :func:`_relax` therefore
restarts the optimiser around a failure from the lowest-energy geometry reached, with a seeded
kick (reproducible). When the restart budget runs out first, the lowest-energy SCF-converged
geometry is kept and the result is flagged ``converged=False`` with its residual force: its
E_bind is then a lower bound (further relaxation can only lower E(complex)). GFN1-xTB is not
an alternative here (:data:`GFN1_DIAGNOSIS`: it makes the 2x2 slab near-metallic).

Convergence (:func:`frozen_pair_binding_energy`): the relaxed pair, frozen, is put on ideal
(unrelaxed) vacancy slabs of 3, 5, 7 planes and of 2x2 and 3x3 cells, and lifted far above
the surface (the isolated-molecule limit, E_bind -> 0); the differences measure slab
thickness, lateral size / k-point and image effects on the same adsorbate.

Comparison (eV; :func:`comparison_table`, stored in the shipped file; aim: the paper's
differences within 0.3 eV)::

    ligand   paper DFT    cluster   slab 3pl   slab 7pl
    OAm           1.23       0.63       2.19       2.56
    OA             -         1.09       1.19       1.13
    NSA           1.45       2.33       3.63        -
    PF6           3.92       3.70       2.32        -
    PF6 - NSA      2.47       1.37      -1.31        -
    NSA - OAm      0.22       1.70       1.45        -
    PF6 - OAm      2.69       3.07       0.13        -

    columns: the paper's DFT; the shipped cluster model (GFN2-xTB, Cs4PbI6 cluster, relaxed);
    the slab run GFN2-xTB_L3_2x2 (3 planes, 2x2, relaxed; OA and NSA stopped by the SCF-restart
    budget at 0.27 and 0.085 eV/A residual force, so lower bounds); the 7-plane value adds the
    frozen-pair thickness correction where both its 3- and 7-plane single points converged (OAm,
    OA; NSA's 3-plane and PF6's 5-/7-plane points failed the SCF). OA: no paper value (its text
    only calls OA/OAm weak). Published slab DFT numbers for these ligands could not be read
    offline (see :data:`LITERATURE`), so the literature column is the paper's alone.

    Findings: the slab ranks NSA > PF6 > OAm > OA, the paper PF6 > NSA > OAm. NSA - OAm is
    1.45 eV (paper 0.22: 1.2 eV too large), PF6 - NSA -1.31 eV (paper 2.47: 3.8 eV off, wrong
    sign), both outside the 0.3 eV aim. In the neutral ion-pair definition the pairs' gas-phase
    references carry the anion's basicity (a gas-phase ion pair collapses into an H-bonded or
    proton-transferred complex, the more so the more basic the anion), and GFN2-xTB's charge
    transfer between the anions and the I-/Pb2+ surface is not calibrated against DFT for such
    ionic surfaces; the paper's (undocumented) DFT definition is most likely a charged anion at a
    halide vacancy, which the cluster model follows (PF6 3.70 vs 3.92 eV) but which cannot be
    used in a neutral periodic cell. The SCF-failure regions add their own doubt to OA and NSA.

References
----------
.. [1] ten Brinck, S. & Infante, I. ACS Energy Lett. 1, 1266 (2016).
.. [2] Bodnarchuk, M. I. et al. ACS Energy Lett. 4, 63 (2019).
.. [3] Bannwarth, C., Ehlert, S. & Grimme, S. J. Chem. Theory Comput. 15, 1652 (2019) (GFN2-xTB);
   Grimme, S., Bannwarth, C. & Shushkov, P. J. Chem. Theory Comput. 13, 1989 (2017) (GFN1-xTB);
   tblite, https://github.com/tblite/tblite.
.. [4] Li, Y. et al. Nat. Commun. 15, 5696 (2024) (DFT binding energies, validation only).
.. [5] tblite issue #109, "Convergence of GFNn in PBC mode",
   https://github.com/tblite/tblite/issues/109 (GFN2-xTB slabs that do not converge).
.. [6] Ravi, V. K. et al. J. Phys. Chem. Lett. 8, 4988 (2017) (ammonium substitutes surface Cs+).
.. [7] Pascazio, R., Zaccaria, F., van Beek, B. & Infante, I. J. Phys. Chem. C 126, 9898 (2022)
   (acetate, sulfonate, ammonium on CsPbBr3 NCs; their binding energies were not readable offline).
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
    #: SCF-failure restarts of the complex relaxation and its final max force (see :func:`_relax`);
    #: None for runs made before the restarts existed.
    scf_restarts: int | None = None
    fmax_complex_eV_per_A: float | None = None

    def to_dict(self) -> dict:
        """Plain-dict form (JSON-serialisable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SlabResult":
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "settings": SlabSettings(**data["settings"])})


#: SCF settings tried in turn when the tblite SCF fails at some geometry. They change the path to
#: self-consistency (mixer damping, iterations, initial guess), never the Hamiltonian or the electronic
#: temperature, so a converged energy is the same whichever setting reached it. Capped at 500
#: iterations: where the GFN2-xTB SCF diverges at 250, 500 did not help (:data:`SCF_DIAGNOSIS`), and the
#: old 2000-iteration fallback (damping 0.05, EEQ guess) ran > 400 s on one failing geometry without a
#: result and 13-19 CPU min per failed relaxation.
SCF_FALLBACKS = (
    {},
    {"mixer_damping": 0.1, "max_iterations": 500},
    {"mixer_damping": 0.2, "max_iterations": 500, "guess": "eeqbc"},
)

#: What was tried on the GFN2-xTB failures of the O-bound pairs (OA, NSA) on the periodic slab.
SCF_DIAGNOSIS = (
    "GFN2-xTB (tblite 0.8.0, periodic 2x2 slab): the SCF of the CH3NH3+ acetate pair converges at the "
    "start and for 32 BFGS steps (HOMO-LUMO gap 3.7 eV, not a small-gap or smearing problem), then diverges "
    "(Broyden residual stalls at 5e-3, then explodes) once the carboxylate O comes within ~3.4 A of a surface "
    "Cs+ and 2.6 A of Pb: a step of 0.015 A across that boundary already fails. At the failing geometry none "
    "of these converge: electronic temperature 300/1000/3000/10000 K (also as a 5000 K -> 300 K restart and "
    "tblite's annealing), mixer damping 0.4/0.2/0.1, Broyden memory 3/5/20/full, 250-500 iterations, "
    "SAD/EEQ/EEQ-BC guesses, integral accuracy 1/0.1/0.01, vacuum 25/40/60 A. The slab plus acetate alone "
    "(charge -1) fails as well, the slab plus CH3NH3+ alone and the pair alone (periodic or not) converge, and "
    "the same geometry converges at once with GFN1-xTB. The same symptom (GFN2 never converging for slabs "
    "that GFN1 handles) is tblite issue #109, where the maintainer's remedy is a charge-extended-Hueckel "
    "guess at 5000 K, a guess this tblite build does not offer. Lifting the surface Cs next to the "
    "carboxylate by 0.3 A makes the failing geometry converge, so the failures are thin regions that a small "
    "displacement avoids: hence the restarts of :func:`_relax`. GFN1-xTB converges there but on a "
    "near-metallic slab (GFN1_DIAGNOSIS), so it is no substitute."
)


#: Optimiser log (a path or "-" for stdout; None: silent), for following long relaxations.
OPTIMIZER_LOG: str | None = None


#: Why GFN1-xTB gives no slab values (measured with tblite 0.8.0).
GFN1_DIAGNOSIS = (
    "GFN1-xTB closes the gap of the periodic CsPbI3 slab: the bare 3-plane slab has a HOMO-LUMO gap of 1.29 eV "
    "in the 1x1 cell but 0.03 eV in the 2x2 Gamma supercell (GFN2-xTB: 2.56 and 3.84 eV), so the zone-boundary "
    "states of the 1x1 cell are near-metallic. On that slab the SCF of a ligand pair lands on unphysical states: "
    "the CH3NH3+ acetate start geometry (converged with GFN2 at fmax 6.4 eV/A) has forces of 165 eV/A and the "
    "BFGS energies jump by hundreds of eV between steps, and the CH3NH3+ I- relaxation stopped on an SCF that "
    "did not converge in 2000 cycles after 590 CPU s. GFN1-xTB is therefore not used for the slab values."
)


class SlabSCFError(RuntimeError):
    """The tblite SCF did not converge at some geometry with any :data:`SCF_FALLBACKS` setting."""


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
        except CalculationFailed as err:
            if k == len(SCF_FALLBACKS) - 1:
                raise SlabSCFError(f"{method}: SCF did not converge with any fallback ({err})") from err
    raise AssertionError("unreachable")


#: SCF-failure restarts of one relaxation (see :func:`_relax`), the random kick [A] and its seed.
MAX_SCF_RESTARTS = 30
RESTART_KICK_A = 0.05
RESTART_SEED = 0


def _relax(atoms: Atoms, s: SlabSettings) -> tuple[float, int, bool, dict]:
    """BFGS to ``s.fmax_eV_per_A`` (constraints on ``atoms``), restarted around SCF failures.

    The periodic GFN2-xTB SCF diverges in thin regions of configuration space (:data:`SCF_DIAGNOSIS`),
    which no SCF setting fixes but a small displacement avoids. So when the SCF fails at a trial
    geometry, the relaxation restarts from the lowest-energy geometry reached so far, every free atom
    displaced by a seeded Gaussian kick of ``RESTART_KICK_A`` (reproducible), with a fresh Hessian and
    the step capped at 0.1 A, up to ``MAX_SCF_RESTARTS`` times. The path changes, the target (a
    minimum where the SCF converges) does not. If the budget runs out first, the lowest-energy
    geometry is kept and returned as not converged: its energy bounds the minimum from above.

    Returns energy [eV], optimiser steps, converged, and {"scf_restarts", "fmax_eV_per_A"}.
    """
    from ase.calculators.calculator import CalculationFailed
    from ase.optimize import BFGS

    fixed = np.zeros(len(atoms), dtype=bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            fixed[c.index] = True
    rng = np.random.default_rng(RESTART_SEED)
    best = {"energy": np.inf, "positions": atoms.get_positions(), "fmax": np.inf}

    def observe() -> None:
        e = float(atoms.get_potential_energy())
        if e < best["energy"]:
            f = atoms.get_forces()  # constrained forces (fixed atoms zero)
            best.update(energy=e, positions=atoms.get_positions(), fmax=float(np.linalg.norm(f, axis=1).max()))

    steps, restarts, maxstep, converged = 0, 0, 0.2, False
    while True:
        atoms.calc = _calc(s.method, s.electronic_temperature_K)
        opt = BFGS(atoms, logfile=OPTIMIZER_LOG, maxstep=maxstep)
        opt.attach(observe)
        try:
            converged = bool(opt.run(fmax=s.fmax_eV_per_A, steps=max(s.max_steps - steps, 1)))
            steps += opt.nsteps
            break
        except CalculationFailed as err:
            steps += opt.nsteps
            restarts += 1
            if not np.isfinite(best["energy"]):
                raise SlabSCFError(f"{s.method}: SCF failed at the start geometry of {s.ligand!r}: {err}") from err
            if restarts > MAX_SCF_RESTARTS or steps >= s.max_steps:
                break
            kick = rng.normal(0.0, RESTART_KICK_A, size=(int((~fixed).sum()), 3))
            pos = best["positions"].copy()
            pos[~fixed] += kick
            atoms.set_positions(pos)
            maxstep = 0.1
    if converged:
        energy, fmax = float(atoms.get_potential_energy()), float(np.linalg.norm(atoms.get_forces(), axis=1).max())
    else:  # keep the lowest-energy SCF-converged geometry (its energy and forces were evaluated there)
        atoms.set_positions(best["positions"])
        atoms.calc = None
        energy, fmax = best["energy"], best["fmax"]
    return energy, steps, converged, {"scf_restarts": restarts, "fmax_eV_per_A": fmax}


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
        e, n, conv, _ = _relax(atoms, settings)
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
    e_cplx, n_cplx, c_cplx, info = _relax(cplx, s)
    pair = Atoms(cplx.get_chemical_symbols()[n_site:], positions=cplx.positions[n_site:])
    e_pair, n_pair, c_pair, _ = _relax(pair, s)  # non-periodic gas-phase pair
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
        scf_restarts=int(info["scf_restarts"]),
        fmax_complex_eV_per_A=float(info["fmax_eV_per_A"]),
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
    key = cache_key({"kind": "slab-convergence", "result": result.cache_key, "lift_A": lift_A, "v": 3})
    cached = load_cached(key, cache_dir) if use_cache else None
    if cached is not None:
        return cached
    c0 = time.process_time()
    s = result.settings
    errors: dict[str, str] = {}

    def point(label: str, **kw) -> float | None:
        try:
            return frozen_pair_binding_energy(result, **kw)
        except SlabSCFError as err:  # recorded per point: the rest of the scan still informs
            errors[label] = str(err)
            return None

    out = {
        "frozen_pair": True,
        "n_layers": {str(n): point(f"L{n}", n_layers=n, lateral=s.lateral) for n in (3, 5, 7)},
        "lateral": {f"{m}x{m}": point(f"{m}x{m}", n_layers=s.n_layers, lateral=m) for m in (2, 3)},
        "interaction_eV": point("interaction", n_layers=s.n_layers, lateral=s.lateral, interaction=True),
        "isolated_limit_eV": point("isolated", n_layers=s.n_layers, lateral=s.lateral, lift_A=lift_A, interaction=True),
        "lift_A": lift_A,
        "k_points": "Gamma only (tblite); 2x2 and 3x3 Gamma supercells = 2x2x1 and 3x3x1 k-meshes of the 1x1 cell",
    }
    if errors:
        out["scf_failures"] = errors
    out["cpu_s"] = time.process_time() - c0
    store_cached(key, out, cache_dir)
    return out


def _scan_or_error(result: SlabResult, use_cache: bool, cache_dir) -> dict:
    """:func:`convergence_scan`, or {"error": ...} when an SCF of the scan fails (recorded, not fatal)."""
    try:
        return convergence_scan(result, use_cache=use_cache, cache_dir=cache_dir)
    except SlabSCFError as err:
        return {"error": str(err)}


def has_thickness_correction(convergence: dict | None, n_layers: int) -> bool:
    """True if ``convergence`` holds frozen-pair values at ``n_layers`` and at 7 planes."""
    c = (convergence or {}).get("n_layers") or {}
    return c.get("7") is not None and c.get(str(n_layers)) is not None


def thickness_corrected_eV(binding_eV: float, convergence: dict, n_layers: int) -> float:
    """Relaxed E_bind [eV] plus the frozen-pair change from ``n_layers`` to 7 planes (additive correction)."""
    c = convergence["n_layers"]
    return float(binding_eV + c["7"] - c[str(n_layers)])


#: Published DFT work on the same or similar ligands on CsPbX3 surfaces. Numbers that could be read are
#: given with their source; where only the finding could be read offline, ``value_eV`` is None.
LITERATURE = (
    {
        "ref": "Li, Y. et al. Nat. Commun. 15, 5696 (2024), main text and Fig. 2a",
        "system": "CsPbI3 QD surface, DFT (method and surface model not given in the paper)",
        "value_eV": {"OAm": 1.23, "NSA": 1.45, "PF6": 3.92},
        "note": "the validation target; no Methods section on the DFT",
    },
    {
        "ref": "Ravi, V. K. et al. J. Phys. Chem. Lett. 8, 4988 (2017)",
        "system": "CsPbBr3 nanocube surface, DFT + XPS + NMR",
        "value_eV": None,
        "note": "oleylammonium substitutes surface Cs+ and makes three N-H...Br bonds (the A-site cation of "
        "the ion-pair model); no binding energy in the abstract that could be read offline",
    },
    {
        "ref": "ten Brinck, S. & Infante, I. ACS Energy Lett. 1, 1266 (2016)",
        "system": "CsPbX3 nanocrystal models, DFT",
        "value_eV": None,
        "note": "CsX-terminated facets with ligands replacing surface Cs+/X- as ion pairs (the slab model here)",
    },
    {
        "ref": "Pascazio, R., Zaccaria, F., van Beek, B. & Infante, I. J. Phys. Chem. C 126, 9898 (2022)",
        "system": "CsPbBr3 NCs capped by acetate, sulfonate, primary and quaternary ammonium; force field fitted "
        "to DFT molecular dynamics",
        "value_eV": None,
        "note": "their Table 2 lists ligand binding energies (kcal/mol); the values were not readable offline",
    },
)


def comparison_table(record: dict | None = None) -> dict:
    """Slab runs vs the shipped cluster model vs the paper's DFT, per ligand and as the paper's differences.

    ``record``: a slab record as :func:`load_slab_shipped` returns it (default: the shipped one). The
    differences PF6 - NSA, NSA - OAm and PF6 - OAm carry their error against the paper and whether it is
    within the issue's 0.3 eV aim; a missing or unconverged slab value gives None / is flagged.
    """
    from qdled.binding import binding_energies, paper_dft_eV

    record = load_slab_shipped() if record is None else record
    ligands = ("OAm", "OA", "NSA", "PF6")
    paper, cluster = paper_dft_eV(), binding_energies(ligands)
    columns = {"paper_dft": paper, "cluster_GFN2_relaxed_n1": cluster}
    converged = {}
    for rid, run in sorted(record["runs"].items()):
        columns[f"slab_{rid}"] = dict(run["binding_energies_eV"])
        if run.get("binding_energies_7plane_eV"):
            columns[f"slab_{rid}_7plane"] = dict(run["binding_energies_7plane_eV"])
        converged[f"slab_{rid}"] = {k: bool(v["converged"]) for k, v in run["results"].items()}
    rows = {lig: {col: vals.get(lig) for col, vals in columns.items()} for lig in ligands}
    diffs = {}
    for a, b in (("PF6", "NSA"), ("NSA", "OAm"), ("PF6", "OAm")):
        ref = paper[a] - paper[b]
        entry = {"paper_dft_eV": round(ref, 4)}
        for col, vals in columns.items():
            if col == "paper_dft":
                continue
            if vals.get(a) is None or vals.get(b) is None:
                entry[col] = None
                continue
            d = vals[a] - vals[b]
            entry[col] = {
                "value_eV": round(d, 4),
                "error_eV": round(d - ref, 4),
                "within_aim": abs(d - ref) <= COMPARISON_AIM_EV,
                "from_converged_relaxations": all(converged.get(col, {}).get(k, True) for k in (a, b)),
            }
        diffs[f"{a} - {b}"] = entry
    return {
        "binding_energies_eV": rows,
        "differences_eV": diffs,
        "aim_eV": COMPARISON_AIM_EV,
        "literature": list(LITERATURE),
    }


#: The issue's target for the paper's differences PF6 - NSA and NSA - OAm [eV].
COMPARISON_AIM_EV = 0.3


def _auto_notes(results: list, convergence: dict) -> str | None:
    """Plain-word notes on unconverged relaxations and missing convergence scans of a run (None if none)."""
    parts = []
    for r in results:
        if not r.converged:
            parts.append(
                f"{r.ligand}: relaxation stopped by the SCF-restart budget ({r.scf_restarts} restarts around GFN2-xTB "
                f"SCF failures, see SCF_DIAGNOSIS) at the lowest-energy geometry, residual force "
                f"{r.fmax_complex_eV_per_A:.3f} eV/A; its E_bind is a lower bound."
            )
    missing = [
        r.ligand for r in results if not has_thickness_correction(convergence.get(r.ligand), r.settings.n_layers)
    ]
    if missing:
        failed = sorted(k for k, v in convergence.items() if v and ("error" in v or "scf_failures" in v))
        parts.append(
            f"No 7-plane thickness correction for {', '.join(missing)}"
            + (
                f" (frozen-pair single points whose GFN2-xTB SCF failed are listed under convergence "
                f"[ligand].scf_failures: {', '.join(failed)})."
                if failed
                else " (scan not run: --no-convergence)."
            )
        )
    return " ".join(parts) or None


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
    convergence = dict(convergence or {})
    previous = record["runs"].get(run_id(first.n_layers, first.lateral, first.method)) or {}
    for r in results:  # keep an earlier scan of the same relaxed pair (same geometry and energy) if none is new
        old = previous.get("results", {}).get(r.ligand)
        if (
            not convergence.get(r.ligand)
            and r.ligand in previous.get("convergence", {})
            and old is not None
            and abs(old["binding_energy_eV"] - r.binding_energy_eV) < 1e-4
            and np.allclose(old["pair_positions_rel_A"], r.pair_positions_rel_A, atol=1e-3)
        ):
            convergence[r.ligand] = {**previous["convergence"][r.ligand], "from_run": previous.get("generated_utc")}
    record["description"] = (
        "Ligand binding energies [eV] on the CsI-terminated cubic CsPbI3 (100) slab with GFN-xTB (tblite, "
        "periodic, Gamma point): E_bind = E(slab - CsI) + E(C+X- gas) - E(slab - CsI + C+X-), each ligand "
        "as a neutral ion pair replacing one surface CsI pair (qdled.binding.slab_engine)."
    )
    note = notes or _auto_notes(results, convergence)
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
            if has_thickness_correction(convergence.get(r.ligand), r.settings.n_layers)
        },
        "convergence": convergence,
        "results": {r.ligand: r.to_dict() for r in results},
        **({"notes": note} if note else {}),
    }
    record["runs"] = dict(sorted(record["runs"].items()))
    record["comparison"] = comparison_table(record)
    return write_text_atomic(path, json.dumps(record, indent=1) + "\n", force=force)


def slab_binding_energies(
    ligands=None,
    recompute: bool = False,
    *,
    n_layers: int = DEFAULT_SLAB_LAYERS,
    lateral: int = 2,
    method: str = "GFN2-xTB",
    max_steps: int = 300,
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
            n,
            n_layers=n_layers,
            lateral=lateral,
            method=method,
            max_steps=max_steps,
            use_cache=use_cache,
            cache_dir=cache_dir,
        )
        for n in names
    ]
    conv = {r.ligand: _scan_or_error(r, use_cache, cache_dir) for r in results} if convergence else None
    return {
        "model": "slab",
        "source": "computed",
        "settings": {**asdict(results[0].settings), "ligand": None},
        "binding_energies_eV": {r.ligand: r.binding_energy_eV for r in results},
        "timing_cpu_s": {r.ligand: r.cpu_s for r in results},
        "binding_energies_7plane_eV": (
            {
                r.ligand: thickness_corrected_eV(r.binding_energy_eV, conv[r.ligand], n_layers)
                for r in results
                if has_thickness_correction(conv[r.ligand], n_layers)
            }
            if conv
            else None
        ),
        "convergence": conv,
        "results": results,
    }
