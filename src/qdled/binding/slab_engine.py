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
the pair move. The complex is relaxed in two stages: the pair alone on the relaxed vacancy slab
(every slab atom fixed), then with the top plane released (:data:`RELAX_PROTOCOL`, restart budgets
:data:`STAGE_RESTARTS`); if that does not converge, a one-stage relaxation from the same start is run as
well and the lower energy kept (:data:`ONE_STAGE_ROUTE`).
tblite evaluates the periodic cell at the Gamma point only (it has no k-point
sampling), so Brillouin-zone convergence is checked through Gamma-point supercells: a 2x2
surface cell at Gamma samples the 1x1 cell's 2x2x1 k-mesh, 3x3 its 3x3x1 mesh.

SCF failures (:data:`SCF_DIAGNOSIS`): with the O-bound anions (acetate, sulfonate) the periodic
GFN2-xTB SCF diverges in thin regions of configuration space, whatever the electronic
temperature, mixer, guess or vacuum; a small displacement avoids them. :func:`_relax` therefore
retries a failed trial geometry with looser SCF thresholds (tblite accuracy 3), then scales the
failed step along its own direction (backtracking), and only then restarts the optimiser from the
lowest-energy geometry reached, with a seeded kick (reproducible). When the step or restart budget
runs out first, the lowest-energy SCF-converged geometry is kept and the result is flagged
``converged=False`` with its residual force: its E_bind is then a lower bound (further relaxation
can only lower E(complex)). What was tried, with its cost, is :data:`RELAX_ATTEMPTS`. GFN1-xTB is not
an alternative here (:data:`GFN1_DIAGNOSIS`: it makes the 2x2 slab near-metallic).

Convergence (:func:`frozen_pair_binding_energy`, :func:`convergence_scan`): the relaxed pair and the
relaxed top plane, frozen (:func:`frozen_surface`), are put on ideal vacancy slabs of 3, 5, 7 planes, of
2x2 and 3x3 cells and of 25, 50, 100 A vacuum, and the pair is lifted far above the surface (the
isolated-molecule limit, interaction -> 0); at the relaxed size the point is the relaxed E_bind itself, so
the differences measure slab thickness, lateral size / k-point, vacuum and image effects on the same
adsorbate. (The relaxed pair on an unrelaxed top plane, the scan used before, fails the GFN2-xTB SCF for OA
and NSA at every rigid shift tried.)

Vacuum: the installed tblite (0.8.0) gives periodic slabs a vacuum-dependent energy. A neutral,
centrosymmetric slab (no dipole, fields decaying exponentially outside) changes by -0.16 eV (GFN2-xTB) and
-0.08 eV (GFN1-xTB) from 25 to 50 A of vacuum and keeps drifting to 200 A, with its atomic charges, where
tblite 0.4.0 keeps GFN1-xTB constant to 3e-5 eV (tests/oracles/tblite_slab_vacuum.py). Binding energies
inherit part of it (OAm -0.04, OA +0.12, NSA +0.40, PF6 +0.37 eV from 25 to 100 A); it is a defect of the code, not
physics, so no vacuum is "converged" and the scan records the spread as an uncertainty.

Comparison (eV; :func:`comparison_table`, stored in the shipped file; aim: the paper's
differences within 0.3 eV)::

    ligand   paper DFT    cluster   slab 3pl   slab 7pl   vacuum 25->100 A
    OAm           1.23       0.63       2.20       2.68      -0.04
    OA             -         1.09       1.65       1.85      +0.12
    NSA           1.45       2.33     >=3.63     >=3.62      +0.40
    PF6           3.92       3.70       2.39       2.38      +0.37
    PF6 - NSA      2.47       1.37     <=-1.23    <=-1.24     -0.03
    NSA - OAm      0.22       1.70     >=1.42     >=0.94     +0.44
    PF6 - OAm      2.69       3.07       0.19      -0.30      +0.41

    columns: the paper's DFT; the shipped cluster model (GFN2-xTB, Cs4PbI6 cluster, relaxed);
    the slab run GFN2-xTB_L3_2x2 (3 planes, 2x2, relaxed; OAm, OA, PF6 converged to 0.05 eV/A with the
    two-stage protocol; NSA is the lower bound of the one-stage route, residual force 0.085 eV/A, within
    ~0.03 eV of near-stationary points met on the way, see :data:`ONE_STAGE_ROUTE`); the 7-plane value adds
    the frozen-surface thickness correction; the last column is E_bind(100 A) - E_bind(25 A), the tblite
    vacuum defect (above), which moves NSA - OAm by 0.44 eV. The gas-phase pair reference is the lowest of
    several relaxation starts (:func:`_with_pair_reference`; for OA the starts differ by 0.32 eV). OA: no
    paper value (its text only calls OA/OAm weak). Published slab DFT numbers for these ligands could not be
    read offline (see :data:`LITERATURE`), so the literature column is the paper's alone.

    Findings: the slab ranks NSA > PF6 > OAm > OA, the paper PF6 > NSA > OAm. NSA - OAm is
    >= 1.42 eV (paper 0.22: 1.2 eV too large; >= 0.94 eV with 7 planes), PF6 - NSA <= -1.23 eV (paper
    2.47: 3.7 eV off, wrong sign), both outside the 0.3 eV aim, and the vacuum defect alone is larger
    than the aim. In the neutral ion-pair definition the pairs' gas-phase
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

import dataclasses
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
SLAB_MODEL_VERSION = 4  # 2: backtracking relaxation (RELAX_PROTOCOL); 3: relaxed geometries stored; 4: STAGE_RESTARTS
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
    #: How the complex was relaxed (:data:`RELAX_PROTOCOL`), its SCF failures, accuracy-fallback
    #: successes and backtracked steps (:func:`_relax`); None for runs made before the backtracking existed.
    relax_protocol: str | None = None
    scf_failures: int | None = None
    scf_accuracy_fallbacks: int | None = None
    scf_backtracks: int | None = None
    #: Stage 1 of the complex relaxation (pair only, slab fixed): energy, steps, converged, residual force,
    #: restarts, SCF failures, CPU time. ``scf_*`` above count both stages, ``scf_restarts`` stage 2 only.
    adsorbate_stage: dict | None = None
    #: Gas-phase pair reference (:func:`_with_pair_reference`): the pair relaxed from several starts, the
    #: lowest energy is ``energy_pair_eV``; ``energy_pair_surface_start_eV`` is the start from its on-surface
    #: geometry (the only one before multi-start existed). None for runs made before.
    energy_pair_surface_start_eV: float | None = None
    pair_reference: dict | None = None
    #: Relaxed positions [A] of every atom of the complex (slab first, then cation, then anion) and of the
    #: relaxed vacancy slab, for the frozen-surface convergence scan (:func:`frozen_pair_binding_energy`).
    #: When the two-stage relaxation does not converge: both routes (ONE_STAGE_ROUTE) and which was kept.
    routes: dict | None = None
    complex_positions_A: list | None = field(default=None, repr=False)
    site_positions_A: list | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Plain-dict form (JSON-serialisable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SlabResult":
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "settings": SlabSettings(**data["settings"])})


#: SCF settings tried in turn when the tblite SCF fails at some geometry. They change the path to
#: self-consistency (mixer damping, iterations, initial guess), never the Hamiltonian or the electronic
#: temperature, so a converged energy is the same whichever setting reached it (``accuracy`` 3 loosens the
#: SCF thresholds: 1e-7 eV in E, 6e-4 eV/A in forces, measured). Capped at 500
#: iterations: where the GFN2-xTB SCF diverges at 250, 500 did not help (:data:`SCF_DIAGNOSIS`), and the
#: old 2000-iteration fallback (damping 0.05, EEQ guess) ran > 400 s on one failing geometry without a
#: result and 13-19 CPU min per failed relaxation.
SCF_FALLBACKS = (
    {},
    {"accuracy": 3.0},  # looser SCF thresholds only (see RELAX_SCF_FALLBACK); cheap, and often enough
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
    "near-metallic slab (GFN1_DIAGNOSIS), so it is no substitute. Later measurements (RELAX_ATTEMPTS): at "
    "the first failure of the OA relaxation the last good geometry converges but a 0.0024 A move along the "
    "failed step already fails, from a fresh guess and from the converged wavefunction alike. Two kinds of "
    "failure: (a) the density error stalls at ~5e-5 with the energy converged to 1e-7 Eh before Broyden "
    "blows up, which tblite accuracy 3 (looser thresholds, same Hamiltonian) converges; (b) the density error "
    "stalls at 3e-3..8e-3 with 1e-4 Eh oscillations, which accuracy 3 or 10 does not. Relaxing the pair on "
    "the fixed slab first, then the top plane, avoids enough of them for OA to converge. The relaxed OA and NSA "
    "pairs frozen on the unrelaxed top plane fail at every rigid shift tried (0.05, 0.1 A along z, 0.05 A along "
    "x) and at 17 or 50 A of vacuum; tblite 0.4.0 converges that NSA point (not the OA one), so the failures "
    "depend on the tblite release as well as on the geometry."
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


def _calc(method: str, temperature_K: float, scf: int | dict = 0):
    """tblite calculator (neutral, closed shell) with SCF settings ``SCF_FALLBACKS[scf]`` (or the dict ``scf``)."""
    from tblite.ase import TBLite

    return TBLite(
        method=method,
        charge=0,
        multiplicity=1,
        verbosity=0,
        electronic_temperature=temperature_K,
        **(scf if isinstance(scf, dict) else SCF_FALLBACKS[scf]),
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
#: Restart budgets of the two stages of the complex relaxation (pair only; pair and top plane). Stage 1 only
#: brings the pair close to the surface, so it need not converge: for NSA its minimum on the fixed slab lies
#: where the SCF fails (measured: > 250 failures and 10 restarts in 35 CPU min without getting below
#: fmax 0.15 eV/A), and stage 2 starts from its lowest-energy geometry whatever the outcome. OA needs 1
#: restart in each stage, OAm and PF6 none, so these budgets leave them unchanged.
STAGE_RESTARTS = (5, 10)
#: What :func:`_compute` does when the two-stage relaxation of a complex does not converge.
ONE_STAGE_ROUTE = (
    "if the two stages end unconverged, the complex is relaxed again in one stage from the placed start (pair "
    "and top plane together, seeded-kick restarts after an SCF failure, no backtracking, <= 30 restarts) and "
    "the lower final energy is kept: both routes bound the minimum from above. Measured on NSA: two stages "
    "end at E(complex) -3212.573 eV, fmax 0.66 eV/A (213 SCF failures, 1845 CPU s); one stage at -3212.967 eV, "
    "fmax 0.085 eV/A (31 restarts, 62 SCF failures, 927 CPU s; the geometry of the 19:58Z run, reproduced to "
    "1e-12 eV). Along the one-stage route 14 points reached fmax 0.052-0.085 eV/A, all within 0.035 eV of the "
    "kept energy: shallow minima of the sulfonate's orientation, so NSA's residual relaxation is tens of meV"
)
RESTART_KICK_A = 0.05
RESTART_SEED = 0
#: Fractions of a failed optimiser step tried in turn, along the same direction, before a restart
#: (:func:`_relax`): shorter steps first (backtracking into the SCF-converged region), then longer ones
#: (stepping over a thin failure sheet).
BACKTRACK_SCALES = (0.5, 0.25, 0.1, 0.05, 1.5, 2.0)
#: SCF setting tried (fresh calculator) at a trial geometry whose SCF failed, before backtracking. The
#: tblite ``accuracy`` scales only the SCF convergence thresholds here (energy 1e-6, density 2e-5 times
#: ``accuracy``): measured on the OA complex, accuracy 3 vs 1 changes E by 1e-7 eV and forces by 6e-4 eV/A
#: (1/80 of fmax), and it converges geometries whose density error stalls at a 5e-5 noise floor before
#: Broyden diverges. The other :data:`SCF_FALLBACKS` cost up to 20 s per failing point and never helped.
RELAX_SCF_FALLBACK = SCF_FALLBACKS[1]


#: One-line description of :func:`_relax`, stored with every result.
RELAX_PROTOCOL = (
    "complex in two stages (1: pair only, slab fixed; 2: pair and top plane), each "
    "ASE BFGS (maxstep 0.2 A) to fmax; at an SCF failure: retry with tblite accuracy 3, then the same step "
    "scaled by 0.5/0.25/0.1/0.05/1.5/2.0, then a restart from the lowest-energy geometry with a seeded "
    "0.05 A Gaussian kick (seed 0, maxstep 0.1 A, <= 5 restarts in stage 1 and <= 10 in stage 2); stage 2 "
    "starts from stage 1's lowest-energy geometry whether stage 1 converged or not"
)


#: What was tried to converge the OA and NSA complex relaxations (3-plane 2x2 slab, fmax 0.05 eV/A), measured
#: with tblite 0.8.0; written into the shipped run by :func:`add_slab_run` so that nobody repeats them.
RELAX_ATTEMPTS = (
    {
        "attempt": "one-stage BFGS (maxstep 0.2 A), restart from the lowest-energy geometry with a seeded 0.05 A "
        "kick after every SCF failure (<= 30 restarts); the protocol of the run of 2026-11-30T19:58Z",
        "outcome": "not converged: OA stopped after 31 restarts at fmax 0.268 eV/A, E(complex) -2490.1107 eV "
        "(E_bind >= 1.191 eV); NSA after 31 restarts at fmax 0.085 eV/A (E_bind >= 3.633 eV)",
        "cpu_s": {"OA": 275.0, "NSA": 723.0},
    },
    {
        "attempt": "diagnosis at OA's first failure (BFGS step 32 of the one-stage run): fresh SCF at the last "
        "good geometry r0 and along the failed step r0 + t*dx, t = 0.05...1 (dx up to 0.048 A)",
        "outcome": "r0 converges, every t >= 0.05 (0.0024 A) fails, with a fresh SAD guess and restarted from "
        "r0's wavefunction alike: not a guess problem. SCF traces show two kinds of failure: (a) density error "
        "stalling at ~5e-5 with the energy converged to 1e-7 Eh, then a Broyden blow-up: converges with tblite "
        "accuracy 3 (E changes by 1e-7 eV, forces by 6e-4 eV/A); (b) density error stalling at 3e-3..8e-3 with "
        "1e-4 Eh energy oscillations, then a blow-up: fails with accuracy 3 and 10 as well",
        "cpu_s": {"OA": 70.0},
    },
    {
        "attempt": "one-stage BFGS with backtracking at SCF failures (retry at accuracy 3; the step scaled by "
        "0.5/0.25/0.1/0.05/1.5/2.0; seeded kick only if all fail), OA from the standard start",
        "outcome": "not converged, stopped by hand: 3 kick restarts in 395 CPU s, each followed by a new failure "
        "region at E(complex) -2489.85..-2489.92 eV (0.2 eV above the old lower-bound geometry), fmax 0.39 eV/A; "
        "an earlier variant without the accuracy retry had every scaled step fail at step 32",
        "cpu_s": {"OA": 395.0 + 235.0},  # this variant + the one without the accuracy retry (~630 s together)
    },
    {
        "attempt": "two stages (1: the pair alone relaxes on the relaxed vacancy slab, every slab atom fixed; "
        "2: the top plane released) with the backtracking BFGS: the shipped protocol (RELAX_PROTOCOL)",
        "outcome": "OA converged: stage 1 108 steps (1 restart, 25 SCF failures), E -2490.2423 eV; stage 2 "
        "53 steps (1 restart, 34 SCF failures in all), fmax 0.048 eV/A, E(complex) -2490.5672 eV, 0.456 eV "
        "below the old lower-bound geometry. NSA: not finished after 35 CPU min (killed to meet a deadline; "
        "no intermediate state kept), so NSA's shipped value is still the lower bound of the one-stage run",
        "cpu_s": {"OA": 404.0, "NSA": 2100.0},
    },
    {
        "attempt": "frozen-pair single points with the accuracy-3 SCF fallback (SCF_FALLBACKS[1])",
        "outcome": "PF6's 7-plane point now converges (2.38 eV); PF6's 5-plane point, OA's new 3-plane/2x2/"
        "interaction points and NSA's 3-plane point (retried on the shipped NSA pair, 64 CPU s) still fail",
        "cpu_s": {"NSA": 64.0},
    },
    {
        "attempt": "two stages with <= 30 restarts each (the protocol of the run of 2026-11-30T21:49Z), NSA, "
        "evaluations logged",
        "outcome": "stage 1 (slab fixed) not converged, stopped by hand: 272 evaluations, 252 SCF failures, ~10 "
        "restarts, lowest E(complex) -3211.614 eV; fmax never below 0.15 eV/A: stage 1's minimum for NSA lies "
        "where the SCF fails (a sulfonate O 2.8 A from Pb and 3.5 A from a fixed surface Cs). Hence the stage "
        "budgets STAGE_RESTARTS",
        "cpu_s": {"NSA": 2130.0},
    },
    {
        "attempt": "restart kick 0.02 A instead of 0.05 A (NSA, same protocol)",
        "outcome": "no gain, stopped: after 750 CPU s 92 SCF failures and 3 restarts, lowest E(complex) -3211.476 eV, "
        "above the 0.05 A run at the same cost",
        "cpu_s": {"NSA": 750.0},
    },
    {
        "attempt": "convergence points with the relaxed pair frozen on the unrelaxed (ideal) top plane, shifted "
        "rigidly by 0.05 and 0.1 A along +-z and 0.05 A along +-x; at 17 and 50 A of vacuum",
        "outcome": "OA 3-plane and NSA 3-plane points fail at every shift and vacuum (PF6 5-plane converges at +0.05 "
        "A along x only). Replaced by the relaxed top plane carried over with the pair (frozen_surface): every "
        "point of OAm, OA and PF6 converges",
        "cpu_s": {"OA": 60.0, "NSA": 110.0, "PF6": 110.0},
    },
    {
        "attempt": "not tried for lack of time: FIRE / BFGSLineSearch with maxstep 0.02-0.05 A; other start "
        "geometries (bidentate carboxylate / tripodal sulfonate on the Pb, the anion turned about the Pb-z axis)",
        "outcome": None,
        "cpu_s": None,
    },
)


def _evaluate(atoms: Atoms, s: SlabSettings, counts: dict) -> bool:
    """Energy and forces at the current geometry; on an SCF failure one fresh :data:`RELAX_SCF_FALLBACK`
    calculator. True on success (the calculator that succeeded stays attached), False if both failed."""
    from ase.calculators.calculator import CalculationFailed

    try:
        atoms.get_forces()
        return True
    except CalculationFailed:
        counts["scf_failures"] += 1
    atoms.calc = _calc(s.method, s.electronic_temperature_K, scf=RELAX_SCF_FALLBACK)
    try:
        atoms.get_forces()
        counts["accuracy_fallbacks"] += 1
        return True
    except CalculationFailed:
        counts["scf_failures"] += 1
        atoms.calc = _calc(s.method, s.electronic_temperature_K)  # fresh guess for the next geometry
        return False


def _relax(
    atoms: Atoms, s: SlabSettings, max_restarts: int = MAX_SCF_RESTARTS, backtrack: bool = True
) -> tuple[float, int, bool, dict]:
    """BFGS to ``s.fmax_eV_per_A`` (constraints on ``atoms``), with backtracking around SCF failures.

    The periodic GFN2-xTB SCF diverges in thin regions of configuration space (:data:`SCF_DIAGNOSIS`),
    which no SCF setting fixes but a small displacement avoids. The optimiser (ASE BFGS, maxstep 0.2 A)
    is driven step by step; when the SCF fails at a trial geometry:

    1. the same geometry is retried with a fresh :data:`RELAX_SCF_FALLBACK` calculator (looser SCF
       thresholds, same Hamiltonian);
    2. the step is scaled along its own direction by :data:`BACKTRACK_SCALES` (shorter, then longer),
       keeping the BFGS Hessian (the secant update uses the step actually taken);
    3. only if every scaled step fails, the relaxation restarts from the lowest-energy geometry reached,
       every free atom displaced by a seeded Gaussian kick of ``RESTART_KICK_A`` (reproducible), with a
       fresh Hessian and maxstep 0.1 A, up to ``max_restarts`` times (directly, without step 2, if
       ``backtrack`` is False).

    Without SCF failures this is exactly ``BFGS.run`` (same trajectory). If the step or restart budget
    runs out first, the lowest-energy geometry is kept and returned as not converged: its energy bounds
    the minimum from above.

    Returns energy [eV], optimiser steps, converged, and {"scf_restarts", "fmax_eV_per_A", "backtracks",
    "scf_failures", "accuracy_fallbacks"}.
    """
    from ase.optimize import BFGS

    fixed = np.zeros(len(atoms), dtype=bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            fixed[c.index] = True
    rng = np.random.default_rng(RESTART_SEED)
    best = {"energy": np.inf, "positions": atoms.get_positions(), "fmax": np.inf}
    counts = {"scf_failures": 0, "accuracy_fallbacks": 0, "backtracks": 0}
    steps, restarts, converged = 0, 0, False
    atoms.calc = _calc(s.method, s.electronic_temperature_K)
    if not _evaluate(atoms, s, counts):
        raise SlabSCFError(f"{s.method}: SCF failed at the start geometry of {s.ligand!r}")
    opt = BFGS(atoms, logfile=OPTIMIZER_LOG, maxstep=0.2)
    while True:
        e, f = float(atoms.get_potential_energy()), atoms.get_forces()  # constrained forces (fixed atoms zero)
        fmax = float(np.linalg.norm(f, axis=1).max())
        if e < best["energy"]:
            best.update(energy=e, positions=atoms.get_positions(), fmax=fmax)
        if opt.logfile is not None:
            opt.log(-f.ravel())
        if fmax < s.fmax_eV_per_A:
            converged = True
            break
        if steps >= s.max_steps:
            break
        r0 = atoms.get_positions()
        opt.step()
        opt.nsteps += 1
        steps += 1
        if _evaluate(atoms, s, counts):
            continue
        dx = atoms.get_positions() - r0
        for scale in BACKTRACK_SCALES if backtrack else ():
            counts["backtracks"] += 1
            atoms.set_positions(r0 + scale * dx)
            if _evaluate(atoms, s, counts):
                break
        else:  # every scaled step failed: restart from the best geometry with a seeded kick
            while True:
                restarts += 1
                if restarts > max_restarts:
                    break
                pos = best["positions"].copy()
                pos[~fixed] += rng.normal(0.0, RESTART_KICK_A, size=(int((~fixed).sum()), 3))
                atoms.set_positions(pos)
                atoms.calc = _calc(s.method, s.electronic_temperature_K)
                if _evaluate(atoms, s, counts):
                    break
            if restarts > max_restarts:
                break
            opt = BFGS(atoms, logfile=OPTIMIZER_LOG, maxstep=0.1)
    if converged:
        energy = float(atoms.get_potential_energy())
    else:  # keep the lowest-energy SCF-converged geometry (its energy and forces were evaluated there)
        atoms.set_positions(best["positions"])
        atoms.calc = None
        energy, fmax = best["energy"], best["fmax"]
    return energy, steps, converged, {"scf_restarts": restarts, "fmax_eV_per_A": fmax, **counts}


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
    # stage 1: the pair alone relaxes on the relaxed vacancy slab (every slab atom fixed); stage 2: the top plane
    # is released. Measured on OA: the one-stage relaxation runs into SCF-failure regions while the surface Cs
    # and the carboxylate approach each other together (RELAX_ATTEMPTS); in two stages it converged.
    c1 = time.process_time()
    cplx.set_constraint(FixAtoms(mask=[True] * n_site + [False] * (len(cplx) - n_site)))
    e_ads, n_ads, c_ads, info_ads = _relax(cplx, s, STAGE_RESTARTS[0])
    stage1 = {
        "energy_eV": e_ads,
        "n_steps": n_ads,
        "converged": c_ads,
        "fmax_eV_per_A": info_ads["fmax_eV_per_A"],
        "scf_restarts": info_ads["scf_restarts"],
        "scf_failures": info_ads["scf_failures"],
        "cpu_s": time.process_time() - c1,
    }
    cplx.set_constraint(FixAtoms(mask=list(site.fixed) + [False] * (len(cplx) - n_site)))
    e_cplx, n_cplx, c_cplx, info = _relax(cplx, s, STAGE_RESTARTS[1])
    routes = None
    if not c_cplx:  # second route (ONE_STAGE_ROUTE): one stage from the placed start; the lower energy is kept
        c2 = time.process_time()
        alt = slabmod.place_pair(site, s.ligand)
        alt.set_constraint(FixAtoms(mask=list(site.fixed) + [False] * (len(alt) - n_site)))
        e_alt, n_alt, c_alt, info_alt = _relax(alt, s, MAX_SCF_RESTARTS, backtrack=False)
        routes = {
            "two_stage": {"energy_eV": e_cplx, "converged": c_cplx, "fmax_eV_per_A": info["fmax_eV_per_A"]},
            "one_stage": {
                "energy_eV": e_alt,
                "converged": c_alt,
                "fmax_eV_per_A": info_alt["fmax_eV_per_A"],
                "n_steps": n_alt,
                "scf_restarts": info_alt["scf_restarts"],
                "scf_failures": info_alt["scf_failures"],
                "cpu_s": time.process_time() - c2,
            },
        }
        n_ads += n_alt
        if e_alt < e_cplx:
            routes["kept"] = "one_stage"
            cplx, e_cplx, c_cplx, info = (
                alt,
                e_alt,
                c_alt,
                {
                    **info_alt,
                    **{k: info[k] + info_alt[k] for k in ("scf_failures", "accuracy_fallbacks", "backtracks")},
                },
            )
        else:
            routes["kept"] = "two_stage"
    info = {
        **info,
        **{k: info[k] + info_ads[k] for k in ("scf_failures", "accuracy_fallbacks", "backtracks")},
    }
    n_cplx += n_ads
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
        relax_protocol=RELAX_PROTOCOL,
        scf_failures=int(info["scf_failures"]),
        scf_accuracy_fallbacks=int(info["accuracy_fallbacks"]),
        scf_backtracks=int(info["backtracks"]),
        adsorbate_stage=stage1,
        routes=routes,
        complex_positions_A=np.round(cplx.get_positions(), 6).tolist(),
        site_positions_A=np.round(site.atoms.get_positions(), 6).tolist(),
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
                return _with_pair_reference(SlabResult.from_dict(cached))
            except (TypeError, KeyError, ValueError):  # a damaged or foreign entry counts as a miss
                pass
    result = _compute(s, key, use_cache, cache_dir)
    store_cached(key, result.to_dict(), cache_dir)
    return _with_pair_reference(result)


#: Extra starts of the gas-phase pair relaxation besides its relaxed on-surface geometry: the pair as
#: :func:`qdled.binding.slab.place_pair` puts it (before any relaxation) and that many copies of the
#: on-surface geometry with the cation turned rigidly about its N (seeded random rotations).
PAIR_REFERENCE_ROTATIONS = 4
PAIR_REFERENCE_SEED = 0


def _with_pair_reference(result: SlabResult) -> SlabResult:
    """``result`` with the gas-phase pair reference taken as the lowest of several relaxation starts.

    The non-periodic C+X- pair has several minima (ion pair, H-bonded, proton-transferred), and the one
    a relaxation ends in depends on the start: measured for CH3NH3+ acetate, -600.04 eV from one
    on-surface geometry and -600.37 eV from another or from the placed start. E(pair, gas) is the lowest
    minimum, so the pair is relaxed from its on-surface geometry (the complex run's value), from its
    placed start geometry and from :data:`PAIR_REFERENCE_ROTATIONS` seeded rotations of the cation; the
    lowest energy enters E_bind. Cheap (non-periodic, ~1 s per start); deterministic.
    """
    surface = (
        result.energy_pair_surface_start_eV
        if result.energy_pair_surface_start_eV is not None
        else result.energy_pair_eV
    )
    s = result.settings
    site = slabmod.vacancy_site(s.n_layers, s.lateral, s.vacuum_A)
    n_site = len(site.atoms)
    n_cat = len(slabmod.pair_spec(result.ligand).cation())
    on_surface = np.array(result.pair_positions_rel_A) + site.x_site_A
    starts = {"placed": slabmod.place_pair(site, result.ligand).positions[n_site:]}
    rng = np.random.default_rng(PAIR_REFERENCE_SEED)
    for k in range(PAIR_REFERENCE_ROTATIONS):
        pair = Atoms(result.pair_symbols, positions=on_surface)
        axis = rng.normal(size=3)
        cation = pair[:n_cat]
        cation.rotate(float(rng.uniform(60.0, 180.0)), axis, center=cation.positions[0])
        pair.positions[:n_cat] = cation.positions
        starts[f"cation_rotation_{k + 1}"] = pair.positions
    energies = {"surface": float(surface)}
    for name, positions in starts.items():
        pair = Atoms(result.pair_symbols, positions=positions)
        try:
            energies[name] = float(_relax(pair, s)[0])
        except SlabSCFError:  # a start whose SCF fails is skipped (recorded as None)
            energies[name] = None
    chosen = min((e, name) for name, e in energies.items() if e is not None)[1]
    e_pair = energies[chosen]
    return dataclasses.replace(
        result,
        energy_pair_eV=e_pair,
        binding_energy_eV=result.energy_site_eV + e_pair - result.energy_complex_eV,
        energy_pair_surface_start_eV=float(surface),
        pair_reference={"energies_eV": energies, "chosen": chosen, "rotations_seed": PAIR_REFERENCE_SEED},
    )


def frozen_surface(
    result: SlabResult, *, n_layers: int, lateral: int, lift_A: float = 0.0, vacuum_A: float | None = None
) -> tuple:
    """``result``'s relaxed surface, frozen, on an ideal vacancy slab of ``n_layers`` planes and ``lateral`` cell.

    The relaxed top plane (of the complex and of the bare vacancy slab) and the relaxed pair are carried
    over as they relaxed: the pair relative to the removed apical iodide, each top-plane atom displaced from
    its ideal site as the atom at the same in-plane offset modulo the relaxed cell was (for a larger cell
    the relaxed displacement pattern repeats with the relaxed cell's period, offsets taken from the
    vacancy's nearest image, an approximation away from the pair); the planes beneath stay ideal,
    as they were fixed in the relaxation. At the relaxed size this is exactly the relaxed geometry.
    ``lift_A`` moves the pair up (the vacuum grows by as much); ``vacuum_A`` replaces the relaxed cell's
    vacuum [A] (default: the same). Returns (site, complex, pair) Atoms, periodic, the pair in the
    complex's cell.
    """
    if result.complex_positions_A is None or result.site_positions_A is None:
        raise InputError(f"the {result.ligand} slab result has no relaxed geometry (made before model version 3)")
    s = result.settings
    lift = require_finite_positive("lift_A", lift_A, allow_zero=True)
    source = slabmod.vacancy_site(s.n_layers, s.lateral, s.vacuum_A)
    vacuum = s.vacuum_A if vacuum_A is None else require_finite_positive("vacuum_A", vacuum_A)
    target = slabmod.vacancy_site(n_layers, lateral, vacuum + lift)
    n_src, period = len(source.atoms), s.lateral * slabmod.A
    src_free = ~np.array(source.fixed)
    src_ideal = source.atoms.positions[src_free]
    src_symbols = np.array(source.atoms.get_chemical_symbols())[src_free]
    dz = (n_layers - s.n_layers) / 2 * slabmod.A
    tgt_free = np.flatnonzero(~np.array(target.fixed))
    tgt_period = lateral * slabmod.A
    centre = (np.array(target.a_site_A[:2]) + np.array(target.x_site_A[:2])) / 2  # middle of the removed CsI

    def transplant(relaxed: np.ndarray) -> Atoms:
        shift = relaxed[:n_src][src_free] - src_ideal
        atoms = target.atoms.copy()
        for i in tgt_free:
            xy = atoms.positions[i, :2] - centre
            xy -= tgt_period * np.round(xy / tgt_period)  # nearest image to the vacancy in the target cell
            d = centre + xy - src_ideal[:, :2]
            d -= period * np.round(d / period)  # same offset modulo the relaxed cell
            match = np.flatnonzero((np.hypot(d[:, 0], d[:, 1]) < 1e-6) & (src_symbols == atoms[i].symbol))
            if len(match) != 1 or abs(atoms.positions[i, 2] - dz - src_ideal[match[0], 2]) > 1e-6:
                raise AssertionError(f"no unique relaxed counterpart of top-plane atom {i}")
            atoms.positions[i] += shift[match[0]]
        return atoms

    site = transplant(np.array(result.site_positions_A))
    surface = transplant(np.array(result.complex_positions_A))
    pair = Atoms(result.pair_symbols, positions=np.array(result.pair_positions_rel_A) + target.x_site_A)
    pair.translate([0.0, 0.0, lift])
    pair.set_cell(target.atoms.cell)
    pair.pbc = True
    return site, surface + pair, pair


def frozen_pair_binding_energy(
    result: SlabResult,
    *,
    n_layers: int,
    lateral: int,
    lift_A: float = 0.0,
    interaction: bool = False,
    vacuum_A: float | None = None,
) -> float:
    """Single-point E_bind [eV] of ``result``'s relaxed surface, frozen, on a vacancy slab of another size.

    Geometry from :func:`frozen_surface` (relaxed pair and top plane, ideal planes beneath); at the relaxed
    size it reproduces the relaxed E_bind. The references are the relaxed vacancy slab's top plane on the
    same slab and the relaxed gas pair (``result.energy_pair_eV``). With ``interaction`` the references are
    the complex's own surface without the pair and the frozen pair alone in the same periodic cell: the
    pair-slab interaction energy, which must vanish as ``lift_A`` moves the pair away from the surface.
    """
    _validate(result.ligand, n_layers, lateral, result.settings.method)
    method, t = result.settings.method, result.settings.electronic_temperature_K
    site, cplx, pair = frozen_surface(result, n_layers=n_layers, lateral=lateral, lift_A=lift_A, vacuum_A=vacuum_A)
    if interaction:
        e_ref = _single_point(cplx[: len(site)], method, t) + _single_point(pair, method, t)
    else:
        e_ref = _site_energy(site, method, t) + result.energy_pair_eV
    return e_ref - _single_point(cplx, method, t)


def _site_energy(site: Atoms, method: str, temperature_K: float) -> float:
    """Single-point energy [eV] of a vacancy slab; every ligand of a run shares the same relaxed site, so
    :func:`_cached_energy` computes each scan geometry once."""
    key = (tuple(site.numbers), site.positions.tobytes(), site.cell.array.tobytes())
    return _cached_energy(*key, method, temperature_K)


@functools.lru_cache(maxsize=64)
def _cached_energy(numbers: tuple, positions: bytes, cell: bytes, method: str, temperature_K: float) -> float:
    atoms = Atoms(
        numbers=list(numbers),
        positions=np.frombuffer(positions).reshape(-1, 3),
        cell=np.frombuffer(cell).reshape(3, 3),
        pbc=True,
    )
    return _single_point(atoms, method, temperature_K)


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
    """Frozen-surface E_bind [eV] across thickness (3, 5, 7 planes), lateral cell (2x2, 3x3) and vacuum
    (:data:`SCAN_VACUA_A`); isolated limit.

    Returns {"n_layers": {..}, "lateral": {..}, "vacuum_A": {..}, "interaction_eV": on the surface,
    "isolated_limit_eV": interaction energy with the pair ``lift_A`` above the surface, "lift_A", "k_points",
    "cpu_s"}, the other settings those of ``result`` (see :func:`frozen_pair_binding_energy`; at the relaxed
    size the point is the relaxed E_bind); cached on disk.
    """
    # The frozen-pair points depend on the gas-pair reference only additively (E_bind = E_bare + E_pair -
    # E(bare + pair)): the scan is computed and cached with the on-surface-start reference of the complex run
    # and shifted to the chosen reference (:func:`_with_pair_reference`) on return.
    surface = result.energy_pair_surface_start_eV
    shift = 0.0 if surface is None else result.energy_pair_eV - surface
    key = cache_key({"kind": "slab-convergence", "result": result.cache_key, "lift_A": lift_A, "v": 4})
    cached = load_cached(key, cache_dir) if use_cache else None
    if cached is None:
        base = result if surface is None else dataclasses.replace(result, energy_pair_eV=surface)
        cached = _convergence_scan(base, lift_A)
        store_cached(key, cached, cache_dir)
    out = dict(cached)
    for group in ("n_layers", "lateral", "vacuum_A"):
        out[group] = {k: (None if v is None else v + shift) for k, v in cached[group].items()}
    out["pair_reference_shift_eV"] = shift
    return out


#: Vacuum widths [A] of the convergence scan (the relaxation uses :attr:`SlabSettings.vacuum_A`, 25 A).
SCAN_VACUA_A = (25.0, 50.0, 100.0)


def _convergence_scan(result: SlabResult, lift_A: float) -> dict:
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
        "frozen": "the relaxed pair and top plane on an ideal slab of each size (frozen_surface)",
        "n_layers": {str(n): point(f"L{n}", n_layers=n, lateral=s.lateral) for n in (3, 5, 7)},
        "lateral": {f"{m}x{m}": point(f"{m}x{m}", n_layers=s.n_layers, lateral=m) for m in (2, 3)},
        "vacuum_A": {
            f"{v:g}": point(f"vacuum {v:g} A", n_layers=s.n_layers, lateral=s.lateral, vacuum_A=v) for v in SCAN_VACUA_A
        },
        "interaction_eV": point("interaction", n_layers=s.n_layers, lateral=s.lateral, interaction=True),
        "isolated_limit_eV": point("isolated", n_layers=s.n_layers, lateral=s.lateral, lift_A=lift_A, interaction=True),
        "lift_A": lift_A,
        "k_points": "Gamma only (tblite); 2x2 and 3x3 Gamma supercells = 2x2x1 and 3x3x1 k-meshes of the 1x1 cell",
    }
    if errors:
        out["scf_failures"] = errors
    out["cpu_s"] = time.process_time() - c0
    return out


def _scan_or_error(result: SlabResult, use_cache: bool, cache_dir) -> dict:
    """:func:`convergence_scan`, or {"error": ...} when an SCF of the scan fails (recorded, not fatal)."""
    try:
        return convergence_scan(result, use_cache=use_cache, cache_dir=cache_dir)
    except SlabSCFError as err:
        return {"error": str(err)}


def vacuum_drift_eV(convergence: dict | None) -> float | None:
    """E_bind at 100 A of vacuum minus at 25 A [eV] from a convergence scan (None if either point is missing)."""
    v = (convergence or {}).get("vacuum_A") or {}
    return None if v.get("25") is None or v.get("100") is None else float(v["100"] - v["25"])


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
    converged, vacuum = {}, {}
    for rid, run in sorted(record["runs"].items()):
        columns[f"slab_{rid}"] = dict(run["binding_energies_eV"])
        vacuum[f"slab_{rid}"] = {k: (v or {}).get("vacuum_A") or {} for k, v in run.get("convergence", {}).items()}
        converged[f"slab_{rid}"] = {k: bool(v["converged"]) for k, v in run["results"].items()}
        if run.get("binding_energies_7plane_eV"):
            columns[f"slab_{rid}_7plane"] = dict(run["binding_energies_7plane_eV"])
            converged[f"slab_{rid}_7plane"] = converged[f"slab_{rid}"]  # the 7-plane value adds to the relaxed one
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
            va, vb = (vacuum.get(col, {}).get(k, {}) for k in (a, b))
            if all(v.get(w) is not None for v in (va, vb) for w in ("25", "100")):
                # change of the difference from 25 to 100 A of vacuum: the tblite vacuum defect (module docstring)
                entry[col]["vacuum_25_to_100_eV"] = round((va["100"] - vb["100"]) - (va["25"] - vb["25"]), 4)
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
                f"{r.ligand}: relaxation not converged (stopped by the step or SCF-restart budget after "
                f"{r.scf_restarts} restarts around GFN2-xTB SCF failures, see SCF_DIAGNOSIS and relaxation_attempts) "
                f"at the lowest-energy geometry, residual force {r.fmax_complex_eV_per_A:.3f} eV/A; its E_bind is a "
                "lower bound" + (f" (kept route: {r.routes['kept']}; see second_route)." if r.routes else ".")
            )
    drifts = {r.ligand: vacuum_drift_eV(convergence.get(r.ligand)) for r in results}
    drifts = {k: v for k, v in drifts.items() if v is not None}
    if drifts:
        parts.append(
            "E_bind moves with the vacuum (25-100 A) by "
            + ", ".join(f"{k} {abs(v):.2f} eV" for k, v in drifts.items())
            + ": a defect of tblite's periodic electrostatics (a symmetric slab's energy drifts too; see the "
            "slab_engine module docstring), recorded as an uncertainty."
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
        "relax_protocol": RELAX_PROTOCOL,
        "second_route": ONE_STAGE_ROUTE,
        "relaxation_attempts": list(RELAX_ATTEMPTS),
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

    Returns {"model", "settings", "binding_energies_eV", "converged" (relaxation to fmax; False: E_bind is a
    lower bound), "timing_cpu_s", "convergence", "source",
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
            "converged": {n: bool(run["results"][n]["converged"]) for n in names},
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
        "converged": {r.ligand: r.converged for r in results},
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
