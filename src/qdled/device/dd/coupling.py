"""Two-way coupling of the drift-diffusion device with the thin-film optics, and its device result.

* Optics -> electrical: :func:`position_optics` samples the stack's outcoupled fraction ``eta_out(x)`` and
  Purcell factor ``F(x)`` (both averaged over the emitted spectrum, orientation mix of the stack) at planes
  across the QD film; the solver interpolates them linearly onto its mesh, so every exciton decays with the
  radiative rate of its own position and its photons leave with the outcoupling of its own position.
* Electrical -> optics: :func:`zone_weights` turns the solver's photon-generation profile ``F k_r n_x(x)`` at one
  voltage into the emission-zone profile that :func:`qdled.optics.el_spectrum` integrates over, which gives the
  cavity-filtered EL spectrum (peak, FWHM, colour and luminance) of that device.

EQE = photons out per electron = ``q int eta_out(x) G_ph(x) dx / J``, from these profiles, not a product of
assumed factors. :func:`device_result` packs a solved curve into the :class:`qdled.device.DeviceResult` of the
compact model (same figures of merit and JSON keys) so that every consumer of a device works with either model.

References
----------
.. [1] Furno, M. et al., Phys. Rev. B 85, 115205 (2012): position-dependent Purcell factor and outcoupling of
   dipoles in an OLED stack.
.. [2] van Mensfoort, S. L. M. et al., Nat. Photonics 4, 329 (2010): emission-zone profiles in OLEDs and their
   effect on the emitted spectrum.
"""

from __future__ import annotations

import numpy as np
from scipy.constants import e as Q_C

from qdled.errors import InputError
from qdled.spectral import Spectrum

__all__ = ["ZONE_FRACTIONS", "close_loop", "device_result", "position_optics", "zone_weights"]

#: Planes across the QD film (fractions of its thickness from the PTAA side) at which the optics is sampled.
#: eta_out and F vary smoothly and monotonically across the 35 nm film of the default stack (0.281 -> 0.236 and
#: 1.071 -> 0.931); linear interpolation between six planes is within 2e-3 of the optics at the midpoints.
ZONE_FRACTIONS = np.linspace(0.0, 1.0, 6)


def position_optics(stack, pl: Spectrum, fractions=ZONE_FRACTIONS) -> dict:
    """Spectrally averaged outcoupling and Purcell factor at planes across the emitter layer.

    Parameters
    ----------
    stack : qdled.io.stack.Stack
    pl : Spectrum
        Intrinsic emission spectrum of the dots (weights of the spectral average).
    fractions : array
        Planes as fractions of the emitter thickness from its substrate (anode) side, increasing.

    Returns
    -------
    dict
        ``depth_nm`` (from the emitter layer's anode side), ``eta_out``, ``purcell`` (arrays), ready to pass as
        ``(depth_nm, values)`` profiles to :func:`qdled.device.dd.solve_jv`.
    """
    from qdled.optics import el_spectrum

    frac = np.asarray(fractions, float)
    if frac.ndim != 1 or frac.size < 2 or np.any(np.diff(frac) <= 0) or frac[0] < 0 or frac[-1] > 1:
        raise InputError(f"fractions must increase within [0, 1] (at least two), got {fractions!r}")
    d = stack.layers[stack.emitter_index].thickness_nm
    ems = [el_spectrum(stack, pl, zone=float(f)) for f in frac]
    out = {
        "depth_nm": frac * d,
        "eta_out": np.array([e.eta_out for e in ems]),
        "purcell": np.array([e.purcell["mixed"] for e in ems]),
    }
    for a in out.values():
        a.setflags(write=False)
    return out


def zone_weights(result, index: int, n_bins: int = 21):
    """Emission-zone profile ``(fractions, weights)`` of the emitter layer at voltage number ``index``.

    The photon generation ``G_ph(x)`` of the solved device is integrated over ``n_bins`` equal slices of the
    emissive layer (fractions of its thickness from the anode side, slice midpoints); returns ``None`` where no
    photons are generated (then the optics' own zone applies).
    """
    em = np.asarray(result.emissive, bool)
    x = result.x_nm[em]
    w = result.photon_generation_m3_s[index, em] * result.box_width_nm[em]
    if x.size < 2 or not np.isfinite(w).all() or w.sum() <= 0:
        return None
    f = (x - x[0]) / (x[-1] - x[0])
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    k = np.clip(np.searchsorted(edges, f, side="right") - 1, 0, n_bins - 1)
    weights = np.bincount(k, weights=w, minlength=n_bins)
    return 0.5 * (edges[1:] + edges[:-1]), weights / weights.sum()


def device_result(result, params, emission, *, records, model_note: str):
    """The :class:`qdled.device.DeviceResult` of a drift-diffusion curve.

    ``result`` solved with position-resolved ``eta_out``; ``emission`` the
    :class:`qdled.optics.CavityEmission` of the solver's own emission zone (EL spectrum for photometry and
    colour); ``records`` the calibration records of the device (name -> :class:`qdled.io.paper.Calibrated`).
    Luminance: photon flux out ``J/q x EQE`` of a Lambertian emitter with the EL spectrum.
    """
    from qdled.device.emission import purcell_quantum_yield
    from qdled.device.simulate import device_result_from_curves

    eqe_v = result.external_quantum_efficiency
    if eqe_v is None:
        raise InputError("the drift-diffusion result has no EQE (solve with eta_out)")
    J = np.clip(result.current_density_A_m2, 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        q_eff = np.where(
            result.exciton_fraction > 0, result.internal_quantum_efficiency / result.exciton_fraction, np.nan
        )
    F = float(emission.purcell["mixed"])
    return device_result_from_curves(
        params,
        result.voltage_V,
        J,
        J / Q_C * eqe_v,
        emission.el,
        charge_balance=result.exciton_fraction,
        q_eff=q_eff,
        eqe_ceiling=float(emission.eta_out * purcell_quantum_yield(params.plqy, F)),
        inputs={"eta_out": float(emission.eta_out), "purcell_factor": F, "plqy": params.plqy, "model": model_note},
        records=records,
    )


def close_loop(result, params, stack, pl: Spectrum, records):
    """Electrical -> optics: the EL of the solved emission zone at the voltage of maximum photon output
    (:func:`zone_weights`, :func:`qdled.optics.el_spectrum`), then :func:`device_result`.

    Returns ``(DeviceResult, CavityEmission)``.
    """
    from qdled.optics import el_spectrum

    eqe = result.external_quantum_efficiency
    if eqe is None:
        raise InputError("the drift-diffusion result has no EQE (solve with eta_out)")
    photons = np.clip(result.current_density_A_m2, 0.0, None) * np.nan_to_num(eqe)
    em = el_spectrum(stack, pl, zone=zone_weights(result, int(np.argmax(photons))))
    return device_result(result, params, em, records=records, model_note="drift-diffusion (qdled.device.dd)"), em
