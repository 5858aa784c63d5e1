"""Radiant intensity of a dipole layer into a coherent semi-infinite substrate, inside and beyond its
critical angle: the forward model of angle-resolved PL through a half-cylinder prism.

In the orientation measurement the emitter film sits on a glass substrate index-matched to a glass
half-cylinder; light leaves the cylinder at normal incidence on its curved face, so the detector sees the
radiant intensity *inside the glass*, including the "forbidden" angles beyond the air critical angle that
only near fields can feed [1, 2]. :func:`qdled.optics.far_field` covers the incoherent-substrate device (into
air), so this module builds the glass-side intensity from the public transfer-matrix/dipole functions:
for a plane wave of normalised in-plane wavevector ``u = n_s sin(theta_s) / n_e``, the power per unit u that a
dipole component sends into the substrate is ``K_c(u)`` times the fraction leaving the dipole downwards times
the fraction of that downward flux that crosses the layers below into the substrate (the flux ratio of the
lower half stack; absorption in layers between emitter and substrate is removed). Per solid angle in the
substrate

    I_c(theta_s) = K_c,sub(u) (du/dtheta_s) / (2 pi sin theta_s),   du/dtheta_s = n_s cos(theta_s) / n_e,

in units of the free-dipole power (in the infinite emitter medium) per steradian, the same units as
:func:`qdled.optics.far_field`. ``v`` and ``hp`` radiate p-polarised light, ``hs`` s-polarised.

References
----------
.. [1] J. Frischeisen, D. Yokoyama, A. Endo, C. Adachi and W. Brütting, Appl. Phys. Lett. 96, 073302 (2010).
.. [2] T. D. Schmidt, T. Lampe, D. Sylvinson M. R., P. I. Djurovich, M. E. Thompson and W. Brütting,
   Phys. Rev. Applied 8, 037001 (2017).
.. [3] W. Lukosz and R. E. Kunz, J. Opt. Soc. Am. 67, 1607 (1977) (dipole near an interface, forbidden light).
.. [4] K. A. Neyts, J. Opt. Soc. Am. A 15, 962 (1998).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError
from qdled.optics import emission_zone
from qdled.optics.dipole import dipole_fields
from qdled.optics.outcoupling import geometry


@dataclass(frozen=True)
class SubstrateIntensity:
    """Radiant intensity in the substrate per dipole component, W/sr per W of the free dipole.

    ``component[c]`` for ``c`` in ("v", "hs", "hp"): arrays (n_wl, n_pos, n_angle), one row per dipole plane
    (``position_nm``); :meth:`p` and :meth:`s` mix orientations and average the planes with ``weights``.
    """

    angle_deg: np.ndarray
    wavelength_nm: np.ndarray
    position_nm: np.ndarray
    weights: np.ndarray
    component: dict

    def _avg(self, key):
        return np.einsum("p,wpa->wa", self.weights, self.component[key])

    def p(self, horizontal_fraction: float) -> np.ndarray:
        """p-polarised intensity (n_wl, n_angle) of an orientation mix."""
        h = float(horizontal_fraction)
        return h * self._avg("hp") + (1 - h) * self._avg("v")

    def s(self, horizontal_fraction: float) -> np.ndarray:
        """s-polarised intensity (n_wl, n_angle) of an orientation mix."""
        return float(horizontal_fraction) * self._avg("hs")


def substrate_intensity(stack, wavelength_nm, angle_deg, zone=None) -> SubstrateIntensity:
    """Radiant intensity of the stack's emitter into its coherent semi-infinite substrate.

    Parameters
    ----------
    stack : qdled.io.stack.Stack
        Needs ``substrate = {n = .., coherent = true}`` (a half-space; e.g. glass index-matched to a prism).
    wavelength_nm : float or array [nm]
    angle_deg : array
        Angles inside the substrate from the normal, in [0, 90) deg (beyond the critical angle allowed).
    zone : see :func:`qdled.optics.outcoupling.emission_zone` (default: the stack's emitter position)

    Returns
    -------
    SubstrateIntensity
    """
    if not stack.substrate.coherent:
        raise InputError("substrate_intensity needs a coherent semi-infinite substrate (substrate.coherent = true)")
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    ang = np.atleast_1d(np.asarray(angle_deg, dtype=float))
    if wl.ndim != 1 or not np.all(np.isfinite(wl)) or np.any(wl <= 0):
        raise InputError(f"wavelength_nm must be finite and > 0, got {wavelength_nm!r}")
    if ang.ndim != 1 or not np.all(np.isfinite(ang)) or np.any((ang < 0) | (ang >= 90)):
        raise InputError(f"angle_deg must be in [0, 90), got {angle_deg!r}")
    geom = geometry(stack, wl)[0]
    pos, weights = emission_zone(stack, zone)
    n_s = stack.substrate.index(wl).real[:, None]
    n_e = geom.n_emitter[:, None]
    th = np.radians(np.maximum(ang, 1e-3))[None, :]  # I(0) as the limit theta -> 0
    u = n_s * np.sin(th) / n_e  # (n_wl, n_angle), real
    fields = dipole_fields(geom, u, pos, need_split=True)
    jac = (n_s * np.cos(th) / n_e) / (2 * np.pi * np.sin(th))
    out = {}
    for name, pol in (("v", "p"), ("hs", "s"), ("hp", "p")):
        below = fields.bottom[pol]
        f0 = below.flux[0][:, None, :]
        crossing = below.flux[-1][:, None, :] / np.where(np.abs(f0) > 0, f0, np.inf)
        k_sub = fields.f[name].real * fields.down[name] * crossing  # = 1 - up unless the emitter absorbs
        out[name] = k_sub * jac[:, None, :]
    return SubstrateIntensity(ang, wl, np.asarray(pos, dtype=float), np.asarray(weights, dtype=float), out)


__all__ = ["SubstrateIntensity", "substrate_intensity"]
