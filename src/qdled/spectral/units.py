"""Photon energy <-> wavelength: h c / e and the conversions built on it (the one copy in the package).

References
----------
CODATA 2018 exact SI constants (scipy.constants): h, c, e.
"""

from __future__ import annotations

import numpy as np
from scipy import constants as _c

from qdled.errors import InputError

__all__ = ["HC_EV_NM", "HC_J_M", "photon_energy_eV", "photon_wavelength_nm"]

#: h c [J m]: energy of a photon of wavelength 1 m.
HC_J_M = _c.h * _c.c
#: h c / e [eV nm] (1239.84...): photon energy in eV times wavelength in nm.
HC_EV_NM = HC_J_M / _c.e * 1e9


def _positive(name: str, x):
    a = np.asarray(x, dtype=float)
    if not (np.all(np.isfinite(a)) and np.all(a > 0)):
        raise InputError(f"{name} must be finite and > 0, got {x!r}")
    return a


def photon_energy_eV(wavelength_nm):
    """Photon energy [eV] of a vacuum wavelength [nm] (float for a scalar, else an array)."""
    e = HC_EV_NM / _positive("wavelength_nm", wavelength_nm)
    return float(e) if np.ndim(e) == 0 else e


def photon_wavelength_nm(energy_eV):
    """Vacuum wavelength [nm] of a photon energy [eV] (float for a scalar, else an array)."""
    wl = HC_EV_NM / _positive("energy_eV", energy_eV)
    return float(wl) if np.ndim(wl) == 0 else wl
