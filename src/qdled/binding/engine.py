"""Ligand binding energies on the CsPbI3 surface site with GFN2-xTB (tblite through ASE).

E_bind = E(surface) + E(ligand) - E(surface + ligand), positive when binding is favourable,
in eV. Fragment charges: surface site +1 (iodide vacancy, see
:mod:`qdled.binding.structures`), ligand 0 (L-type) or -1 (X-type), complex the sum.

Two modes:

- ``"rigid"``: the free ligand is relaxed alone; surface kept ideal; the ligand is put on
  the open Pb as a rigid body and only the Pb-donor distance is optimised (bounded scalar
  minimisation, scipy). This is an interaction energy without surface relaxation.
- ``"relaxed"``: starting from the rigid optimum, the complex and the bare surface are
  relaxed with ASE's BFGS to ``fmax_eV_per_A``; surface atoms farther than
  ``free_radius_A`` from the binding Pb are fixed (the "core"), in both. The ligand is free
  and may find another site (``pb_donor_distance_A`` of the result tells).

Only the gas phase is modelled (no solvent, no other ligands), and GFN2-xTB is a
semi-empirical tight-binding method (ref. [1]); the paper's numbers come from DFT
(ref. [2]), so deviations of some tenths of an eV and more for charged fragments are expected.

References
----------
.. [1] Bannwarth, C., Ehlert, S. & Grimme, S. GFN2-xTB - an accurate and broadly
   parametrized self-consistent tight-binding quantum chemical method with multipole
   electrostatics and density-dependent dispersion contributions. J. Chem. Theory Comput.
   15, 1652 (2019); implementation: tblite (https://github.com/tblite/tblite).
.. [2] Li, Y. et al. Nat. Commun. 15, 5696 (2024) (DFT binding energies, Fig. 2a).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass
from importlib.metadata import version
from typing import Callable, Iterator

import numpy as np
from ase import Atoms
from ase.constraints import FixAtoms

from qdled.errors import InputError, require_finite_positive

from . import structures
from .cache import cache_key, load_cached, store_cached

METHOD = "GFN2-xTB"

#: Bumped whenever structures or the protocol change, so that old cache entries are not reused.
MODEL_VERSION = 1
MODES = ("rigid", "relaxed")

#: Pb-donor distance bounds of the rigid scan [angstrom].
SCAN_BOUNDS_A = (2.0, 4.5)


@dataclass(frozen=True)
class BindingSettings:
    """Everything that defines one calculation (hashed for the disk cache)."""

    ligand: str
    cluster_n: int = 1
    mode: str = "relaxed"
    method: str = METHOD
    fmax_eV_per_A: float = 0.05
    max_steps: int = 300
    free_radius_A: float = 4.0
    electronic_temperature_K: float = 300.0


@dataclass(frozen=True)
class BindingResult:
    """Binding energy of one ligand with the energies and metadata that produced it."""

    ligand: str
    binding_energy_eV: float
    energy_complex_eV: float
    energy_surface_eV: float
    energy_ligand_eV: float
    charge_surface: int
    charge_ligand: int
    charge_complex: int
    pb_donor_distance_A: float
    ligand_model: str
    surface_formula: str
    complex_formula: str
    n_steps: int
    converged: bool
    settings: BindingSettings
    tblite_version: str
    cache_key: str

    def to_dict(self) -> dict:
        """Plain-dict form (JSON-serialisable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BindingResult":
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "settings": BindingSettings(**data["settings"])})


def _calculator(charge: int, settings: BindingSettings):
    from tblite.ase import TBLite

    return TBLite(
        method=settings.method,
        charge=charge,
        multiplicity=1,
        verbosity=0,
        electronic_temperature=settings.electronic_temperature_K,
    )


def _energy(atoms: Atoms, charge: int, settings: BindingSettings) -> float:
    atoms.calc = _calculator(charge, settings)
    return float(atoms.get_potential_energy())


def _relax(atoms: Atoms, charge: int, settings: BindingSettings, step: Callable[[], None]) -> tuple[float, int, bool]:
    """BFGS to fmax (constraints already on ``atoms``); returns energy, steps, converged."""
    from ase.optimize import BFGS

    atoms.calc = _calculator(charge, settings)
    opt = BFGS(atoms, logfile=None)
    converged = False
    n = 0
    for converged in opt.irun(fmax=settings.fmax_eV_per_A, steps=settings.max_steps):  # noqa: B007 (read after)
        n = opt.nsteps
        step()
    return float(atoms.get_potential_energy()), n, bool(converged)


def _core_mask(site: structures.SurfaceSite, n_total: int, radius_A: float) -> np.ndarray:
    pos = site.atoms.get_positions()
    far = np.linalg.norm(pos - pos[site.pb_index], axis=1) > radius_A
    return np.concatenate([far, np.zeros(n_total - len(far), bool)])


@contextlib.contextmanager
def _progress(enabled: bool, description: str, total: int) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields ``advance(description=None)``."""
    if not enabled:
        yield lambda description=None: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def advance(description: str | None = None) -> None:
            bar.update(task, advance=1, **({"description": description} if description else {}))

        yield advance


def _compute(settings: BindingSettings, key: str, progress: bool) -> BindingResult:
    from scipy.optimize import minimize_scalar

    spec = structures.ligand_spec(settings.ligand)
    site = structures.surface_site(settings.cluster_n)
    q_s, q_l = site.charge, spec.charge
    total = 2 * settings.max_steps + 40 if settings.mode == "relaxed" else settings.max_steps + 20
    with _progress(progress, f"{settings.ligand}: free ligand", total) as advance:
        ligand = spec.build()
        if len(ligand) > 1:
            e_lig, _, ligand_converged = _relax(ligand, q_l, settings, advance)
        else:
            e_lig, ligand_converged = _energy(ligand, q_l, settings), True

        def e_complex(d: float) -> float:
            advance(f"{settings.ligand}: distance scan")
            return _energy(structures.place_ligand(site, ligand, spec.binding_element, d), q_s + q_l, settings)

        scan = minimize_scalar(e_complex, bounds=SCAN_BOUNDS_A, method="bounded", options={"xatol": 0.02})
        complex_ = structures.place_ligand(site, ligand, spec.binding_element, float(scan.x))
        surface = site.atoms.copy()
        if settings.mode == "rigid":
            e_surf, e_cplx, n_steps, converged = _energy(surface, q_s, settings), float(scan.fun), 0, ligand_converged
        else:
            surface.set_constraint(FixAtoms(mask=_core_mask(site, len(surface), settings.free_radius_A)))
            complex_.set_constraint(FixAtoms(mask=_core_mask(site, len(complex_), settings.free_radius_A)))
            advance(f"{settings.ligand}: relaxing surface")
            e_surf, n1, c1 = _relax(surface, q_s, settings, advance)
            advance(f"{settings.ligand}: relaxing complex")
            e_cplx, n2, c2 = _relax(complex_, q_s + q_l, settings, advance)
            n_steps, converged = n1 + n2, ligand_converged and c1 and c2
    n_site = len(site.atoms)
    donor = n_site + structures.binding_atom(ligand, spec.binding_element)
    return BindingResult(
        ligand=settings.ligand,
        binding_energy_eV=e_surf + e_lig - e_cplx,
        energy_complex_eV=e_cplx,
        energy_surface_eV=e_surf,
        energy_ligand_eV=e_lig,
        charge_surface=q_s,
        charge_ligand=q_l,
        charge_complex=q_s + q_l,
        pb_donor_distance_A=float(complex_.get_distance(site.pb_index, donor)),
        ligand_model=spec.model,
        surface_formula=site.atoms.get_chemical_formula(),
        complex_formula=complex_.get_chemical_formula(),
        n_steps=n_steps,
        converged=converged,
        settings=settings,
        tblite_version=version("tblite"),
        cache_key=key,
    )


def compute_binding_energy(
    ligand: str,
    *,
    cluster_n: int = 1,
    mode: str = "relaxed",
    fmax_eV_per_A: float = 0.05,
    max_steps: int = 300,
    free_radius_A: float = 4.0,
    use_cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    progress: bool = False,
) -> BindingResult:
    """Binding energy [eV] of ``ligand`` on the CsPbI3 surface site with GFN2-xTB.

    Parameters
    ----------
    ligand : a key of :data:`qdled.binding.structures.LIGANDS` ("OAm", "OA", "NSA", "PF6", ...).
    cluster_n : surface cluster size, Pb per in-plane edge (1: Cs4PbI6, 3: Cs24Pb9I42).
    mode : "rigid" (rigid ligand, optimised Pb-donor distance) or "relaxed" (BFGS, fixed core).
    fmax_eV_per_A : force threshold of the relaxations [eV/angstrom].
    max_steps : maximum optimiser steps per relaxation.
    free_radius_A : surface atoms within this distance of the binding Pb move [angstrom].
    use_cache : read a previous result with identical settings from the disk cache.
    cache_dir : cache directory (default ``$QDLED_CACHE_DIR`` or ``~/.cache/qdled``).
    progress : show a rich progress bar on stderr.

    Returns
    -------
    BindingResult (frozen), ``binding_energy_eV`` > 0 for favourable binding.

    References
    ----------
    See the module docstring ([1] GFN2-xTB, [2] the paper's DFT values).
    """
    structures.ligand_spec(ligand)
    if mode not in MODES:
        raise InputError(f"mode must be one of {MODES}, got {mode!r}")
    if cluster_n not in structures.CLUSTER_SIZES:
        raise InputError(f"cluster_n must be one of {structures.CLUSTER_SIZES}, got {cluster_n!r}")
    if not isinstance(max_steps, int) or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    settings = BindingSettings(
        ligand=ligand,
        cluster_n=cluster_n,
        mode=mode,
        fmax_eV_per_A=require_finite_positive("fmax_eV_per_A", fmax_eV_per_A),
        max_steps=max_steps,
        free_radius_A=require_finite_positive("free_radius_A", free_radius_A),
    )
    key = cache_key({**asdict(settings), "model_version": MODEL_VERSION, "tblite": version("tblite")})
    if use_cache:
        cached = load_cached(key, cache_dir)
        if cached is not None:
            try:
                return BindingResult.from_dict(cached)
            except (TypeError, KeyError, ValueError):  # a damaged or foreign entry counts as a miss
                pass
    result = _compute(settings, key, progress)
    store_cached(key, result.to_dict(), cache_dir)
    return result
