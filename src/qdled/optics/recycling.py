"""Photon recycling in the emitter layer of a stack: reabsorption of the film's own light inside the cavity.

A photon emitted at wavelength ``lambda`` by a dipole in the QD film ends in one of the loss channels of
:mod:`qdled.optics.channels`; with an absorbing emitter layer (``[emitter] absorbing = true``) one of them is
the film itself: ``a(lambda) = (P_emitter_absorbed + P_absorbed,emitter row) / F`` per emitted photon (first
pass plus light sent back by the substrate's far side, both inside the radiative range), with the in-stack
field of the cavity and the layer's extinction coefficient. A reabsorbed photon makes an exciton that emits
again with the dots' radiative efficiency in the cavity ``q_F = F q / (1 - q + F q)`` (PLQY ``q``, Purcell factor
``F``), into the same intrinsic spectrum ``s``. Summing the generations (a geometric series),

    eta_out,recycled = eta_out / (1 - q_F a_bar),   a_bar = sum s(l) P_reabs(l) / sum s(l) F(l),

with ``eta_out`` the outcoupled share of the first pass (same spectral weights, as in
:func:`qdled.optics.el_spectrum`). Each generation leaves with the same spectrum ``s x P_out``, so recycling
scales the EL without changing its shape; the film's absorption changes the shape only through ``P_out``
(blue photons are absorbed more): :func:`photon_recycling` reports that shift against the lossless emitter.

Assumptions: re-emission is isotropic in the stack's orientation mix and at the emission zone's positions
(absorbed light is spread over the film; the zone's Purcell factor is used); non-radiative transfer among dots
(near-field absorption) is the film model's Foerster transfer (:mod:`qdled.dots.film_transfer`), not counted here.
Written here because no open optics package computes recycling with the cavity's in-stack absorption.

References
----------
.. [1] Yablonovitch, E., Miller, O. D. & Kurtz, S. R., Proc. IEEE PVSC (2012) and Miller, O. D., Yablonovitch, E.
   & Kurtz, S. R., IEEE J. Photovolt. 2, 303 (2012): photon recycling as a geometric series of re-emissions.
.. [2] Cho, C. et al., Nat. Commun. 11, 611 (2020): photon recycling raises the outcoupling of perovskite LEDs.
.. [3] Furno, M. et al., Phys. Rev. B 85, 115205 (2012): channel powers in units of the free dipole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError
from qdled.spectral import Spectrum

__all__ = ["Recycling", "photon_recycling"]


@dataclass(frozen=True)
class Recycling:
    """Photon recycling in the emitter layer (fractions per emitted photon, spectrally averaged).

    ``reabsorbed_fraction``: ``a_bar``; ``eta_out_first_pass``: outcoupled with the absorbing film, no
    re-emission; ``eta_out``: with recycling; ``eta_out_lossless``: the same stack with a lossless emitter;
    ``recycling_gain``: ``1 / (1 - q_F a_bar)``; ``radiative_efficiency``: ``q_F``; ``el`` the EL with the
    absorbing film (normalised); ``el_shift_nm``: its peak against the lossless emitter's EL."""

    reabsorbed_fraction: float
    eta_out_first_pass: float
    eta_out: float
    eta_out_lossless: float
    recycling_gain: float
    radiative_efficiency: float
    el: Spectrum
    el_shift_nm: float

    def to_dict(self) -> dict:
        """JSON-ready scalars."""
        return {
            "reabsorbed_fraction": self.reabsorbed_fraction,
            "eta_out_first_pass": self.eta_out_first_pass,
            "eta_out": self.eta_out,
            "eta_out_lossless": self.eta_out_lossless,
            "recycling_gain": self.recycling_gain,
            "radiative_efficiency": self.radiative_efficiency,
            "el_peak_nm": self.el.peak_nm,
            "el_shift_nm": self.el_shift_nm,
        }


def photon_recycling(stack, pl: Spectrum, plqy: float, zone=None) -> Recycling:
    """Reabsorption and re-emission of the film's light in ``stack`` (see the module docstring).

    Parameters
    ----------
    stack : qdled.io.stack.Stack
        The device; its emitter layer is taken absorbing here whatever ``emitter.absorbing`` says.
    pl : Spectrum
        Intrinsic emission spectrum of the dots.
    plqy : float
        PL quantum yield of the film, in (0, 1].
    zone : see :func:`qdled.optics.emission_zone`

    Returns
    -------
    Recycling
    """
    from qdled.optics.outcoupling import effective_radiative_efficiency, el_spectrum

    q = float(plqy)
    if not 0 < q <= 1:
        raise InputError(f"plqy must be in (0, 1], got {plqy!r}")
    lossless = el_spectrum(stack.with_values({"emitter.absorbing": False}), pl, zone=zone)
    lossy_stack = stack.with_values({"emitter.absorbing": True})
    em = el_spectrum(lossy_stack, pl, zone=zone)
    h = lossy_stack.emitter.horizontal_fraction
    e, i = em.emission, lossy_stack.emitter_index
    _, s = pl

    def mix(o_h, o_v):
        return h * o_h + (1 - h) * o_v

    emitted = mix(e.purcell["h"], e.purcell["v"])
    reabs = mix(
        e.power["h"]["emitter_absorbed"] + e.absorbed_by_layer["h"][i],
        e.power["v"]["emitter_absorbed"] + e.absorbed_by_layer["v"][i],
    )
    a_bar = float(np.sum(s * reabs) / np.sum(s * emitted))
    q_f = float(effective_radiative_efficiency(em.purcell["mixed"], q))
    gain = 1.0 / (1.0 - q_f * a_bar)
    return Recycling(
        reabsorbed_fraction=a_bar,
        eta_out_first_pass=float(em.eta_out),
        eta_out=float(em.eta_out * gain),
        eta_out_lossless=float(lossless.eta_out),
        recycling_gain=float(gain),
        radiative_efficiency=q_f,
        el=em.el,
        el_shift_nm=float(em.el.peak_nm - lossless.el.peak_nm),
    )
