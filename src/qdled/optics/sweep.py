"""Parameter sweeps of the stack (thickness or index of any layer), one or two keys at a time.

Keys are those of :meth:`qdled.io.stack.Stack.with_values` (``"QD.thickness_nm"``,
``"PO-T2T.n"``, ``"TmPyPB.n_e"`` (uniaxial), ``"emitter.horizontal_fraction"`` ...). The result is an
:class:`xarray.Dataset` with one dimension per key holding the channel fractions, the
Purcell factors and the EQE ceiling. :data:`PAPER_SWEEPS` reproduces the thickness sweeps of
the paper's Supplementary Figs. 11-14 (QD, TmPyPB, PO-T2T, PTAA).

References
----------
.. [1] Y. Li et al., Nat. Commun. 15, 5696 (2024), Supplementary Figs. 10-14 (Setfos sweeps).
"""

from __future__ import annotations

import itertools

import numpy as np

from qdled.errors import InputError, require_finite_positive
from qdled.optics.channels import CHANNELS, emission
from qdled.optics.dipole import make_geometry
from qdled.optics.outcoupling import EL_PEAK_NM, PLQY_PAPER, effective_radiative_efficiency, emission_zone, summary

#: key -> thickness values [nm] of the paper's supplementary sweeps (ranges chosen here).
PAPER_SWEEPS: dict[str, np.ndarray] = {
    "QD.thickness_nm": np.arange(10.0, 81.0, 5.0),
    "TmPyPB.thickness_nm": np.arange(2.0, 31.0, 2.0),
    "PO-T2T.thickness_nm": np.arange(10.0, 91.0, 5.0),
    "PTAA.thickness_nm": np.arange(10.0, 81.0, 5.0),
}

VARIABLES = (*CHANNELS, "purcell_factor", "purcell_vertical", "purcell_horizontal", "eqe_ceiling")


def point_values(
    stack, wavelength_nm: float = EL_PEAK_NM, spectrum=None, plqy: float = PLQY_PAPER, charge_balance: float = 1.0
) -> dict[str, float]:
    """:data:`VARIABLES` of one stack (channel fractions flattened beside the Purcell factors and EQE ceiling)."""
    res = summary(stack, wavelength_nm=wavelength_nm, spectrum=spectrum, plqy=plqy, charge_balance=charge_balance)
    return {v: float(res["fractions"][v] if v in CHANNELS else res[v]) for v in VARIABLES}


#: stacks solved together in one vectorised pass (memory grows with it: ~2 MB per stack)
BATCH_ROWS = 64


def points_values(
    stacks, wavelength_nm: float = EL_PEAK_NM, plqy: float = PLQY_PAPER, charge_balance: float = 1.0
) -> dict[str, np.ndarray]:
    """:data:`VARIABLES` of many stacks at one wavelength, {variable: array (n_stacks,)}.

    The same figures as :func:`point_values` stack by stack, but stacks with the same layer count,
    emitter layer, substrate kind and emission-zone weights are solved together: each is a row of
    one :class:`qdled.optics.dipole.Geometry` (per-row thicknesses and dipole positions), so the
    transfer matrices, mode scans and the u-quadrature run once per batch of :data:`BATCH_ROWS`
    stacks, and each distinct material's index is looked up once. The quadrature's panel count
    is shared by a batch (set by its least converged stack), so the figures agree with
    :func:`point_values` within the quadrature tolerance (1e-4 of the free-dipole power).
    """
    wl = require_finite_positive("wavelength_nm", wavelength_nm)
    for name, v in (("plqy", plqy), ("charge_balance", charge_balance)):
        if not 0 < float(v) <= 1:
            raise InputError(f"{name} must be in (0, 1], got {v!r}")
    out = {v: np.full(len(stacks), np.nan) for v in VARIABLES}
    groups: dict = {}
    zones = [emission_zone(st) for st in stacks]
    for i, st in enumerate(stacks):
        key = (
            len(st.layers),
            st.emitter_index,
            bool(st.substrate.coherent),
            tuple(zones[i][1]),
            bool(st.emitter.absorbing),
        )
        groups.setdefault(key, []).append(i)
    cache: dict = {}

    def index(medium) -> complex:  # material dispersion shared by the stacks of a sweep
        key = (medium.material, medium.n, medium.k)
        if key not in cache:
            cache[key] = complex(np.asarray(medium.index(np.array([wl])))[0])
        return cache[key]

    def index_z(layer) -> complex:  # extraordinary index (the ordinary one if isotropic)
        return index(layer) if layer.n_e is None else complex(layer.n_e, layer.k_e)

    for (_, e, coherent, weights, absorbing), members in groups.items():
        for start in range(0, len(members), BATCH_ROWS):
            rows = members[start : start + BATCH_ROWS]
            batch = [stacks[i] for i in rows]
            geom = make_geometry(
                np.array([[index(layer) for layer in st.layers] for st in batch]),
                np.array([st.thicknesses_nm for st in batch]),
                e,
                np.array([index(st.substrate) for st in batch]),
                np.array([index(st.top) for st in batch]),
                np.full(len(batch), wl),
                n_layers_z=np.array([[index_z(layer) for layer in st.layers] for st in batch])
                if any(st.uniaxial for st in batch)
                else None,
                absorbing_emitter=absorbing,
            )
            em = emission(
                geom,
                np.array([zones[i][0] for i in rows]),
                np.asarray(weights),
                n_outside=np.array([index(st.outside) for st in batch]),
                substrate_coherent=coherent,
            )
            h = np.array([st.emitter.horizontal_fraction for st in batch])
            mixed = h * em.purcell["h"] + (1 - h) * em.purcell["v"]
            fractions = em.fractions(h)
            values = {c: fractions[c] for c in CHANNELS}
            values.update(purcell_factor=mixed, purcell_vertical=em.purcell["v"], purcell_horizontal=em.purcell["h"])
            values["eqe_ceiling"] = (
                charge_balance * effective_radiative_efficiency(mixed, plqy) * fractions["outcoupled"]
            )
            for v in VARIABLES:
                out[v][rows] = values[v]
    return out


def sweep(
    stack,
    values: dict,
    wavelength_nm: float = EL_PEAK_NM,
    spectrum=None,
    plqy: float = PLQY_PAPER,
    charge_balance: float = 1.0,
):
    """Evaluate :func:`qdled.optics.summary` over the grid of one or two stack keys.

    Parameters
    ----------
    stack : qdled.io.stack.Stack
    values : dict key -> 1-d array
        One or two keys of :meth:`Stack.with_values` with the values to scan.

    Returns
    -------
    xarray.Dataset
        Dimensions named by the keys; variables :data:`VARIABLES` (fractions of the total
        dissipated power, Purcell factors, EQE ceiling).
    """
    import xarray as xr

    if not 1 <= len(values) <= 2:
        raise InputError(f"sweep takes one or two keys, got {list(values)}")
    keys = list(values)
    grids = [np.atleast_1d(np.asarray(values[k], dtype=float)) for k in keys]
    if any(g.ndim != 1 or g.size == 0 for g in grids):
        raise InputError("sweep values must be non-empty 1-d arrays")
    shape = tuple(len(g) for g in grids)
    data = {v: np.empty(shape) for v in VARIABLES}
    points = list(itertools.product(*(range(n) for n in shape)))  # each point is a different stack
    stacks = [stack.with_values({k: float(g[i]) for k, g, i in zip(keys, grids, idx, strict=False)}) for idx in points]
    if spectrum is None:  # one wavelength: the stacks are solved together
        flat = points_values(stacks, wavelength_nm, plqy, charge_balance)
        data = {v: flat[v].reshape(shape) for v in VARIABLES}
    else:
        for idx, point in zip(points, stacks, strict=True):
            for v, x in point_values(point, wavelength_nm, spectrum, plqy, charge_balance).items():
                data[v][idx] = x
    coords = {k: g for k, g in zip(keys, grids, strict=False)}
    ds = xr.Dataset({v: (keys, a) for v, a in data.items()}, coords=coords)
    ds.attrs.update(
        {
            "stack": stack.name,
            "wavelength_nm": wavelength_nm if spectrum is None else "spectrum",
            "plqy": plqy,
            "charge_balance": charge_balance,
        }
    )
    return ds


def paper_sweeps(stack, wavelength_nm: float = EL_PEAK_NM) -> dict:
    """The paper's one-key thickness sweeps (QD, TmPyPB, PO-T2T, PTAA) as Datasets."""
    return {k: sweep(stack, {k: v}, wavelength_nm) for k, v in PAPER_SWEEPS.items()}
