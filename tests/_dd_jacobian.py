"""Shared check of the drift-diffusion solver's analytic Jacobian against central differences (not a test
module: imported by the solver tests)."""

import numpy as np

from qdled.device.dd import solver as dd_solver


def perturbed_system(structure, V, seed, n_nodes=60):
    """``(system, grid, X)``: the discrete system of ``structure`` on ``n_nodes`` nodes and a perturbed state at
    bias ``V`` [V] (linear potentials plus seeded noise; Dirichlet contact potentials exact)."""
    g = dd_solver._grid(structure, n_nodes, 1e-12)
    sysm = dd_solver._System(structure, g)
    N = sysm.N
    x = g.mesh.x_m / g.mesh.x_m[-1]
    rng = np.random.default_rng(seed)
    psi0, psiL = sysm.boundary(V)
    X = np.zeros(3 * N)
    X[0::3] = psi0 + (psiL - psi0) * x + 0.03 * rng.standard_normal(N)
    X[1::3] = 0.7 * V * (1 - x) + 0.02 * rng.standard_normal(N)
    X[2::3] = 0.9 * V * (1 - x) + 0.3 + 0.02 * rng.standard_normal(N)
    X[0], X[-3] = psi0, psiL
    return sysm, g, X


def jacobian_error(sysm, X, V, h=1e-7) -> float:
    """Largest row-relative difference between the analytic banded Jacobian at ``X`` and central differences
    of the residual (step ``h`` [V]); the fixed contact potentials' columns are excluded."""
    N = sysm.N
    _, (ab, scale), _ = sysm.residual_jacobian(X, V)
    A = np.zeros((3 * N, 3 * N))
    for i in range(3 * N):
        for j in range(max(0, i - 5), min(3 * N, i + 6)):
            A[i, j] = ab[10 + i - j, j] * scale[i]
    Afd = np.zeros_like(A)
    for j in range(3 * N):
        Xp, Xm = X.copy(), X.copy()
        Xp[j] += h
        Xm[j] -= h
        fp, fm = sysm.residual_jacobian(Xp, V, jac=False)[0], sysm.residual_jacobian(Xm, V, jac=False)[0]
        Afd[:, j] = (fp - fm) / (2 * h)
    A[:, [0, 3 * (N - 1)]] = Afd[:, [0, 3 * (N - 1)]] = 0.0  # fixed (Dirichlet) contact potentials
    return float((np.abs(A - Afd) / (np.abs(Afd).max(axis=1, keepdims=True) + 1e-300)).max())
