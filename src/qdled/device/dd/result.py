"""Result of the drift-diffusion solver: the :class:`DriftDiffusionResult` container, its assembly from the
converged Newton states (currents, continuity diagnostics, exciton balance), and the position-resolved optical
inputs (Purcell factor, outcoupling).

Exciton balance (emissive layer, per node, no exciton diffusion): excitons form at the Langevin rate ``G``
(trap-assisted SRH recombination is non-radiative) and decay with ``F k_r + k_nr + k_q`` plus exciton-exciton
(Auger) annihilation, ``G = (F k_r + k_nr + k_q) n_x + n_x^2 / (N_QD tau_XX)``, where ``F(x)`` is the Purcell
factor, ``k_r = PLQY/tau_PL``, ``k_nr = (1 - PLQY)/tau_PL`` and ``k_q = f_c (1 - Y_trion) / tau_trion`` the
quenching of an exciton on a charged dot, ``f_c = min((n + p)/N_QD, 1)`` the charged fraction from the local
carrier densities, ``Y_trion`` the relative yield of a charged dot. Joule heating adds the activated quenching
channel ``k_r r(T)`` of :func:`qdled.device.emission.thermal_quench_ratio` (the compact model's law) at the device
temperature ``T = T0 + R_th J V`` of each voltage; it does not act back on transport (mobilities and injection
stay at ``T0``: a stated approximation), so :meth:`DriftDiffusionResult.with_exciton` can re-evaluate the balance
exactly without solving again. Photons are generated at ``F k_r n_x``; weighted with ``eta_out(x)`` they give the
EQE.

References
----------
.. [1] Murawski, C., Leo, K. & Gather, M. C., Adv. Mater. 25, 6801 (2013): exciton-exciton annihilation and
   exciton-polaron quenching in LED roll-off.
.. [2] Purcell, E. M., Phys. Rev. 69, 681 (1946).
.. [3] Makarov, N. S. et al., Nano Lett. 16, 2349 (2016): Auger lifetimes of CsPbX3 nanocrystals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_C

from qdled.errors import InputError

__all__ = [
    "DriftDiffusionResult",
    "collect_result",
    "device_temperature_K",
    "evaluate_profile",
    "exciton_photon_generation",
]


@dataclass(frozen=True)
class DriftDiffusionResult:
    """Drift-diffusion solution at each voltage (rows) on the mesh (columns).

    Energies in eV relative to the cathode Fermi level (``conduction_band_eV`` = LUMO edge,
    ``valence_band_eV`` = HOMO edge, ``electron_fermi_eV``/``hole_fermi_eV`` = quasi-Fermi levels);
    ``potential_V`` = electrostatic potential; densities in m^-3; rates in m^-3 s^-1.
    ``charge_balance`` = q int R dx / J (fraction of the current that recombines, the rest leaks through);
    ``exciton_fraction`` = excitons formed on dots (Langevin recombination in the emissive layer) per
    electron; ``internal_quantum_efficiency`` = photons generated per electron (Purcell-enhanced radiative
    decay of the exciton balance); ``external_quantum_efficiency`` = ``eta_out``-weighted photons per electron
    (``None`` without ``eta_out``). ``built_in_voltage_V`` = potential drop across the device at 0 V, from
    the solution. ``continuity_error`` = max |J_n + J_p - J| / |J| over the elements whose flux is resolved in
    floating point (flux resolution = conductance x roundoff of the quasi-Fermi potentials <= 1e-9 |J|);
    ``resolved_fraction`` = their share of all elements; ``continuity_excess`` = largest deviation beyond
    10x the resolution over all elements, relative to |J| (0 if every element agrees within its resolution).
    In thin, densely meshed accumulation layers a current of 1e-3 A/m^2 corresponds to quasi-Fermi
    potential steps below 1e-16 V; there J is taken from the resolved elements (resolution-weighted mean).
    """

    voltage_V: np.ndarray
    current_density_A_m2: np.ndarray
    x_nm: np.ndarray
    layer_names: tuple
    interfaces_nm: np.ndarray
    potential_V: np.ndarray
    conduction_band_eV: np.ndarray
    valence_band_eV: np.ndarray
    electron_fermi_eV: np.ndarray
    hole_fermi_eV: np.ndarray
    electron_density_m3: np.ndarray
    hole_density_m3: np.ndarray
    recombination_m3_s: np.ndarray
    exciton_formation_m3_s: np.ndarray
    photon_generation_m3_s: np.ndarray
    electron_current_A_m2: np.ndarray
    hole_current_A_m2: np.ndarray
    leakage_current_A_m2: np.ndarray
    charge_balance: np.ndarray
    exciton_fraction: np.ndarray
    internal_quantum_efficiency: np.ndarray
    external_quantum_efficiency: np.ndarray | None
    built_in_voltage_V: float
    continuity_error: np.ndarray
    resolved_fraction: np.ndarray
    continuity_excess: np.ndarray
    newton_iterations: np.ndarray
    box_width_nm: np.ndarray
    temperature_K: np.ndarray | None = None
    purcell_profile: np.ndarray | None = None
    eta_out_profile: np.ndarray | None = None
    emissive: np.ndarray | None = None
    exciton: object = None  # ExcitonParameters of the balance (None: no emissive layer)
    ambient_K: float = 300.0

    def with_exciton(self, exciton) -> DriftDiffusionResult:
        """The same electrical solution with another exciton balance (e.g. a different thermal resistance or
        PLQY): photon generation, IQE, EQE and temperatures recomputed from the stored exciton formation and
        carrier densities. Exact because the exciton balance does not act back on transport."""
        from dataclasses import replace

        if self.emissive is None:
            raise InputError("this result has no emissive layer")
        J, V = self.current_density_A_m2, self.voltage_V
        T = device_temperature_K(exciton, self.ambient_K, J, V)
        G = exciton_photon_generation(
            exciton,
            self.emissive,
            self.exciton_formation_m3_s,
            self.electron_density_m3,
            self.hole_density_m3,
            self.purcell_profile,
            T,
            self.ambient_K,
        )
        dx = self.box_width_nm * 1e-9
        with np.errstate(divide="ignore", invalid="ignore"):
            safe = np.abs(J) > 1e-30
            Jd = np.where(safe, J, 1.0)
            iqe = np.where(safe, Q_C * (G * dx).sum(1) / Jd, 0.0)
            eta = self.eta_out_profile
            eqe = None if eta is None else np.where(safe, Q_C * (G * eta * dx).sum(1) / Jd, 0.0)
        return replace(
            self,
            photon_generation_m3_s=G,
            internal_quantum_efficiency=iqe,
            external_quantum_efficiency=eqe,
            temperature_K=T,
            exciton=exciton,
        )

    def recombination_peak_nm(self) -> np.ndarray:
        """Position [nm from the anode side of the solver domain] of the maximum of R(x) at each voltage."""
        return self.x_nm[np.argmax(self.recombination_m3_s, axis=1)]

    def at(self, voltage_V: float) -> int:
        """Index of the solved voltage closest to ``voltage_V``."""
        return int(np.argmin(np.abs(self.voltage_V - voltage_V)))

    def emission_zone_nm(self) -> np.ndarray:
        """Centroid [nm, solver coordinate] of the photon generation profile at each voltage (NaN where no
        photons are generated)."""
        w = self.photon_generation_m3_s * self.box_width_nm
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (w * self.x_nm).sum(axis=1) / np.where(total > 0, total, 1.0), np.nan)

    def figures_of_merit(self) -> dict:
        """JSON-ready per-voltage curves and scalars: ``voltage_V``, ``current_density_mA_cm2``,
        ``charge_balance``, ``exciton_fraction``, ``internal_quantum_efficiency``,
        ``external_quantum_efficiency`` (null without ``eta_out``), ``emission_zone_nm`` (null where dark),
        ``recombination_peak_nm``, ``built_in_voltage_V``, ``layer_interfaces_nm`` and ``peak_eqe``."""

        def clean(a):
            return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, float)]

        eqe = self.external_quantum_efficiency
        return {
            "voltage_V": clean(self.voltage_V),
            "current_density_mA_cm2": clean(self.current_density_A_m2 * 0.1),
            "charge_balance": clean(self.charge_balance),
            "exciton_fraction": clean(self.exciton_fraction),
            "internal_quantum_efficiency": clean(self.internal_quantum_efficiency),
            "external_quantum_efficiency": None if eqe is None else clean(eqe),
            "peak_eqe": None if eqe is None else float(np.max(eqe)),
            "emission_zone_nm": clean(self.emission_zone_nm()),
            "recombination_peak_nm": clean(self.recombination_peak_nm()),
            "built_in_voltage_V": float(self.built_in_voltage_V),
            "layer_names": list(self.layer_names),
            "layer_interfaces_nm": clean(self.interfaces_nm),
        }


def device_temperature_K(exciton, ambient_K: float, current_density_A_m2, voltage_V) -> np.ndarray:
    """Device temperature [K] at each voltage: ``T0 + R_th J V`` (Joule heating of the whole dissipated
    electrical power through the thermal resistance; ``T0`` at zero or reverse power)."""
    J = np.asarray(current_density_A_m2, float)
    if exciton is None or exciton.thermal_resistance_K_m2_W == 0.0:
        return np.full(J.shape, float(ambient_K))
    return ambient_K + exciton.thermal_resistance_K_m2_W * np.clip(J * np.asarray(voltage_V, float), 0.0, None)


def exciton_photon_generation(exciton, emissive, formation_m3_s, n_m3, p_m3, purcell, temperature_K, ambient_K):
    """Photon generation [m^-3 s^-1] (voltages x nodes) of the exciton balance of the module docstring, from the
    exciton formation rate, the carrier densities (charged fraction), the Purcell profile and the device
    temperature at each voltage (thermal quenching, :func:`qdled.device.emission.thermal_quench_ratio`)."""
    from qdled.device.emission import thermal_quench_ratio

    G = np.asarray(formation_m3_s, float)
    if exciton is None:
        return np.zeros_like(G)
    exc = exciton
    kr = exc.radiative_rate_s * np.asarray(purcell, float)[None, :]
    kth = exc.radiative_rate_s * thermal_quench_ratio(
        np.asarray(temperature_K, float),
        activation_eV=exc.quench_activation_eV,
        half_temperature_K=exc.quench_half_temperature_K,
        ambient_K=ambient_K,
    )
    fc = np.minimum((np.asarray(n_m3) + np.asarray(p_m3)) / exc.dot_density_m3, 1.0)
    k0 = kr + exc.nonradiative_rate_s + kth[:, None] + fc * (1.0 - exc.trion_relative_yield) / exc.trion_lifetime_s
    a = 1.0 / (exc.dot_density_m3 * exc.auger_lifetime_s)
    nx = 2.0 * G / (k0 + np.sqrt(k0 * k0 + 4.0 * a * G))
    return np.where(np.asarray(emissive, bool)[None, :], kr * nx, 0.0)


def evaluate_profile(name, value, depth_nm, default):
    """Evaluate an optional position-resolved input (scalar, callable of depth [nm], or (depth, values))."""
    if value is None:
        return np.full(depth_nm.shape, default)
    if callable(value):
        out = np.asarray(value(depth_nm), float) * np.ones_like(depth_nm)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        try:
            xs, ys = (np.asarray(a, float) for a in value)
        except (TypeError, ValueError):
            raise InputError(f"{name}: (depth_nm, values) must hold numbers") from None
        if xs.ndim != 1 or xs.shape != ys.shape or xs.size < 2 or np.any(np.diff(xs) <= 0):
            raise InputError(f"{name}: (depth_nm, values) must be equal-length 1-D arrays with increasing depth")
        out = np.interp(depth_nm, xs, ys)
    else:
        try:
            out = np.full(depth_nm.shape, float(value))
        except (TypeError, ValueError):
            raise InputError(f"{name} must be a number, a callable of depth_nm, or (depth_nm, values)") from None
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        raise InputError(f"{name} must be finite and >= 0 everywhere in the emissive layer")
    return out


def collect_result(structure, sysm, v_in, sols, vbi, F_purcell, eta):
    """Assemble the :class:`DriftDiffusionResult` from the converged states ``sols[m] = (X, iterations)``."""
    g, N = sysm.g, sysm.N
    M = v_in.size
    shape = (M, N)
    arr = {k: np.zeros(shape) for k in ("psi", "phin", "phip", "n", "p", "R", "RL", "G", "jn", "jp")}
    J = np.zeros(M)
    leak = np.zeros(M)
    cont = np.zeros(M)
    res_frac = np.zeros(M)
    excess = np.zeros(M)
    iters = np.zeros(M, int)
    exc = structure.exciton
    for m in range(M):
        X, it = sols[m]
        psi, phin, phip = X[0::3], X[1::3], X[2::3]
        _, _, (Jn, Jp, n, p, R, cur, RL) = sysm.residual_jacobian(X, v_in[m], jac=False)
        Jt = Jn + Jp
        # weights 1/sig^2 scaled by the best-resolved element's (in (0, 1], the largest exactly 1: an element
        # resolved to exactly 0 would overflow unscaled weights), floored at the current's own round-off
        sig = sysm._flux_resolution
        best = max(float(np.min(sig)), np.finfo(float).eps * float(np.max(np.abs(Jt))), 1e-300)
        wgt = (best / np.maximum(sig, best)) ** 2
        J[m] = np.sum(wgt * Jt) / np.sum(wgt)  # resolution-weighted mean of the element currents
        dev = np.abs(Jt - J[m])
        resolved = sig <= 1e-9 * abs(J[m])
        cont[m] = np.max(np.where(resolved, dev, 0.0)) / max(abs(J[m]), 1e-300)
        res_frac[m] = resolved.mean()
        excess[m] = np.max(np.maximum(dev - 10.0 * sig, 0.0)) / max(abs(J[m]), 1e-300)
        # nodal currents for output (element values averaged onto nodes)
        jn_node = np.concatenate([[Jn[0]], 0.5 * (Jn[1:] + Jn[:-1]), [Jn[-1]]])
        jp_node = np.concatenate([[Jp[0]], 0.5 * (Jp[1:] + Jp[:-1]), [Jp[-1]]])
        # leakage: electrons leaving at the anode + holes leaving at the cathode (their contact fluxes)
        jn0 = cur[0][0] if cur[0] is not None else Jn[0] - Q_C * R[0] * g.dx[0]
        jpL = cur[1][1] if cur[1] is not None else Jp[-1] - Q_C * R[-1] * g.dx[-1]
        leak[m] = jn0 + jpL
        arr["RL"][m] = np.where(g.emissive, np.maximum(RL, 0.0), 0.0)
        for k, v in (
            ("psi", psi),
            ("phin", phin),
            ("phip", phip),
            ("n", n),
            ("p", p),
            ("R", R),
            ("jn", jn_node),
            ("jp", jp_node),
        ):
            arr[k][m] = v
        iters[m] = it
    dx = g.dx
    T = device_temperature_K(exc, structure.temperature_K, J, v_in)
    arr["G"] = exciton_photon_generation(
        exc, g.emissive, arr["RL"], arr["n"], arr["p"], F_purcell, T, structure.temperature_K
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        # ratios per injected electron; 0 where no current flows (never NaN)
        safe = np.abs(J) > 1e-30
        Jd = np.where(safe, J, 1.0)
        cb = np.where(safe, Q_C * (arr["R"] * dx).sum(1) / Jd, 0.0)
        # without generation q int R dx <= J; at currents near the flux resolution (e.g. 1e-18 A/m^2 at 0.2 V)
        # the ratio can exceed 1 by roundoff (seen: 3e-7): such excesses below 1e-6 are set to the bound, larger
        # ones are left visible as errors
        cb = np.where((cb > 1.0) & (cb < 1.0 + 1e-6), 1.0, cb)
        xf = np.where(safe, Q_C * (arr["RL"] * dx).sum(1) / Jd, 0.0)
        iqe = np.where(safe, Q_C * (arr["G"] * dx).sum(1) / Jd, 0.0)
        eqe = None if eta is None else np.where(safe, Q_C * (arr["G"] * eta * dx).sum(1) / Jd, 0.0)
    ec = -arr["psi"] - g.chi
    ev = -arr["psi"] - g.ip
    return DriftDiffusionResult(
        voltage_V=v_in.copy(),
        current_density_A_m2=J,
        x_nm=g.mesh.x_m * 1e9,
        layer_names=tuple(layer.name for layer in structure.layers),
        interfaces_nm=g.mesh.interfaces_m * 1e9,
        potential_V=arr["psi"],
        conduction_band_eV=ec,
        valence_band_eV=ev,
        electron_fermi_eV=-arr["phin"],
        hole_fermi_eV=-arr["phip"],
        electron_density_m3=arr["n"],
        hole_density_m3=arr["p"],
        recombination_m3_s=arr["R"],
        exciton_formation_m3_s=arr["RL"],
        photon_generation_m3_s=arr["G"],
        electron_current_A_m2=arr["jn"],
        hole_current_A_m2=arr["jp"],
        leakage_current_A_m2=leak,
        charge_balance=cb,
        exciton_fraction=xf,
        internal_quantum_efficiency=iqe,
        external_quantum_efficiency=eqe,
        built_in_voltage_V=vbi,
        continuity_error=cont,
        resolved_fraction=res_frac,
        continuity_excess=excess,
        newton_iterations=iters,
        box_width_nm=dx * 1e9,
        temperature_K=T,
        purcell_profile=F_purcell,
        eta_out_profile=eta,
        emissive=g.emissive.copy(),
        exciton=exc,
        ambient_K=float(structure.temperature_K),
    )
