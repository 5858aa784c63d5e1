"""Far field in the outside medium: angular radiant intensity (s, p) and CIE xy vs angle.

The outcoupled density per unit u, ``K_out(u)`` (azimuthally integrated, see
:func:`qdled.optics.channels.radiative_densities`), becomes a radiant intensity per solid
angle in the outside medium through ``n_e u = n_out sin(theta)``:

    I(theta) = K_out(u) (du/dtheta) / (2 pi sin theta),  du/dtheta = n_out cos(theta) / n_e

in units of the free-dipole power per steradian. Colour coordinates are :mod:`qdled.spectral`'s (CIE 1931 2 deg
colour-matching functions of colour-science).

References
----------
.. [1] M. Furno et al., Phys. Rev. B 85, 115205 (2012), eq. (11) (angular emission).
.. [2] CIE 015:2018 Colorimetry, 4th ed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError
from qdled.optics.channels import radiative_densities
from qdled.optics.outcoupling import emission_zone, geometry
from qdled.spectral import Spectrum, cie_xy


@dataclass(frozen=True)
class FarField:
    """Radiant intensity in the outside medium.

    Attributes
    ----------
    angle_deg : (n_angle,)
    wavelength_nm : (n_wl,)
    intensity_s, intensity_p : (n_wl, n_angle)
        W/sr per W of the free dipole (orientation mix and emission zone applied).
    """

    angle_deg: np.ndarray
    wavelength_nm: np.ndarray
    intensity_s: np.ndarray
    intensity_p: np.ndarray

    @property
    def intensity(self) -> np.ndarray:
        """s + p radiant intensity, (n_wl, n_angle)."""
        return self.intensity_s + self.intensity_p

    def outcoupled(self) -> np.ndarray:
        """Outcoupled power per wavelength from integrating ``I`` over the hemisphere (check)."""
        th = np.radians(self.angle_deg)
        return np.trapezoid(self.intensity * 2 * np.pi * np.sin(th), th, axis=-1)


def far_field(stack, wavelength_nm, angle_deg=None, zone=None, horizontal_fraction=None) -> FarField:
    """Angular radiant intensity through the substrate into the outside medium.

    Parameters
    ----------
    stack : qdled.io.stack.Stack
    wavelength_nm : float or array [nm]
    angle_deg : array, optional
        Angles in the outside medium, 0 .. < 90 deg (default 0 .. 89.5 in 0.5 deg steps).
    """
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    ang = np.arange(0.0, 90.0, 0.5) if angle_deg is None else np.asarray(angle_deg, dtype=float)
    if np.any((ang < 0) | (ang >= 90)):
        raise InputError(f"angle_deg must be in [0, 90), got {ang.min()} .. {ang.max()}")
    if stack.substrate.coherent:
        raise InputError("far_field needs an incoherent substrate with an outside medium")
    geom, n_out, _ = geometry(stack, wl)
    pos, w = emission_zone(stack, zone)
    th = np.radians(np.maximum(ang, 1e-3))  # I(0) as the limit theta -> 0
    n_o = n_out.real[:, None]
    ne = geom.n_emitter[:, None]
    u = n_o * np.sin(th)[None, :] / ne
    dens = radiative_densities(geom, u, pos, n_out, False)
    h = stack.emitter.horizontal_fraction if horizontal_fraction is None else float(horizontal_fraction)
    jac = (n_o * np.cos(th)[None, :] / ne) / (2 * np.pi * np.sin(th)[None, :])
    zone_avg = lambda key: np.einsum("p,wpu->wu", w, dens[key])  # noqa: E731
    i_s = h * zone_avg("comp.hs.outcoupled") * jac
    i_p = (h * zone_avg("comp.hp.outcoupled") + (1 - h) * zone_avg("comp.v.outcoupled")) * jac
    return FarField(ang, wl, i_s, i_p)


def cie_xy_vs_angle(stack, pl: Spectrum, angle_deg=None, zone=None):
    """CIE 1931 xy (:func:`qdled.spectral.cie_xy`) of the emitted spectrum at each angle.

    Parameters
    ----------
    pl : Spectrum
        Intrinsic PL spectrum (per unit wavelength).

    Returns
    -------
    (angle_deg, xy) with xy of shape (n_angle, 2)
    """
    ff = far_field(stack, pl.wavelength_nm, angle_deg, zone)
    intensity = np.asarray(ff.intensity).reshape(pl.wavelength_nm.size, -1)  # (n_wl, n_angle)
    return ff.angle_deg, np.array([cie_xy(pl.scaled(intensity[:, j])) for j in range(intensity.shape[1])])
