"""Integration over the normalised in-plane wavevector u with breakpoints and error control.

Each row (wavelength) gets its own breakpoints: the light lines ``u = n_j / n_e`` of every
medium (real parts), the emitter light line ``u = 1``, the real parts of sharp mode poles
inside the substrate light cone (``qdled.optics.channels.pole_breakpoints``), channel
boundaries and a geometric tail up to ``u_max``. Each segment ``[a, b]`` is mapped by ``u = a + (b - a) g(g(t))``,
``g(t) = (1 - cos(pi t))/2``, which removes the integrable ``1/sqrt`` singularities of K at
the light lines (branch points sit only at segment ends) and crowds nodes towards the ends
(``u - a ~ t**4``), where mode poles may sit just beyond a light line; it is then integrated with composite
Gauss-Legendre rules whose panel count is doubled until the change is below ``tol``.

Segments that lie beyond the substrate light line only need the total of K (an analytic
function of u there), so they are integrated along a contour pushed into the lower half
plane, ``u = a + (b - a)[g - 4 i eta g (1 - g)]``: guided-mode poles (``Im u > 0`` for
passive stacks, on the real axis for lossless ones) are never touched, so lossless
waveguide modes do not break the quadrature and the result is the loss -> 0+ limit.
The principal square roots of the semi-infinite media stay on the physical sheet along
such a path (``Im(n^2 - u^2 n_e^2) > 0`` below the positive real axis).

References
----------
.. [1] W. C. Chew, Waves and Fields in Inhomogeneous Media (IEEE Press, 1995), ch. 2
   (Sommerfeld integrals, contour deformation).
.. [2] M. Paulus, P. Gay-Balmaz and O. J. F. Martin, Phys. Rev. E 62, 5797 (2000).
"""

from __future__ import annotations

import numpy as np

_GL_ORDER = 8
_X, _W = np.polynomial.legendre.leggauss(_GL_ORDER)


def panel_rule(n_panels: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on [0, 1] (n_panels x 8 points)."""
    edges = np.linspace(0.0, 1.0, n_panels + 1)
    half = 0.5 * np.diff(edges)[:, None]
    t = (edges[:-1, None] + half * (_X[None, :] + 1)).ravel()
    w = (half * _W[None, :]).ravel()
    return t, w


def segment_nodes(a, b, n_panels: int, deform) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``u`` and complex weights ``du`` for segments ``[a, b]``.

    Parameters
    ----------
    a, b : arrays (n_wl, n_seg)
        Segment ends (``b >= a``; zero-length segments get zero weight).
    n_panels : int
    deform : array (n_wl, n_seg) of float
        Contour depth ``eta`` per segment (0 -> real axis).

    Returns
    -------
    u, du : arrays (n_wl, n_seg, n_nodes)
    """
    t, w = panel_rule(n_panels)
    g1 = 0.5 * (1 - np.cos(np.pi * t))
    g = 0.5 * (1 - np.cos(np.pi * g1))  # applied twice: u - a ~ t**4 at the ends
    dg = 0.25 * np.pi**2 * np.sin(np.pi * g1) * np.sin(np.pi * t)
    a = np.asarray(a, dtype=float)[..., None]
    b = np.asarray(b, dtype=float)[..., None]
    eta = np.asarray(deform, dtype=float)[..., None]
    u = a + (b - a) * (g - 4j * eta * g * (1 - g))
    du = (b - a) * dg * (1 - 4j * eta * (1 - 2 * g)) * w
    # zero-length segments (coinciding breakpoints): a harmless interior node, zero weight
    u = np.where(b > a, u, 0.5 * a)
    return u, du


def adaptive(integrand, a, b, deform, *, tol: float = 1e-6, start_panels: int = 2, max_panels: int = 64):
    """Integrate ``integrand(u, du)`` segment by segment, doubling panels until converged.

    ``integrand(u, du)`` receives nodes and weights of shape (n_wl, n_seg, n_nodes) and
    returns a dict of arrays whose last axis is the segment axis (already summed over
    nodes). Convergence: the largest change of any returned quantity between two
    successive panel counts is below ``tol``.

    Returns
    -------
    (result dict, error estimate, panels used)
    """
    panels = start_panels
    prev = integrand(*segment_nodes(a, b, panels, deform))
    while True:
        panels *= 2
        cur = integrand(*segment_nodes(a, b, panels, deform))
        err = max(float(np.max(np.abs(cur[k] - prev[k]), initial=0.0)) for k in cur)
        if err < tol or panels >= max_panels:
            return cur, err, panels
        prev = cur
