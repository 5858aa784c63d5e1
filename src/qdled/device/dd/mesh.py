"""Graded 1-D mesh of a layer stack, refined at the contacts and at every heterointerface.

The local spacing is ``h(x) = s f(x)`` with ``f = min(h_end + kappa * dist, h_cap)``: it starts at ``s h_end``
at each contact and next to each interface and grows linearly with the distance ``dist`` from the nearest
layer end (i.e. geometrically from node to node, ratio ~ 1 + kappa) up to ``s h_cap``. The scale ``s`` is
fixed by the requested node count, so doubling ``n_nodes`` halves *every* spacing (a clean refinement study).
Two layers meet across one *interface element* of width ``interface_gap_m`` (default 1e-3 nm) whose two
nodes belong to the two materials: the band offset is an abrupt step inside that element (see
:mod:`qdled.device.dd.solver`).

References
----------
Selberherr, S., Analysis and Simulation of Semiconductor Devices, Springer (1984), ch. 6 (mesh
refinement where the solution varies on the Debye length: contacts and junctions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdled.errors import InputError, require_finite_positive

__all__ = ["Mesh", "stack_mesh"]


@dataclass(frozen=True)
class Mesh:
    """Nodes ``x_m`` [m] (anode at 0), the layer index of every node and of every element
    (``-1`` for an interface element between two layers), and the interface positions [m]."""

    x_m: np.ndarray
    node_layer: np.ndarray
    element_layer: np.ndarray
    interfaces_m: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.x_m.size)


def _layer_density(length: float, h_end: float, kappa: float, h_cap: float, n_fine: int = 4001):
    """Fine grid on [0, length] and the cumulative node density xi(x) = int dx / f(x)."""
    t = np.linspace(0.0, length, n_fine)
    dist = np.minimum(t, length - t)
    f = np.minimum(h_end + kappa * dist, h_cap)
    inv = 1.0 / f
    xi = np.concatenate([[0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(t))])
    return t, xi


def stack_mesh(
    thicknesses_m,
    n_nodes: int = 400,
    *,
    end_spacing_m: float = 0.02e-9,
    growth: float = 0.25,
    max_spacing_m: float = 2e-9,
    interface_gap_m: float = 1e-12,
) -> Mesh:
    """Mesh of a stack of layers (thicknesses [m], anode first) with about ``n_nodes`` nodes.

    ``end_spacing_m``, ``growth`` (kappa) and ``max_spacing_m`` define the shape ``f(x)`` at the reference
    scale; the actual spacings are ``s f(x)`` with ``s`` chosen for ``n_nodes``. ``interface_gap_m`` is the
    width of each interface element (not scaled).
    """
    d = np.array([require_finite_positive("thickness_m", t) for t in np.atleast_1d(thicknesses_m)])
    try:
        n_nodes = int(n_nodes)
    except (TypeError, ValueError):
        raise InputError(f"n_nodes must be an integer, got {n_nodes!r}") from None
    if n_nodes < 8 * d.size or n_nodes > 200000:
        raise InputError(f"n_nodes must be in [{8 * d.size}, 200000] for {d.size} layers, got {n_nodes}")
    for name, v in (
        ("end_spacing_m", end_spacing_m),
        ("growth", growth),
        ("max_spacing_m", max_spacing_m),
        ("interface_gap_m", interface_gap_m),
    ):
        require_finite_positive(name, v)
    nl = d.size
    inner = d.copy()
    inner[1:] -= 0.5 * interface_gap_m
    inner[:-1] -= 0.5 * interface_gap_m
    if (inner <= 10 * interface_gap_m).any():
        raise InputError(f"a layer is too thin for the mesh: thicknesses {d.tolist()} m")
    dens = [_layer_density(inner[k], end_spacing_m, growth, max_spacing_m) for k in range(nl)]
    total = sum(xi[-1] for _, xi in dens)
    s = total / max(n_nodes - nl, 1)  # elements of size s in xi units
    xs, node_layer, element_layer = [np.zeros(1)], [np.zeros(1, int)], []
    start = 0.0
    for k, (t, xi) in enumerate(dens):
        m = max(int(round(xi[-1] / s)), 4)
        pts = np.interp(np.linspace(0.0, xi[-1], m + 1), xi, t)
        offset = start + (0.5 * interface_gap_m if k > 0 else 0.0)
        if k > 0:  # the interface element from the previous layer's last node to this layer's first node
            element_layer.append(np.array([-1]))
            xs.append(np.array([offset]))
            node_layer.append(np.array([k]))
        xs.append(offset + pts[1:])
        node_layer.append(np.full(m, k))
        element_layer.append(np.full(m, k))
        start += d[k]
    x = np.concatenate(xs)
    return Mesh(x, np.concatenate(node_layer), np.concatenate(element_layer), np.cumsum(d)[:-1])
