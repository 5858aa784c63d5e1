"""Steady-state 1-D drift-diffusion + exciton solver of a layer stack (anode at x = 0).

Equations (SI; energies of levels in eV below vacuum, ``V_t = kT/q``)
-------------------------------------------------------------------
Unknowns at every node: electrostatic potential ``psi`` and the electron/hole quasi-Fermi potentials
``phi_n``, ``phi_p`` (Fermi energies ``-q phi``). Vacuum level ``E_vac = -q psi``, so with the level depths
``chi`` (LUMO) and ``I`` (HOMO), Boltzmann statistics give

    n = N_c exp((psi + chi - phi_n) / V_t),   p = N_v exp((phi_p - psi - I) / V_t);

per layer, ``statistics="fermi"`` uses Gauss-Fermi statistics instead: the ``N_c`` transport states have
Gaussian energies of standard deviation ``sigma`` (``Layer.dos_width_eV``) about the transport level, and

    n = N_c G(eta_n, s),   G(eta, s) = integral phi(x) / (1 + exp(s x - eta)) dx,   s = sigma / kT,

with ``eta_n = (psi + chi - phi_n)/V_t`` and ``phi`` the standard normal density (holes alike with
``eta_p = (phi_p - psi - I)/V_t``; :mod:`qdled.device.dd.statistics`). ``sigma = 0`` is the single-level
Fermi-Dirac occupation ``n = N_c / (1 + exp(-eta_n))``: at most ``N_c`` carriers, i.e. two per dot in the QD
film with ``N_c = 2 N_QD`` (the default of the LED; Boltzmann piles up > 10 holes per dot at 6-8 V). In the
dilute limit ``G -> exp(eta + s^2/2)``: Boltzmann statistics with ``N_c exp(s^2/2)``. The solver uses
``ln n`` and ``a = d ln n / d eta`` (1 for Boltzmann); ``D / (mu V_t) = 1/a >= 1`` is the generalised Einstein
relation (Roichman & Tessler [9]), which enters through the effective band edge of the fluxes below.

* Poisson: ``-d/dx (eps dpsi/dx) = q (p - n + N_D - N_A + p_t - n_t)``, trapped charge of exponential tails
  ``n_t = N_t (n/N_c)^(T/T_t)`` (the Boltzmann-tail occupation of Mark & Helfrich).
* Continuity: ``dJ_n/dx = q R``, ``dJ_p/dx = -q R`` with
  ``R = f k_L w + w / (tau_p (n + n_i) + tau_n (p + n_i))``, ``w = np (1 - exp((phi_n - phi_p)/V_t))``
  (``= np - n_i^2`` for Boltzmann, zero at coinciding quasi-Fermi levels for any statistics; Langevin
  ``k_L = q (mu_n + mu_p)/eps``, mid-gap SRH with ``1/tau = (q mu/eps) N_t``, Kuik et al. 2011).
* Fluxes: Scharfetter-Gummel on box-integrated elements, with the band edges (not ``psi``) as the
  driving potentials, ``J_n = q mu V_t / h [n_(k+1) B(D) - n_k B(-D)]``, ``D = (u_(k+1) - u_k)/V_t``,
  ``u = psi + chi + V_t ln N_c`` (``B(x) = x/(e^x - 1)``); holes alike. With Gauss-Fermi statistics ``u`` is
  the effective band edge ``V_t ln n + phi_n`` that includes the degeneracy correction (the modified SG scheme
  consistent with the generalised Einstein relation; exact equilibrium); the Jacobian carries ``a``.
  Poole-Frenkel mobility per element ``mu = mu_0 exp(gamma sqrt|F|)``.
* Heterointerfaces: each layer boundary is one *interface element* of width 1e-3 nm carrying the whole band
  step (abrupt heterojunction). As its width -> 0 the SG flux across it forces the quasi-Fermi levels to be
  continuous with the Boltzmann density jump ``n_+/n_- = (N_c+/N_c-) exp(-dE_c/kT)``, the abrupt-junction
  drift-diffusion limit; a thermionic-emission interface limit (``q v_R n``) is not imposed because with
  organic mobilities the bulk transport is orders of magnitude slower (tested in the test suite).
* Contacts: ``psi = V_contact - W/q`` (vacuum level continuous at the metal), so the built-in voltage is the
  solution's potential drop at 0 V. Thermionic emission (Crowell & Sze), e.g. holes at the anode
  ``J_p = q v_R (p_eq S - p(0))``, ``v_R = A* T^2 / (q N_v)``, ``p_eq`` = density in equilibrium with the metal
  (with Gauss-Fermi statistics ``p_eq S`` becomes ``p(eta_eq + ln S)`` and the difference is taken without
  cancellation, :func:`qdled.device.dd.statistics.density_excess`),
  ``S = exp((d_phi(F) - d_phi(F_0))/kT)`` with the image-force lowering ``d_phi = sqrt(q F / (4 pi eps))``
  (Emtage & O'Dwyer) for the field that pulls the carrier in (zero otherwise), taken relative to its value at
  the 0 V contact field ``F_0`` so that detailed balance holds exactly (zero current at 0 V; the lowering at
  the built-in field is part of the effective barrier). With a low mobility the contact is diffusion-limited,
  ``p(0) -> p_eq S``, and ``J = q mu F p_eq S``: the Emtage-O'Dwyer law (tested). A selective contact
  (``Contact.blocks``) has zero surface velocity for the blocked carrier. ``ohmic`` contacts fix ``phi`` at the
  metal's.

Numerics
--------
Newton on ``(psi, phi_n, phi_p)`` interleaved per node, analytic Jacobian assembled as 27 vectorised
diagonals into a banded matrix (bandwidth 5 + 5), rows equilibrated by their largest entry (this is the
scaling: it makes the continuity rows of a carrier that is 1e-40 m^-3 as well conditioned as the others),
solved with LAPACK ``dgbsv`` (partial pivoting). Damping: component-wise logarithmic limiting
``dx -> sign(dx) c ln(1 + |dx|/c)`` with ``c = 4 V_t``. Voltage continuation from the 0 V equilibrium with
linear extrapolation of the previous two solutions and step halving on failure.

References
----------
.. [1] Scharfetter, D. L. & Gummel, H. K., IEEE Trans. Electron Devices 16, 64 (1969).
.. [2] Selberherr, S., Analysis and Simulation of Semiconductor Devices, Springer (1984): quasi-Fermi
   potential variables, scaling, damped Newton.
.. [3] Koster, L. J. A. et al., Phys. Rev. B 72, 085205 (2005): MIM organic device model.
.. [4] Emtage, P. R. & O'Dwyer, J. J., Phys. Rev. Lett. 16, 356 (1966): image-force (Richardson-Schottky)
   lowering at injecting contacts.
.. [5] Roehr, J. A., Kirchartz, T. & Nelson, J., J. Phys.: Condens. Matter 30, 105901 (2018).
.. [6] Parmenter, R. H. & Ruppel, W., J. Appl. Phys. 30, 1548 (1959).
.. [7] Kuik, M. et al., Phys. Rev. Lett. 107, 256805 (2011).
.. [8] Crowell, C. R. & Sze, S. M., Solid-State Electron. 9, 1035 (1966): thermionic boundary condition.
.. [9] Roichman, Y. & Tessler, N., Appl. Phys. Lett. 80, 1948 (2002): generalised Einstein relation of a
   Gaussian density of states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_C
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import k as KB
from scipy.linalg.lapack import dgbsv

from qdled.device.dd.mesh import Mesh, stack_mesh
from qdled.device.dd.result import DriftDiffusionResult, collect_result, evaluate_profile
from qdled.device.dd.statistics import density_excess, log_occupation_and_slope, occupation_and_slope
from qdled.device.dd.structure import DeviceStructure, DriftDiffusionSettings, structure_from_parameters
from qdled.device.parameters import DeviceParameters
from qdled.device.transport import richardson_constant_A_m2K2
from qdled.errors import ConvergenceError, InputError

__all__ = ["DriftDiffusionResult", "solve_structure", "solve_jv", "bernoulli"]

_F_SMOOTH = 1e4  # V/m: smoothing of |F| in the Poole-Frenkel factor (mu changes < 3 % and only at F < 1e4)
_F_SMOOTH_IF = 1e4  # V/m: field below which the image-force lowering is rounded off (see _lowering; < 1 meV).
#                      The former sqrt(F + 1 V/m) form had a near-cusp at F = 0 that trapped Newton in a
#                      2-cycle when a contact field crossed zero (PO-T2T 5 nm at 2.09 V)
_EXP_CAP = 690.0  # exponent cap against overflow in far-off Newton iterates
_RESIDUAL_TOL = 1e-10  # scaled-residual convergence level (see _newton)
_LN_N_MAX = 80.0  # densities capped at e^80 = 5.5e34 m^-3 (>> any DOS) in far-off Newton iterates


def bernoulli(x):
    """``B(x) = x / (exp(x) - 1)`` and its derivative, stable for all real ``x``."""
    x = np.asarray(x, float)
    ax = np.abs(x)
    small = ax < 1e-3
    xs = np.where(small, 1.0, x)
    big = xs > 0
    e = np.exp(-np.minimum(np.abs(xs), _EXP_CAP))  # e^-|x| <= 1: no overflow
    # x > 0: x e^-x / (1 - e^-x); x < 0: -x / (1 - e^x) = |x| / (1 - e^-|x|)
    b = np.where(big, xs * e / (-np.expm1(-np.abs(xs))), np.abs(xs) / (-np.expm1(-np.abs(xs))))
    db = b * (1.0 - b) / xs - b
    b = np.where(small, 1.0 - 0.5 * x + x * x / 12.0, b)
    db = np.where(small, -0.5 + x / 6.0, db)
    return b, db


@dataclass(frozen=True)
class _Grid:
    """Node and element arrays of a meshed structure (SI)."""

    mesh: Mesh
    h: np.ndarray
    dx: np.ndarray
    chi: np.ndarray
    ip: np.ndarray
    lnnc: np.ndarray
    lnnv: np.ndarray
    dop: np.ndarray
    nt_tail: np.ndarray
    inv_l: np.ndarray
    k_lan: np.ndarray
    tau_n: np.ndarray
    tau_p: np.ndarray
    ln_ni2: np.ndarray
    emissive: np.ndarray
    boltzmann: np.ndarray
    dos_width: np.ndarray
    fermi_groups: tuple
    eps: np.ndarray
    mu_n: np.ndarray
    mu_p: np.ndarray
    gamma: np.ndarray
    vt: float


def _grid(s: DeviceStructure, n_nodes: int, interface_gap_m: float) -> _Grid:
    mesh = stack_mesh([layer.thickness_m for layer in s.layers], n_nodes, interface_gap_m=interface_gap_m)
    L = s.layers
    nl, el = mesh.node_layer, mesh.element_layer

    def node(attr):
        return np.array([getattr(layer, attr) for layer in L], float)[nl]

    vt = KB * s.temperature_K / Q_C
    x = mesh.x_m
    h = np.diff(x)
    dx = np.zeros_like(x)
    dx[:-1] += 0.5 * h
    dx[1:] += 0.5 * h
    eps_l = np.array([EPS0 * layer.eps_r for layer in L])
    mun_l = np.array([layer.mu_n_m2_Vs for layer in L])
    mup_l = np.array([layer.mu_p_m2_Vs for layer in L])
    gam_l = np.array([layer.poole_frenkel_gamma_sqrt_m_V for layer in L])
    left, right = nl[:-1], nl[1:]
    # element properties: the layer's own; interface elements: series (harmonic) means of the two sides
    eps = np.where(el >= 0, eps_l[left], 2.0 / (1.0 / eps_l[left] + 1.0 / eps_l[right]))
    mu_n = np.where(el >= 0, mun_l[left], 2.0 / (1.0 / mun_l[left] + 1.0 / mun_l[right]))
    mu_p = np.where(el >= 0, mup_l[left], 2.0 / (1.0 / mup_l[left] + 1.0 / mup_l[right]))
    gamma = np.where(el >= 0, gam_l[left], 0.0)
    eps_node = eps_l[nl]
    mun_node, mup_node = mun_l[nl], mup_l[nl]
    k_lan = node("langevin_factor") * Q_C * (mun_node + mup_node) / eps_node
    nsrh = node("srh_trap_density_m3")
    with np.errstate(divide="ignore"):
        tau_n = np.where(nsrh > 0, eps_node / (Q_C * mun_node * np.maximum(nsrh, 1e-300)), np.inf)
        tau_p = np.where(nsrh > 0, eps_node / (Q_C * mup_node * np.maximum(nsrh, 1e-300)), np.inf)
    chi, ip = node("lumo_eV"), node("homo_eV")
    lnnc, lnnv = np.log(node("nc_m3")), np.log(node("nv_m3"))
    boltzmann = np.array([layer.statistics == "boltzmann" for layer in L])[nl]
    dos_width = node("dos_width_eV") / vt  # reduced width sigma/kT (0 for Boltzmann layers)
    # Gauss-Fermi nodes grouped by their (few distinct) widths: (s, node indices)
    fermi_groups = tuple((s, np.flatnonzero(~boltzmann & (dos_width == s))) for s in np.unique(dos_width[~boltzmann]))
    return _Grid(
        mesh,
        h,
        dx,
        chi,
        ip,
        lnnc,
        lnnv,
        node("doping_m3"),
        node("tail_trap_density_m3"),
        s.temperature_K / node("tail_trap_temperature_K"),
        k_lan,
        tau_n,
        tau_p,
        lnnc + lnnv - (ip - chi) / vt,
        np.array([layer.emissive for layer in L])[nl],
        boltzmann,
        dos_width,
        fermi_groups,
        eps,
        mu_n,
        mu_p,
        gamma,
        vt,
    )


def _log_density(g: _Grid, eta, ln_N):
    """``ln n`` and ``a = d ln n / d eta`` at every node: Boltzmann ``ln N + eta`` (capped at ``_LN_N_MAX``) and
    ``a = 1``, or Gauss-Fermi ``ln N + ln G(eta, s)`` of each node's reduced width ``s``."""
    ln_n = ln_N + np.minimum(eta, _LN_N_MAX - ln_N)
    a = np.ones_like(eta)
    for s, idx in g.fermi_groups:
        ln_g, a[idx] = log_occupation_and_slope(eta[idx], s)
        ln_n[idx] = ln_N[idx] + ln_g
    return ln_n, a


def _densities(g: _Grid, psi, phin, phip):
    """Densities and their statistics: returns ``(eta_n, eta_p, n, p, a_n, a_p)`` with the reduced Fermi levels
    ``eta_n = (psi + chi - phi_n)/V_t``, ``eta_p = (phi_p - psi - I)/V_t`` and ``a = d ln n / d eta`` (1 for
    Boltzmann; ``1 - n/N`` for the single-level Fermi-Dirac statistics, ``n = N / (1 + exp(-eta))``; the
    Gauss-Fermi slope of :func:`qdled.device.dd.statistics.log_occupation_and_slope` for a width ``s > 0``)."""
    eta_n = (psi + g.chi - phin) / g.vt
    eta_p = (phip - psi - g.ip) / g.vt
    ln_n, a_n = _log_density(g, eta_n, g.lnnc)
    ln_p, a_p = _log_density(g, eta_p, g.lnnv)
    n = np.exp(np.maximum(ln_n, -_EXP_CAP))
    p = np.exp(np.maximum(ln_p, -_EXP_CAP))
    return eta_n, eta_p, n, p, a_n, a_p


def _boltzmann_excess(n_m3, eta, eta_eq):
    """``n(eta) - n(eta_eq)`` without cancellation for Boltzmann statistics (Gauss-Fermi:
    :func:`qdled.device.dd.statistics.density_excess`)."""
    d = float(np.clip(eta - eta_eq, -_EXP_CAP, _EXP_CAP))
    return n_m3 * -np.expm1(-d) if d > 0 else n_m3 * np.exp(-d) * np.expm1(d)


def _contact_terms(s: DeviceStructure, g: _Grid):
    """Richardson velocities and image-force constants at the two contacts."""
    T2 = s.temperature_K**2
    a_star = richardson_constant_A_m2K2(1.0)
    out = []
    for c, i, e_idx in ((s.anode, 0, 0), (s.cathode, -1, -1)):
        vn = 0.0 if c.blocks == "electrons" else c.surface_velocity_m_s or a_star * T2 / (Q_C * np.exp(g.lnnc[i]))
        vp = 0.0 if c.blocks == "holes" else c.surface_velocity_m_s or a_star * T2 / (Q_C * np.exp(g.lnnv[i]))
        a_if = np.sqrt(Q_C / (4.0 * np.pi * g.eps[e_idx])) if c.image_force else 0.0
        # injection barriers [eV] of electrons and holes
        out.append((vn, vp, a_if, c.work_function_eV - g.chi[i], g.ip[i] - c.work_function_eV))
    return out


def _lowering(F, a_if, vt, barrier_eV):
    """Image-force factor ``S = exp(d_phi/V_t)`` and ``dS/dF`` for the favourable field ``F``.

    ``d_phi = sqrt(q F+ / (4 pi eps))`` (Emtage & O'Dwyer), capped at the barrier itself (a barrier cannot be
    lowered below zero; an ohmic contact has no lowering).
    """
    cap = max(barrier_eV, 0.0)
    if a_if == 0.0 or cap == 0.0:
        return 1.0, 0.0
    # d_phi = a F^2 / (F^2 + s^2)^(3/4) for F > 0 (0 otherwise): exactly 0 at F <= 0 (detailed balance at a
    # zero equilibrium field), -> a sqrt(F) for F >> s (relative error < 1 % above 10 s), and continuously
    # differentiable through F = 0 with a bounded slope (the bare sqrt(F) has an infinite one there)
    if F <= 0.0:
        return 1.0, 0.0
    s2 = _F_SMOOTH_IF**2
    w = F * F + s2
    dphi = a_if * F * F / w**0.75
    ddphi = a_if * F * (0.5 * F * F + 2.0 * s2) / w**1.75
    if dphi >= cap:
        dphi, ddphi = cap, 0.0
    S = np.exp(dphi / vt)
    return S, S / vt * ddphi


class _System:
    """Residual and banded Jacobian of the discrete equations of one structure on one mesh."""

    def __init__(self, s: DeviceStructure, g: _Grid):
        self.s, self.g = s, g
        self.N = g.h.size + 1
        self.contacts = _contact_terms(s, g)
        self.lowering_eq = [(None, None), (None, None)]  # image-force factors at the 0 V contact fields
        self.max_lowering_V = max([max(b_n, b_p, 0.0) if a_if else 0.0 for (_, _, a_if, b_n, b_p) in self.contacts])

    def set_equilibrium(self, X):
        """Store the image-force factors of the equilibrium contact fields (lowering acts relative to them)."""
        psi, g, N = X[0::3], self.g, self.N
        out = []
        for side, (_, _, a_if, bar_n, bar_p) in enumerate(self.contacts):
            Fx = (psi[0] - psi[1]) / g.h[0] if side == 0 else (psi[N - 2] - psi[N - 1]) / g.h[N - 2]
            Fh = Fx if side == 0 else -Fx
            out.append((_lowering(Fh, a_if, g.vt, bar_p)[0], _lowering(-Fh, a_if, g.vt, bar_n)[0]))
        self.lowering_eq = out

    def boundary(self, V):
        s = self.s
        return V - s.anode.work_function_eV, -s.cathode.work_function_eV

    def fluxes(self, psi, phin, phip, dens=None):
        """Element fluxes J_n, J_p [A/m^2] and their derivatives (``dens`` = :func:`_densities` output)."""
        g = self.g
        if dens is None:
            dens = _densities(g, psi, phin, phip)
        _, _, n, p, a_n, a_p = dens
        vt, h = g.vt, g.h
        dpsi = psi[1:] - psi[:-1]
        F = -dpsi / h
        if np.any(g.gamma):
            s4 = (F * F + _F_SMOOTH**2) ** 0.25
            pf = np.exp(g.gamma * s4)
            dlnmu_dF = g.gamma * F / (2.0 * s4**3)
        else:
            pf, dlnmu_dF = 1.0, 0.0
        cn = Q_C * g.mu_n * pf * vt / h
        cp = Q_C * g.mu_p * pf * vt / h
        # SG driving-potential steps of the effective band edges u* (n = exp((u*_n - phi_n)/V_t)): for Boltzmann
        # statistics u*_n = psi + chi + V_t ln N_c; in general u*_n/V_t = ln n + phi_n/V_t, which includes the
        # degeneracy correction (generalised Einstein relation) of the Fermi-Dirac option
        ln_n, ln_p = np.log(n), np.log(p)
        Dn = np.diff(ln_n) + np.diff(phin) / vt
        Dp = np.diff(phip) / vt - np.diff(ln_p)
        bn, dbn = bernoulli(Dn)
        bp, dbp = bernoulli(Dp)
        # Cancellation-free SG fluxes. With d = (quasi-Fermi potential step)/V_t the SG flux
        # c [n_R B(D) - n_L B(-D)] equals -c n_R B(D) expm1(d) = -c n_L B(-D) (1 - e^-d) (because
        # n_R B(D) e^d = n_L B(-D)); the first form is used for d <= 0, the second for d > 0 (no overflow).
        dn_ = np.clip((phin[1:] - phin[:-1]) / vt, -_EXP_CAP, _EXP_CAP)
        dp_ = np.clip((phip[1:] - phip[:-1]) / vt, -_EXP_CAP, _EXP_CAP)
        jac = {}
        Jn, gn = self._sg(cn, n[:-1], n[1:], bn, dbn, dn_, Dn, dlnmu_dF / h, vt, jac, "n", +1.0, a_n[:-1], a_n[1:])
        Jp, gp = self._sg(cp, p[1:], p[:-1], bp, dbp, dp_, Dp, dlnmu_dF / h, vt, jac, "p", -1.0, a_p[:-1], a_p[1:])
        # floating-point resolution of each element flux: conductance x roundoff of the potentials
        self._flux_resolution = (gn + gp) * 4e-16 * (np.max(np.abs(phin)) + np.max(np.abs(phip)) + vt)
        return Jn, Jp, jac

    @staticmethod
    def _sg(c, aL, aR, b, db, d, D, dlnmu, vt, jac, name, sign, sL, sR):
        """One carrier's SG flux and Jacobian entries.

        Electrons (sign +1): density ``aL`` = n_k, ``aR`` = n_(k+1), flux ``-c n_R B(D) expm1(d)``.
        Holes (sign -1) are the mirror image: pass ``aL`` = p_(k+1), ``aR`` = p_k and the same formulas hold
        with left and right exchanged (J_p = -c p_L B(D) expm1(d_p)). ``sL``, ``sR`` = d ln(density)/d eta at the
        left and right nodes (1 for Boltzmann). Returns the flux and its conductance ``dJ/dphi`` magnitude (for
        the resolution estimate).
        """
        neg = d <= 0
        bm, dbm = bernoulli(-D)  # B(-D) directly (b + D cancels for D << 0)
        dbm = -dbm  # d B(-D) / dD
        em1 = np.expm1(np.where(neg, d, 0.0))  # branch d <= 0
        m = -np.expm1(-np.where(neg, 0.0, d))  # branch d > 0: 1 - e^-d
        ed = np.exp(-np.where(neg, 0.0, d))
        # "near" density: the one multiplying B(D) in the d <= 0 form (n_R for electrons, p_L for holes)
        near, far = aR, aL
        J = np.where(neg, -c * near * b * em1, -c * far * bm * m)
        # derivatives wrt the driving-potential step D, the near/far log-densities, and d
        dJ_dD = np.where(neg, -c * near * db * em1, -c * far * m * dbm)
        dJ_dlnnear = np.where(neg, J, 0.0)
        dJ_dlnfar = np.where(neg, 0.0, J)
        dJ_dd = np.where(neg, -c * near * b * (em1 + 1.0), -c * far * bm * ed)
        # map to node variables. Electrons: near = R, far = L; ln n = (u - phi)/V_t; d = (phi_R - phi_L)/V_t;
        # D = (u_R - u_L)/V_t. Holes (sign -1): near = L, far = R; ln p = (phi - u)/V_t; d = (phi_R - phi_L)/V_t.
        # D = d + (ln n_R - ln n_L) for electrons, d - (ln p_R - ln p_L) for holes; d ln n / d psi = s/V_t,
        # d ln n / d phi_n = -s/V_t (electrons), d ln p / d psi = -s/V_t, d ln p / d phi_p = s/V_t (holes)
        if sign > 0:
            jac[name + "_psiR"] = (dJ_dlnnear + dJ_dD) * sR / vt - J * dlnmu
            jac[name + "_psiL"] = (dJ_dlnfar - dJ_dD) * sL / vt + J * dlnmu
            jac[name + "_phiR"] = -dJ_dlnnear * sR / vt + dJ_dD * (1.0 - sR) / vt + dJ_dd / vt
            jac[name + "_phiL"] = -dJ_dlnfar * sL / vt - dJ_dD * (1.0 - sL) / vt - dJ_dd / vt
        else:
            jac[name + "_psiL"] = -(dJ_dlnnear + dJ_dD) * sL / vt + J * dlnmu
            jac[name + "_psiR"] = (dJ_dD - dJ_dlnfar) * sR / vt - J * dlnmu
            jac[name + "_phiL"] = dJ_dlnnear * sL / vt - dJ_dD * (1.0 - sL) / vt - dJ_dd / vt
            jac[name + "_phiR"] = dJ_dlnfar * sR / vt + dJ_dD * (1.0 - sR) / vt + dJ_dd / vt
        return J, np.abs(dJ_dd) / vt

    def recombination(self, psi, phin, phip, dens):
        """Node recombination R [m^-3 s^-1]: total, Langevin part, and derivatives of the total.

        The driving term is ``w = n p (1 - exp((phi_n - phi_p)/V_t))``, i.e. ``np - n_i^2`` for Boltzmann
        statistics and zero whenever the quasi-Fermi levels coincide (for any statistics)."""
        g = self.g
        vt = g.vt
        _, _, n, p, a_n, a_p = dens
        arg = np.clip((phip - phin) / vt, -_EXP_CAP, 2.0 * _LN_N_MAX - g.ln_ni2)
        ni2 = np.exp(g.ln_ni2)
        fd = ~g.boltzmann  # Gauss-Fermi nodes (any width)
        # Boltzmann nodes: n_i^2 expm1(arg) (no cancellation); Gauss-Fermi nodes: n p (-expm1(-arg))
        np_ = np.where(fd, n * p, ni2 * np.exp(arg))
        em = np.where(fd, -np.expm1(-arg), np.expm1(arg))
        w = np.where(fd, np_ * em, ni2 * em)
        # d w: Boltzmann  d/dphi_n = -np/V_t, d/dphi_p = np/V_t, d/dpsi = 0; Gauss-Fermi adds the slopes a
        e_rel = np.where(fd, np.exp(-arg), 0.0)  # exp((phi_n - phi_p)/V_t), only used where Gauss-Fermi
        dw = {
            "psi": np.where(fd, w * (a_n - a_p) / vt, 0.0),
            "phin": np.where(fd, -a_n * w / vt - np_ * e_rel / vt, -np_ / vt),
            "phip": np.where(fd, a_p * w / vt + np_ * e_rel / vt, np_ / vt),
        }
        RL = g.k_lan * w
        ni = np.exp(0.5 * g.ln_ni2)
        with np.errstate(invalid="ignore"):
            den = np.where(np.isfinite(g.tau_n), g.tau_p * (n + ni) + g.tau_n * (p + ni), np.inf)
        srh = np.isfinite(den)
        dens = np.where(srh, den, 1.0)
        RS = np.where(srh, w / dens, 0.0)
        tp, tn = np.where(srh, g.tau_p, 0.0), np.where(srh, g.tau_n, 0.0)
        dden = {"psi": tp * n * a_n / vt - tn * p * a_p / vt, "phin": -tp * n * a_n / vt, "phip": tn * p * a_p / vt}
        dR = {}
        for k in ("psi", "phin", "phip"):
            dRS = np.where(srh, dw[k] / dens - w * dden[k] / dens**2, 0.0)
            dR[k] = g.k_lan * dw[k] + dRS
        return RL + RS, RL, dR

    def residual_jacobian(self, X, V, jac=True):
        """Residual (3N) and banded Jacobian (11 x 3N, rows equilibrated) at bias ``V``."""
        g, N, vt = self.g, self.N, self.g.vt
        psi, phin, phip = X[0::3], X[1::3], X[2::3]
        dens = _densities(g, psi, phin, phip)
        eta_n, eta_p, n, p, a_n, a_p = dens
        Jn, Jp, dj = self.fluxes(psi, phin, phip, dens)
        R, RL, dR = self.recombination(psi, phin, phip, dens)
        # blocks[(eq, var, off)][m]: d row(eq, node m) / d var(node m + off); eq/var 0 psi, 1 phi_n, 2 phi_p
        B = {}

        def add(eq, var, off, vals, sl=slice(None)):
            key = (eq, var, off)
            if key not in B:
                B[key] = np.zeros(N)
            B[key][sl] += vals

        def add_flux(eq, var, dL, dR_, sign=1.0):
            # +flux_k into row k, -flux_k into row k+1
            add(eq, var, 0, sign * dL, slice(0, N - 1))
            add(eq, var, 1, sign * dR_, slice(0, N - 1))
            add(eq, var, -1, -sign * dL, slice(1, N))
            add(eq, var, 0, -sign * dR_, slice(1, N))

        # Poisson
        Phi = g.eps * (psi[1:] - psi[:-1]) / g.h
        rho = p - n + g.dop
        drho = {"psi": -p * a_p / vt - n * a_n / vt, "phin": n * a_n / vt, "phip": p * a_p / vt}
        if np.any(g.nt_tail):
            # tail occupation N_t (n/N_c)^(T/T_t) (Mark-Helfrich); ln(n/N_c) from the densities
            nt = g.nt_tail * np.exp(np.clip(g.inv_l * (np.log(n) - g.lnnc), -_EXP_CAP, 20.0))
            pt = g.nt_tail * np.exp(np.clip(g.inv_l * (np.log(p) - g.lnnv), -_EXP_CAP, 20.0))
            rho = rho + pt - nt
            drho["psi"] = drho["psi"] - g.inv_l * (pt * a_p + nt * a_n) / vt
            drho["phin"] = drho["phin"] + g.inv_l * nt * a_n / vt
            drho["phip"] = drho["phip"] + g.inv_l * pt * a_p / vt
        r_psi = np.zeros(N)
        r_psi[:-1] += Phi
        r_psi[1:] -= Phi
        r_psi += Q_C * rho * g.dx
        # continuity
        r_n = np.zeros(N)
        r_p = np.zeros(N)
        r_n[:-1] += Jn
        r_n[1:] -= Jn
        r_p[:-1] += Jp
        r_p[1:] -= Jp
        r_n -= Q_C * R * g.dx
        r_p += Q_C * R * g.dx
        if jac:
            add_flux(0, 0, -g.eps / g.h, g.eps / g.h)
            for k, v in (("psi", 0), ("phin", 1), ("phip", 2)):
                add(0, v, 0, Q_C * drho[k] * g.dx)
                add(1, v, 0, -Q_C * dR[k] * g.dx)
                add(2, v, 0, Q_C * dR[k] * g.dx)
            add_flux(1, 0, dj["n_psiL"], dj["n_psiR"])
            add_flux(1, 1, dj["n_phiL"], dj["n_phiR"])
            add_flux(2, 0, dj["p_psiL"], dj["p_psiR"])
            add_flux(2, 2, dj["p_phiL"], dj["p_phiR"])
        # contacts
        bc = self.boundary(V)
        bc_phi = (V, 0.0)
        cur = {}
        pairs = zip((self.s.anode, self.s.cathode), self.contacts, strict=True)
        for side, (contact, (vn, vp, a_if, bar_n, bar_p)) in enumerate(pairs):
            i, nb = (0, 1) if side == 0 else (N - 1, N - 2)
            sgn = 1.0 if side == 0 else -1.0  # outward current direction (-x at the anode, +x at the cathode)
            r_psi[i] = psi[i] - bc[side]
            if contact.ohmic:
                r_n[i] = phin[i] - bc_phi[side]
                r_p[i] = phip[i] - bc_phi[side]
                cur[side] = None
                continue
            Fx = (psi[0] - psi[1]) / g.h[0] if side == 0 else (psi[N - 2] - psi[N - 1]) / g.h[N - 2]
            dFx = -1.0 / g.h[0] if side == 0 else 1.0 / g.h[N - 2]  # d Fx / d psi_nb (psi_i is fixed)
            # field along +x pulls holes in at the anode and electrons in at the cathode
            Fh, dFh = (Fx, dFx) if side == 0 else (-Fx, -dFx)
            Sp, dSp = _lowering(Fh, a_if, vt, bar_p)
            Sn, dSn = _lowering(-Fh, a_if, vt, bar_n)
            # lowering relative to the equilibrium contact field (detailed balance: zero current at 0 V)
            sp_eq, sn_eq = self.lowering_eq[side]
            if sp_eq is None:
                Sp, dSp, Sn, dSn = 1.0, 0.0, 1.0, 0.0
            else:
                Sp, dSp, Sn, dSn = Sp / sp_eq, dSp / sp_eq, Sn / sn_eq, dSn / sn_eq
            # densities in equilibrium with the metal (quasi-Fermi potential = the contact's)
            eta_n_eq = eta_n[i] + (phin[i] - bc_phi[side]) / vt
            eta_p_eq = eta_p[i] + (bc_phi[side] - phip[i]) / vt
            # n - n_inj and p - p_inj without cancellation. The image-force lowering d_phi (S = exp(d_phi/V_t))
            # raises the metal Fermi level seen by the injected carriers: n_inj = n(eta_eq + ln S), which is
            # n(eta_eq) S for Boltzmann statistics; with Gauss-Fermi statistics it stays below N_c (n(eta_eq) S
            # would exceed the site density once the lowering reaches a pinned 0.1 eV barrier: no steady state)
            ln_sn, ln_sp = np.log(Sn), np.log(Sp)
            if g.boltzmann[i]:
                n_inj = np.exp(g.lnnc[i]) * np.exp(min(eta_n_eq, _LN_N_MAX - g.lnnc[i])) * Sn
                p_inj = np.exp(g.lnnv[i]) * np.exp(min(eta_p_eq, _LN_N_MAX - g.lnnv[i])) * Sp
                dn_c = _boltzmann_excess(n[i], eta_n[i], eta_n_eq) - _boltzmann_excess(
                    n_inj, eta_n_eq + ln_sn, eta_n_eq
                )
                dp_c = _boltzmann_excess(p[i], eta_p[i], eta_p_eq) - _boltzmann_excess(
                    p_inj, eta_p_eq + ln_sp, eta_p_eq
                )
                a_inj = (1.0, 1.0)
            else:  # Gauss-Fermi: electrons and holes in one call of each statistics function
                s_i = g.dos_width[i]
                g_inj, a_inj = occupation_and_slope(np.array([eta_n_eq + ln_sn, eta_p_eq + ln_sp]), s_i)
                n_inj, p_inj = np.exp(g.lnnc[i]) * g_inj[0], np.exp(g.lnnv[i]) * g_inj[1]
                ex = density_excess(
                    np.array([n[i], n_inj, p[i], p_inj]),
                    np.array([eta_n[i], eta_n_eq + ln_sn, eta_p[i], eta_p_eq + ln_sp]),
                    np.array([eta_n_eq, eta_n_eq, eta_p_eq, eta_p_eq]),
                    s_i,
                )
                dn_c, dp_c = ex[0] - ex[1], ex[2] - ex[3]
            # d n_inj / dS = n_inj a(eta_eq + ln S) / S, with a = d ln n / d eta (1 for Boltzmann)
            dninj_dS = n_inj / Sn * a_inj[0]
            dpinj_dS = p_inj / Sp * a_inj[1]
            # conventional current densities (+x) at the contact: q v (injected - collected)
            jn_c = sgn * Q_C * vn * dn_c
            jp_c = -sgn * Q_C * vp * dp_c
            cur[side] = (jn_c, jp_c)
            s_row = -1.0 if side == 0 else 1.0  # the contact flux is the left flux at the anode, right at the cathode
            r_n[i] += s_row * jn_c
            r_p[i] += s_row * jp_c
            if jac:
                one = slice(i, i + 1)
                add(1, 1, 0, s_row * sgn * Q_C * vn * (-n[i] * a_n[i] / vt), one)
                add(2, 2, 0, s_row * (-sgn) * Q_C * vp * (p[i] * a_p[i] / vt), one)
                add(1, 0, nb - i, s_row * sgn * Q_C * vn * (-dninj_dS) * dSn * (-dFh), one)
                add(2, 0, nb - i, s_row * (-sgn) * Q_C * vp * (-dpinj_dS) * dSp * dFh, one)
        F = np.concatenate([r_psi[:, None], r_n[:, None], r_p[:, None]], axis=1).ravel()
        if not jac:
            return F, None, (Jn, Jp, n, p, R, cur, RL)
        # Dirichlet rows: identity
        dir_rows = [(0, 0), (0, N - 1)]
        for side, contact in enumerate((self.s.anode, self.s.cathode)):
            if contact.ohmic:
                i = 0 if side == 0 else N - 1
                dir_rows += [(1, i), (2, i)]
        for eq, i in dir_rows:
            for key, arr in B.items():
                if key[0] == eq:
                    arr[i] = 0.0
            add(eq, eq, 0, 1.0, slice(i, i + 1))
        ab, scale = self._banded(B)
        return F, (ab, scale), (Jn, Jp, n, p, R, cur, RL)

    def _banded(self, B):
        """LAPACK ``gbsv`` band storage (5 sub-, 5 super-diagonals plus 5 rows of fill-in workspace) of the
        row-equilibrated Jacobian: ``ab[10 + i - j, j] = A[i, j] / scale[i]``."""
        N = self.N
        scale = np.zeros((N, 3))
        for (eq, _var, _off), arr in B.items():
            np.maximum(scale[:, eq], np.abs(arr), out=scale[:, eq])
        scale[scale == 0] = 1.0
        ab = np.zeros((16, 3 * N))
        for (eq, var, off), arr in B.items():
            m0, m1 = max(0, -off), min(N, N - off)  # nodes m whose neighbour m + off exists
            ab[10 - 3 * off - var + eq, 3 * (m0 + off) + var : 3 * (m1 + off) : 3] = arr[m0:m1] / scale[m0:m1, eq]
        return ab, scale.ravel()


def _damp(dx, c):
    return np.sign(dx) * c * np.log1p(np.abs(dx) / c)


def _newton(sysm: _System, X, V, tol=1e-10, max_iter=60):
    """Damped Newton at bias ``V``; returns (X, iterations) or raises ConvergenceError."""
    N = sysm.N
    psi0, psiL = sysm.boundary(V)
    X = X.copy()
    X[0], X[3 * (N - 1)] = psi0, psiL
    for side, contact in enumerate((sysm.s.anode, sysm.s.cathode)):
        if contact.ohmic:
            i = 0 if side == 0 else N - 1
            X[3 * i + 1] = X[3 * i + 2] = V if side == 0 else 0.0
    c = 4.0 * sysm.g.vt
    # range of the quasi-Fermi potentials: contact Fermi potentials widened by the largest possible image-force
    # lowering of an injection barrier (it acts like a shifted Fermi level for injection), plus 2 V_t
    lo, hi = min(V, 0.0) - sysm.max_lowering_V - 0.5 * c, max(V, 0.0) + sysm.max_lowering_V + 0.5 * c
    for it in range(1, max_iter + 1):
        F, (ab, scale), _ = sysm.residual_jacobian(X, V)
        with np.errstate(all="ignore"):
            try:
                _, _, dx, info = dgbsv(5, 5, ab, -F / scale, overwrite_ab=1, overwrite_b=1)
            except (np.linalg.LinAlgError, ValueError):
                dx, info = np.full_like(X, np.nan), 1
            if info != 0:
                dx = np.full_like(X, np.nan)
        if not np.all(np.isfinite(dx)) or np.max(np.abs(dx)) > 1e3:  # a 1 kV step: (near-)singular system
            raise ConvergenceError(f"singular or non-finite Newton step at voltage_V={V:.6g}")
        # component-wise logarithmic limiting of the update of every potential; the quasi-Fermi potentials
        # are kept within the range of the contact Fermi potentials (maximum principle of a steady state
        # without generation), which stops them drifting where their carrier is absent
        X = X + _damp(dx, c)
        X[1::3] = np.clip(X[1::3], lo, hi)
        X[2::3] = np.clip(X[2::3], lo, hi)
        # converged: a negligible update, or every equation satisfied to 1e-10 of its largest term (row
        # scaling) with the potential settled -- a quasi-Fermi potential of a carrier that is nowhere
        # significant (e.g. holes inside an electron accumulation layer) can keep wandering by 1e-5 V at the
        # roundoff level of the residual without changing any density or current that matters
        r_max = np.max(np.abs(F / scale))
        if np.max(np.abs(dx)) < tol or (r_max < _RESIDUAL_TOL and np.max(np.abs(dx[0::3])) < 1e-8):
            return X, it
    raise ConvergenceError(
        f"Newton did not converge in {max_iter} iterations at voltage_V={V:.6g} "
        f"(last update {np.max(np.abs(dx)):.3g} V)"
    )


def _voltage_path(voltages):
    """Continuation order: 0 first, then positive ascending, then negative descending."""
    v = np.asarray(voltages, float)
    order_pos = [i for i in np.argsort(v) if v[i] >= 0]
    order_neg = [i for i in np.argsort(-v) if v[i] < 0]
    return order_pos, order_neg


def solve_structure(
    structure: DeviceStructure,
    voltages_V,
    *,
    n_nodes: int = 500,
    purcell=None,
    eta_out=None,
    max_step_V: float = 0.25,
    interface_gap_nm: float = 1e-3,
) -> DriftDiffusionResult:
    """Solve the drift-diffusion + exciton model of ``structure`` at each of ``voltages_V`` (anode bias).

    Parameters
    ----------
    structure : DeviceStructure
        Layers anode -> cathode, contacts, temperature, exciton parameters.
    voltages_V : array_like
        Applied voltages [V] (any order; solved by continuation from the 0 V equilibrium).
    n_nodes : int
        Approximate number of mesh nodes (geometric mesh refined at contacts and interfaces).
    purcell, eta_out : float, callable or (depth_nm, values), optional
        Purcell factor of the radiative rate and outcoupling efficiency as functions of the depth [nm]
        into the emissive layer from its anode side (default 1 and none).
    max_step_V : float
        Largest continuation step [V].
    interface_gap_nm : float
        Width of the interface elements that carry the band steps.

    Returns
    -------
    DriftDiffusionResult

    Raises
    ------
    InputError
        Bad inputs (non-finite voltages, bad profiles, mesh parameters).
    ConvergenceError
        Newton fails even with the smallest continuation step; the message names the voltage.

    References
    ----------
    Scharfetter & Gummel (1969); Selberherr (1984); Koster et al., PRB 72, 085205 (2005); Emtage & O'Dwyer,
    PRL 16, 356 (1966); Roehr et al., J. Phys.: Condens. Matter 30, 105901 (2018); Parmenter & Ruppel,
    J. Appl. Phys. 30, 1548 (1959) (see the module docstring).
    """
    if not isinstance(structure, DeviceStructure):
        raise InputError(f"structure must be a DeviceStructure, got {type(structure).__name__}")
    try:
        v_in = np.atleast_1d(np.asarray(voltages_V, float))
    except (TypeError, ValueError):
        raise InputError(f"voltages_V must be numbers, got {voltages_V!r}") from None
    if v_in.ndim != 1 or v_in.size == 0 or not np.all(np.isfinite(v_in)) or np.max(np.abs(v_in)) > 100:
        raise InputError(
            f"voltages_V must be a non-empty 1-D array of finite values within +-100 V, got {voltages_V!r}"
        )
    if not 0 < max_step_V <= 2:
        raise InputError(f"max_step_V must be in (0, 2], got {max_step_V}")
    if not 1e-6 <= interface_gap_nm <= 0.1:
        raise InputError(f"interface_gap_nm must be in [1e-6, 0.1], got {interface_gap_nm}")
    g = _grid(structure, n_nodes, interface_gap_nm * 1e-9)
    sysm = _System(structure, g)
    N = sysm.N
    x = g.mesh.x_m
    # emissive-layer depth for the optics inputs
    em = g.emissive
    x_em0 = x[em].min() if em.any() else 0.0
    depth = (x - x_em0) * 1e9
    F_purcell = evaluate_profile("purcell", purcell, depth, 1.0)
    eta = None if eta_out is None else evaluate_profile("eta_out", eta_out, depth, 0.0)
    if eta is not None and np.any(eta[em] > 1):
        raise InputError("eta_out must be <= 1")

    # equilibrium start: linear potential between the contact values, flat Fermi level at 0
    psi0, psiL = sysm.boundary(0.0)
    X = np.zeros(3 * N)
    X[0::3] = psi0 + (psiL - psi0) * x / x[-1]
    X, it0 = _newton(sysm, X, 0.0)
    X_eq = X
    sysm.set_equilibrium(X_eq)
    vbi = float(X_eq[3 * (N - 1)] - X_eq[0])
    sols: dict[int, tuple] = {}
    pos, neg = _voltage_path(v_in)
    for order in (pos, neg):
        Xa, Va, Xb, Vb = X_eq, 0.0, None, None  # last and second-last solutions for extrapolation
        it_last = it0
        for idx in order:
            target = v_in[idx]
            while abs(target - Va) > 1e-15:
                step = np.clip(target - Va, -max_step_V, max_step_V)
                ok = False
                while not ok:
                    Vn = Va + step
                    if Xb is None:  # first step from equilibrium: all three potentials follow the anode linearly
                        guess = Xa + step * np.repeat(1.0 - x / x[-1], 3)
                    else:  # linear extrapolation of the last two solutions
                        guess = Xa + (Xa - Xb) * (step / (Va - Vb))
                    try:
                        Xn, it = _newton(sysm, guess, Vn)
                        ok = True
                    except ConvergenceError:
                        step *= 0.5
                        if abs(step) < 1e-4:
                            raise ConvergenceError(
                                f"drift-diffusion continuation failed at voltage_V={Vn:.6g} (last converged {Va:.6g} V)"
                            ) from None
                Xb, Vb, Xa, Va = Xa, Va, Xn, Vn
                it_last = it
            sols[idx] = (Xa, it_last)
    return collect_result(structure, sysm, v_in, sols, vbi, F_purcell, eta)


def solve_jv(
    params: DeviceParameters,
    voltages_V,
    *,
    n_nodes: int = 500,
    purcell=None,
    eta_out=None,
    settings: DriftDiffusionSettings | None = None,
    max_step_V: float = 0.25,
) -> DriftDiffusionResult:
    """J-V, band diagrams, R(x) and efficiencies of the LED ``params`` by drift-diffusion.

    Parameters
    ----------
    params : DeviceParameters
        e.g. ``device_parameters("li2024-nsa-pf6")``; thicknesses, mobilities, permittivities, QD gap,
        PLQY, PL lifetime, trap density, Poole-Frenkel factor are taken from it.
    voltages_V : array_like
        Applied voltages [V].
    n_nodes : int
        Approximate number of mesh nodes.
    purcell, eta_out : float, callable or (depth_nm, values), optional
        Purcell factor and outcoupling efficiency against depth [nm] into the QD film from its PTAA side.
    settings : DriftDiffusionSettings, optional
        Parameters of the solver that DeviceParameters lacks (defaults documented there).
    max_step_V : float
        Largest continuation step [V].

    Returns
    -------
    DriftDiffusionResult

    References
    ----------
    Scharfetter & Gummel, IEEE TED 16, 64 (1969); Selberherr (1984); Koster et al., PRB 72, 085205 (2005);
    Emtage & O'Dwyer, PRL 16, 356 (1966); Roehr et al. (2018); Parmenter & Ruppel (1959).
    """
    s = DriftDiffusionSettings() if settings is None else settings
    if not isinstance(s, DriftDiffusionSettings):
        raise InputError(f"settings must be DriftDiffusionSettings, got {type(s).__name__}")
    structure = structure_from_parameters(params, s)
    return solve_structure(
        structure,
        voltages_V,
        n_nodes=n_nodes,
        purcell=purcell,
        eta_out=eta_out,
        max_step_V=max_step_V,
        interface_gap_nm=s.interface_gap_nm,
    )
