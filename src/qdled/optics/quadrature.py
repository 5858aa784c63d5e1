"""Integration over the normalised in-plane wavevector u with breakpoints and error control.

Each row (wavelength) gets its own breakpoints: the light lines ``u = n_j / n_e`` of every
medium (real parts), the emitter light line ``u = 1``, the real parts of sharp mode poles
inside the substrate light cone (``qdled.optics.channels.pole_breakpoints``), channel
boundaries and a geometric tail up to ``u_max``. Each segment ``[a, b]`` is mapped by ``u = a + (b - a) g(g(t))``,
``g(t) = (1 - cos(pi t))/2``, which removes the integrable ``1/sqrt`` singularities of K at
the light lines (branch points sit only at segment ends) and crowds nodes towards the ends
(``u - a ~ t**4``), where mode poles may sit just beyond a light line; it is then integrated with composite
Gauss-Legendre rules whose panel count is doubled, segment by segment, until the summed change of the
segments is below ``tol``.

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
#: largest number of nodes (all rows together) handed to an integrand at once: larger node sets are
#: evaluated in slices along the node axis and summed, so that the ~100 temporaries of a transfer-matrix
#: evaluation stay in the CPU caches (2-3x faster than one pass over 30,000 nodes; 0 disables)
NODE_BLOCK = 4096
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
    # keep real nodes strictly inside their segment: the end-crowding map puts the outermost nodes
    # within round-off of the ends, which are branch points (kz = 0 in some medium: 0/0 there)
    gap = 4 * np.spacing(np.maximum(np.abs(a), np.abs(b)))
    u = np.where((eta == 0) & (b - a > 4 * gap), np.clip(u.real, a + gap, b - gap), u)
    # zero-length segments (coinciding breakpoints): a harmless interior node, zero weight
    u = np.where(b > a, u, 0.5 * a)
    return u, du


def evaluate_blocked(integrand, u, du) -> dict:
    """``integrand(u, du)`` (per-segment sums over the node axis) evaluated in node slices of
    at most :data:`NODE_BLOCK` nodes in all, the partial sums added."""
    n_blocks = -(-u.size // NODE_BLOCK) if NODE_BLOCK else 1
    if n_blocks <= 1:
        return integrand(u, du)
    out = None
    for part in np.array_split(np.arange(u.shape[-1]), min(n_blocks, u.shape[-1])):
        res = integrand(u[..., part], du[..., part])
        out = res if out is None else {k: out[k] + v for k, v in res.items()}
    return out


def adaptive(integrand, a, b, deform, *, tol: float = 1e-6, start_panels: int = 2, max_panels: int = 256):
    """Integrate ``integrand(u, du)`` segment by segment, doubling the panels of unconverged segments.

    ``integrand(u, du)`` receives nodes and weights of shape (n_wl, n_seg, n_nodes) (any subset
    of the segment columns) and returns a dict of arrays whose last axis is the segment axis
    (already summed over nodes). A segment's change is the largest change of any returned
    quantity (over all leading axes) between its last two panel counts; the error estimate is
    the sum of the segments' changes, an upper bound of the change of every total. Segments
    whose change is below ``tol / (2 n_seg)`` keep their panels; the others are doubled until
    the estimate is below ``tol`` (or ``max_panels`` is reached).

    Returns
    -------
    (result dict of per-segment arrays (..., n_seg), error estimate, largest panel count used)
    """
    n_seg = a.shape[1]
    panels = start_panels
    prev = evaluate_blocked(integrand, *segment_nodes(a, b, panels, deform))
    result = {k: np.array(v, dtype=float, copy=True) for k, v in prev.items()}
    seg_err = np.full(n_seg, np.inf)
    active = np.arange(n_seg)
    while True:
        panels *= 2
        cur = evaluate_blocked(integrand, *segment_nodes(a[:, active], b[:, active], panels, deform[:, active]))
        change = np.zeros(len(active))
        for k, v in cur.items():
            diff = np.abs(v - prev[k]).reshape(-1, len(active))
            change = np.maximum(change, np.max(diff, axis=0, initial=0.0))
            result[k][..., active] = v
        seg_err[active] = change
        err = float(np.sum(seg_err))
        if err < tol or panels >= max_panels:
            return result, err, panels
        keep = seg_err[active] > tol / (2 * n_seg)
        active = active[keep]
        prev = {k: v[..., keep] for k, v in cur.items()}
