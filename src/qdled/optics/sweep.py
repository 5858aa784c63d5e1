"""Parameter sweeps of the stack (thickness or index of any layer), one or two keys at a time.

Keys are those of :meth:`qdled.io.stack.Stack.with_values` (``"QD.thickness_nm"``,
``"PO-T2T.n"``, ``"emitter.horizontal_fraction"`` ...). The result is an
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

from qdled.errors import InputError
from qdled.optics.channels import CHANNELS
from qdled.optics.outcoupling import PLQY_PAPER, summary

#: key -> thickness values [nm] of the paper's supplementary sweeps (ranges chosen here).
PAPER_SWEEPS: dict[str, np.ndarray] = {
    "QD.thickness_nm": np.arange(10.0, 81.0, 5.0),
    "TmPyPB.thickness_nm": np.arange(2.0, 31.0, 2.0),
    "PO-T2T.thickness_nm": np.arange(10.0, 91.0, 5.0),
    "PTAA.thickness_nm": np.arange(10.0, 81.0, 5.0),
}

VARIABLES = (*CHANNELS, "purcell_factor", "purcell_vertical", "purcell_horizontal", "eqe_ceiling")


def point_values(
    stack, wavelength_nm: float = 628.0, spectrum=None, plqy: float = PLQY_PAPER, charge_balance: float = 1.0
) -> dict[str, float]:
    """:data:`VARIABLES` of one stack (channel fractions flattened beside the Purcell factors and EQE ceiling)."""
    res = summary(stack, wavelength_nm=wavelength_nm, spectrum=spectrum, plqy=plqy, charge_balance=charge_balance)
    return {v: float(res["fractions"][v] if v in CHANNELS else res[v]) for v in VARIABLES}


def sweep(
    stack,
    values: dict,
    wavelength_nm: float = 628.0,
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
    for idx in itertools.product(*(range(n) for n in shape)):  # each point is a different stack
        point = stack.with_values({k: float(g[i]) for k, g, i in zip(keys, grids, idx, strict=False)})
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


def paper_sweeps(stack, wavelength_nm: float = 628.0) -> dict:
    """The paper's one-key thickness sweeps (QD, TmPyPB, PO-T2T, PTAA) as Datasets."""
    return {k: sweep(stack, {k: v}, wavelength_nm) for k, v in PAPER_SWEEPS.items()}
