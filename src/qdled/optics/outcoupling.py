"""Stack-level outcoupling: emission zone, EL spectrum, EQE ceiling, the summary dict.

This is the entry point for other stages: :func:`summary` returns exactly the content of
``qdled optics --json``; :func:`el_spectrum` returns the spectrally averaged outcoupling
and the cavity-filtered EL spectrum for a PL spectrum (a :class:`qdled.spectral.Spectrum`).

The EL spectrum is ``s(lambda) * P_out(lambda)`` where ``s`` is the intrinsic (solution
PL) spectrum per unit wavelength and ``P_out`` the outcoupled power of the orientation
mix in units of the free-dipole power (which contains the Purcell factor); averages over
the spectrum weight each wavelength by ``s * F`` (the emitted power). The effective
radiative efficiency of an emitter of quantum yield ``q`` with Purcell factor ``F`` is
``F q / (1 - q + F q)``; the EQE ceiling is charge balance x that x ``eta_out``.

References
----------
.. [1] M. Furno et al., Phys. Rev. B 85, 115205 (2012).
.. [2] W. Brütting et al., Phys. Status Solidi A 210, 44 (2013) (EQE = gamma * q_eff * eta_out).
.. [3] Y. Li et al., Nat. Commun. 15, 5696 (2024) (PL peak and FWHM, PLQY, EL peak: :mod:`qdled.io.paper`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import paper_value
from qdled.optics.channels import CHANNELS, Emission, emission
from qdled.optics.dipole import Geometry, make_geometry
from qdled.spectral import Spectrum, gaussian

#: PLQY of the NSA-NH4PF6 CsPbI3 QDs (paper: ``nsa_pf6.plqy``).
PLQY_PAPER = paper_value("nsa_pf6.plqy")
#: PL peak and FWHM of the NSA-NH4PF6 QDs in solution [nm] (paper: ``nsa_pf6.pl_peak_nm``, ``nsa_pf6.pl_fwhm_nm``).
PL_PEAK_NM, PL_FWHM_NM = paper_value("nsa_pf6.pl_peak_nm"), paper_value("nsa_pf6.pl_fwhm_nm")
#: EL peak of the paper's device [nm] (``nsa_pf6.el_peak_nm``): the default single wavelength of the optics.
EL_PEAK_NM = paper_value("nsa_pf6.el_peak_nm")
#: Emitter positions used for a uniform emission zone (midpoints of equal slices).
N_ZONE = 11


def geometry(stack, wavelength_nm) -> tuple[Geometry, np.ndarray, bool]:
    """(Geometry, outside index (n_wl,), substrate coherent?) of a :class:`qdled.io.stack.Stack`."""
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    geom = make_geometry(
        stack.layer_indices(wl),
        stack.thicknesses_nm,
        stack.emitter_index,
        stack.substrate.index(wl),
        stack.top.index(wl),
        wl,
        n_layers_z=stack.layer_indices_z(wl),
        absorbing_emitter=stack.emitter.absorbing,
    )
    return geom, stack.outside.index(wl), bool(stack.substrate.coherent)


def emission_zone(stack, zone=None) -> tuple[np.ndarray, np.ndarray]:
    """Dipole positions [nm from the emitter layer's substrate side] and weights.

    Parameters
    ----------
    zone : None, "uniform", float in [0, 1], or (fractions, weights)
        ``None`` uses ``stack.emitter.position``; a float is one plane (fraction of the layer
        thickness from its substrate side); "uniform" is :data:`N_ZONE` equal slices; a pair
        of arrays is a sampled profile.
    """
    d = stack.layers[stack.emitter_index].thickness_nm
    zone = stack.emitter.position if zone is None else zone
    if isinstance(zone, str):
        if zone != "uniform":
            raise InputError(f"emission zone must be 'uniform', a fraction or (fractions, weights), got {zone!r}")
        frac = (np.arange(N_ZONE) + 0.5) / N_ZONE
        return frac * d, np.full(N_ZONE, 1.0 / N_ZONE)
    if np.ndim(zone) == 0:
        f = float(zone)
        if not 0 <= f <= 1:
            raise InputError(f"emitter position must be in [0, 1], got {zone!r}")
        return np.array([f * d]), np.array([1.0])
    frac, weights = (np.asarray(x, dtype=float) for x in zone)
    if frac.shape != weights.shape or np.any((frac < 0) | (frac > 1)) or np.any(weights < 0) or weights.sum() <= 0:
        raise InputError("emission-zone profile needs fractions in [0, 1] and non-negative weights of the same length")
    return frac * d, weights / weights.sum()


def stack_emission(stack, wavelength_nm, zone=None, tol: float = 1e-4) -> Emission:
    """Purcell factors and loss channels of ``stack`` at ``wavelength_nm`` (see :func:`emission`)."""
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    for w in wl:
        require_finite_positive("wavelength_nm", w)
    geom, n_out, coherent = geometry(stack, wl)
    pos, weights = emission_zone(stack, zone)
    return emission(geom, pos, weights, n_outside=n_out, substrate_coherent=coherent, tol=tol)


def pl_spectrum(peak_nm: float = PL_PEAK_NM, fwhm_nm: float = PL_FWHM_NM, n_points: int = 81) -> Spectrum:
    """Gaussian PL spectrum over peak +- 1.25 FWHM in ``n_points`` samples (default: the paper's QDs)."""
    return gaussian(peak_nm, fwhm_nm, np.linspace(peak_nm - 1.25 * fwhm_nm, peak_nm + 1.25 * fwhm_nm, n_points))


@dataclass(frozen=True)
class CavityEmission:
    """Cavity-filtered emission of a PL spectrum in a stack.

    Attributes
    ----------
    pl, el : Spectrum       intrinsic PL and outcoupled EL on the PL's grid, both normalised to peak 1
    eta_out : float         spectrally averaged outcoupled fraction
    purcell : dict          "v", "h", "mixed": PL-weighted Purcell factors
    fractions : dict        spectrally averaged channel fractions
    emission : Emission     the per-wavelength result
    """

    pl: Spectrum
    el: Spectrum
    eta_out: float
    purcell: dict
    fractions: dict
    emission: Emission


def el_spectrum(stack, pl: Spectrum | None = None, zone=None, horizontal_fraction=None) -> CavityEmission:
    """Outcoupled EL spectrum and spectrally averaged outcoupling for a PL spectrum.

    Parameters
    ----------
    stack : qdled.io.stack.Stack
    pl : Spectrum, optional
        Intrinsic PL spectrum (power per unit wavelength, non-negative); default :func:`pl_spectrum` (paper).
    zone : see :func:`emission_zone`
    horizontal_fraction : float, optional
        Default ``stack.emitter.horizontal_fraction``.
    """
    pl = pl_spectrum() if pl is None else pl
    if not isinstance(pl, Spectrum):
        raise InputError(f"pl must be a qdled.spectral.Spectrum, got {type(pl).__name__}")
    wl, s = pl
    if np.any(s < 0):
        raise InputError("PL spectrum intensity must be non-negative (an emitted power)")
    h = stack.emitter.horizontal_fraction if horizontal_fraction is None else float(horizontal_fraction)
    em = stack_emission(stack, wl, zone)
    total = h * em.purcell["h"] + (1 - h) * em.purcell["v"]
    power = {c: h * em.power["h"][c] + (1 - h) * em.power["v"][c] for c in CHANNELS}
    el = s * power["outcoupled"]
    fractions = {c: float(np.sum(s * power[c]) / np.sum(s * total)) for c in CHANNELS}
    purcell = {
        "v": float(np.sum(s * em.purcell["v"]) / s.sum()),
        "h": float(np.sum(s * em.purcell["h"]) / s.sum()),
        "mixed": float(np.sum(s * total) / s.sum()),
    }
    return CavityEmission(pl.normalised(), Spectrum(wl, el / el.max()), fractions["outcoupled"], purcell, fractions, em)


def effective_radiative_efficiency(purcell_factor, plqy):
    """``F q / (1 - q + F q)``: quantum yield of an emitter whose radiative rate is scaled by F."""
    q = np.asarray(plqy, dtype=float)
    f = np.asarray(purcell_factor, dtype=float)
    return f * q / (1 - q + f * q)


def eqe_ceiling(eta_out, purcell_factor, plqy: float = PLQY_PAPER, charge_balance: float = 1.0):
    """Outcoupling-limited EQE: charge balance x effective radiative efficiency x eta_out."""
    return charge_balance * effective_radiative_efficiency(purcell_factor, plqy) * eta_out


def summary(
    stack,
    wavelength_nm: float | None = EL_PEAK_NM,
    spectrum: Spectrum | None = None,
    plqy: float = PLQY_PAPER,
    charge_balance: float = 1.0,
    zone=None,
) -> dict:
    """Everything ``qdled optics --json`` prints, for one wavelength or a PL spectrum.

    Parameters
    ----------
    stack : qdled.io.stack.Stack
    wavelength_nm : float
        Single wavelength [nm] (default the paper's EL peak); ignored if ``spectrum``.
    spectrum : Spectrum, optional
        Intrinsic PL spectrum; results are then spectrally averaged and the EL peak reported.
    plqy : float
        Intrinsic PLQY (default the paper's, ``nsa_pf6.plqy``).
    charge_balance : float
        Fraction of injected charges forming excitons (default 1).

    Returns
    -------
    dict with keys wavelength_nm, purcell_factor, purcell_vertical, purcell_horizontal,
    fractions{outcoupled, substrate, waveguide, plasmon, absorbed, top, emitter_absorbed}, absorbed_by_layer,
    eta_out, q_eff, eqe_ceiling, plqy, charge_balance, horizontal_fraction, modes,
    quadrature_error, quadrature_converged (False: the u-quadrature missed its tolerance and the
    figures may be inaccurate; a RuntimeWarning says so), and el_peak_nm / pl_peak_nm for a spectrum.
    """
    for name, v in (("plqy", plqy), ("charge_balance", charge_balance)):
        if not 0 < float(v) <= 1:
            raise InputError(f"{name} must be in (0, 1], got {v!r}")
    h = stack.emitter.horizontal_fraction
    if spectrum is not None:
        res = el_spectrum(stack, spectrum, zone=zone)
        em, weights = res.emission, spectrum.intensity
        purcell, fractions = res.purcell, res.fractions
        out = {"wavelength_nm": res.el.peak_nm, "el_peak_nm": res.el.peak_nm, "pl_peak_nm": res.pl.peak_nm}
    else:
        wl = require_finite_positive("wavelength_nm", wavelength_nm)
        em, weights = stack_emission(stack, [wl], zone), np.ones(1)
        purcell = {o: float(em.purcell[o][0]) for o in ("v", "h")}
        purcell["mixed"] = h * purcell["h"] + (1 - h) * purcell["v"]
        fractions = {c: float(v[0]) for c, v in em.fractions(h).items()}
        out = {"wavelength_nm": wl}
    total = h * em.purcell["h"] + (1 - h) * em.purcell["v"]
    layer_abs = h * em.absorbed_by_layer["h"] + (1 - h) * em.absorbed_by_layer["v"]
    by_layer = {
        layer.name: float(np.sum(weights * layer_abs[j]) / np.sum(weights * total))
        for j, layer in enumerate(stack.layers)
    }
    centre = float(em.wavelength_nm[int(np.argmin(np.abs(em.wavelength_nm - out["wavelength_nm"])))])
    modes = [
        {"n_eff": m.n_eff, "polarisation": m.polarisation, "channel": m.channel}
        for m in em.modes
        if m.wavelength_nm == centre
    ]
    q_eff = float(effective_radiative_efficiency(purcell["mixed"], plqy))
    out.update(
        {
            "stack": stack.name,
            "purcell_factor": purcell["mixed"],
            "purcell_vertical": purcell["v"],
            "purcell_horizontal": purcell["h"],
            "horizontal_fraction": h,
            "fractions": fractions,
            "absorbed_by_layer": by_layer,
            "eta_out": fractions["outcoupled"],
            "plqy": float(plqy),
            "charge_balance": float(charge_balance),
            "q_eff": q_eff,
            "eqe_ceiling": float(charge_balance * q_eff * fractions["outcoupled"]),
            "modes": modes,
            "quadrature_error": em.error,
            "quadrature_converged": em.converged,
        }
    )
    return out
