"""Operational lifetime: luminance decay under constant current and conversion between
initial luminances.

Decay law: stretched exponential ``L(t)/L0 = exp(-(t/tau)^beta)`` (0 < beta <= 1), the form commonly
fitted to OLED/QLED constant-current ageing (ref. [1]); ``T_x = tau (-ln x)^(1/beta)`` is the time to
reach the fraction ``x`` (T50: x = 0.5, T95: x = 0.95). The characteristic time depends on the
initial luminance through the empirical acceleration law ``L0^n T = const`` (refs. [1, 2]), with
``n`` typically 1.5-2 for QLEDs; the default ``n = 1.75`` is a typical-literature assumption (the
paper measured each device at one L0 only, so ``n`` cannot be fitted from it). :func:`scale_lifetime` converts
(any time unit); the lab's lifetime analysis uses the same law. :func:`fit_acceleration_exponent` fits ``n`` to
lifetimes at several L0 (measured, or simulated by :mod:`qdled.device.ageing`, which integrates L(t) from a
degradation mechanism instead of assuming these forms).

References
----------
.. [1] Féry, C., Racine, B., Vaufrey, D., Doyeux, H. & Cinà, S., Appl. Phys. Lett. 87, 213502
   (2005): stretched-exponential OLED decay and the L0^n acceleration law.
.. [2] Dai, X. et al., Nature 515, 96 (2014) and Shirasaki, Y. et al., Nat. Photonics 7, 13 (2013)
   (QLED lifetimes scaled between luminances with n ~ 1.5-2).
"""

from __future__ import annotations

import numpy as np

from qdled.errors import InputError, require_finite_positive

__all__ = [
    "ACCELERATION_EXPONENT",
    "decay_time_constant_min",
    "fit_acceleration_exponent",
    "luminance_decay",
    "scale_lifetime",
    "time_to_fraction_min",
]

#: Default acceleration exponent n in L0^n T = const (typical QLED value; assumption).
ACCELERATION_EXPONENT = 1.75


def scale_lifetime(lifetime: float, from_luminance_cd_m2: float, to_luminance_cd_m2: float, exponent: float) -> float:
    """Convert a lifetime (any time unit) with the acceleration law ``L0^n T = const``:
    ``T(L1) = T(L0) (L0/L1)^n``."""
    l0 = require_finite_positive("from_luminance_cd_m2", from_luminance_cd_m2)
    l1 = require_finite_positive("to_luminance_cd_m2", to_luminance_cd_m2)
    n = require_finite_positive("exponent", exponent)
    return float(lifetime * (l0 / l1) ** n)


def _beta(beta: float) -> float:
    b = require_finite_positive("beta", beta)
    if b > 1:
        raise InputError(f"beta must be in (0, 1], got {beta}")
    return b


def luminance_decay(time_min, tau_min: float, beta: float):
    """Normalised luminance ``L(t)/L0 = exp(-(t/tau)^beta)`` at times [min] (t >= 0)."""
    tau = require_finite_positive("tau_min", tau_min)
    t = np.asarray(time_min, float)
    if (t < 0).any():
        raise InputError("time_min must be >= 0")
    return np.exp(-((t / tau) ** _beta(beta)))


def time_to_fraction_min(fraction: float, tau_min: float, beta: float) -> float:
    """Time [min] for the luminance to fall to ``fraction`` of L0 (0 < fraction < 1)."""
    f = require_finite_positive("fraction", fraction)
    if f >= 1:
        raise InputError(f"fraction must be in (0, 1), got {fraction}")
    return require_finite_positive("tau_min", tau_min) * (-np.log(f)) ** (1.0 / _beta(beta))


def decay_time_constant_min(t50_min: float, beta: float) -> float:
    """Characteristic time ``tau`` [min] of the stretched exponential with the given T50."""
    return require_finite_positive("t50_min", t50_min) / np.log(2.0) ** (1.0 / _beta(beta))


def fit_acceleration_exponent(initial_luminance_cd_m2, lifetime) -> float:
    """Least-squares ``n`` of ``L0^n T = const``: minus the slope of ``ln T`` against ``ln L0`` (lifetimes in any
    one time unit, at two or more distinct initial luminances)."""
    l0 = np.asarray(initial_luminance_cd_m2, float)
    t = np.asarray(lifetime, float)
    if l0.ndim != 1 or l0.shape != t.shape or l0.size < 2:
        raise InputError("need lifetimes at two or more initial luminances (1-D arrays of equal length)")
    if not (np.all(np.isfinite(l0)) and np.all(np.isfinite(t)) and (l0 > 0).all() and (t > 0).all()):
        raise InputError("initial luminances and lifetimes must be finite and > 0")
    if np.ptp(np.log(l0)) == 0:
        raise InputError("initial luminances must not all be equal")
    return float(-np.polyfit(np.log(l0), np.log(t), 1)[0])
