"""Operational ageing of the LED from a degradation mechanism: L(t) at constant current, T50, T95, L0^n.

The luminance loss under constant current is integrated from the device's own internal state, instead of a
T50 put in from the paper (issue #22).

Model
-----
State: the ligand coverages ``theta_i`` of the dots' surface (one per ligand species) and the mean number of
exciton-created defects per dot ``D``. At every instant the compact device model (:mod:`qdled.device.electrical`,
:mod:`qdled.device.emission`) is evaluated at the fixed drive current with the dots' degraded PLQY, giving the
voltage, the QD-layer temperature ``T = T_amb + R_th J V`` (the Joule heating of the emission model, with the
calibrated thermal resistance), the charge balance ``eta_cb`` and the exciton density ``n_x``.

Mechanisms (all feed the same non-radiative rate; the trap created by either is the dots' surface trap):

1. **Thermal ligand desorption** (``ligand_desorption``): ``d theta_i/dt = -nu exp(-E_b,i / k T) theta_i``, the
   first-order desorption law of the solution ageing (:func:`qdled.dots.degradation.coverage_rates_per_s`,
   with the same attempt frequency ``nu`` calibrated there on the OA/OAm dots' PLQY in air and the paper's DFT
   binding energies) at the device temperature ``T(t)``. No re-adsorption (a dry film has no free ligand).
   Each bared site adds ``k_trap0 / N_sites`` to the dot's non-radiative rate, i.e. ``Delta k_nr = k_trap0
   (theta(0) - theta(t))`` (:func:`qdled.dots.photophysics.nonradiative_rate`).
2. **Auger (exciton-charge) defect formation** (``auger_defects``): ``dD/dt = phi R_A / N_QD`` with
   ``R_A = (1 - eta_cb) J / (q d) + n_x^2 / (N_QD tau_XX)`` the rate density of Auger recombination events that
   the compact model already counts -- excitons formed on charged dots (the charge-balance loss ``1 - eta_cb``,
   trion Auger, :mod:`qdled.device.electrical`) and biexciton Auger (:mod:`qdled.device.emission`). This is the
   quantum-dot form of the exciton-polaron annihilation reaction that creates quenching defects in the intrinsic
   degradation model of Giebink et al. [1]: the Auger-excited hot carrier [2] is assumed to create, with the
   yield ``phi`` per event, a surface trap of the same strength as a bared ligand site,
   ``Delta k_nr = k_trap0 D / N_sites``. ``phi`` (dimensionless) is the one rate constant calibrated here, on the
   NSA-NH4PF6 device's T50 at the paper's initial luminance, run through the chain exactly as users run it
   (:func:`calibrate_auger_defect_yield`, record :data:`CALIBRATED`).
3. **Ageing in air** (``air``, off by default): the dots' ligand-independent trap creation in air
   (:data:`qdled.dots.CALIBRATED` ``trap_creation_per_s_per_day``), an upper bound for a film under the organic
   layers and the Al cathode (the paper measured lifetimes in ambient air, encapsulation not stated).

Feedback: the degraded PLQY ``k_r / (k_r + k_nr(t))`` and PL lifetime ``1 / (k_r + k_nr(t))`` replace the
device's film values, so the quenching raises the electrical model's trap density ``(1 - PLQY) N_QD``
(trap-limited transport: the voltage rises at constant current), hence the Joule heating, which accelerates
the desorption and the thermal quenching. The luminance at constant current is the photon output of the
compact model; its ratio to the initial value is L(t)/L0. The ODEs are integrated with
:func:`scipy.integrate.solve_ivp`; T50/T95 are the times of L/L0 = 0.5/0.95 (event location). The shares of
the mechanisms are their parts of the non-radiative-rate increase at T50 (the increments add exactly).

Assumptions: the exciton density, charge balance and temperature are the compact model's layer means (no
emission-zone profile; the drift-diffusion solver is not used); ``phi`` is the same for both ligand shells (the
ligands enter only through their binding energies, the Langmuir coverage and the device's electrical
parameters: charge balance, voltage, heating); every created trap has the strength of a bare surface site;
ion migration is not modelled (see below); the ambient temperature is the device parameter ``temperature_K``.

Sensitivity to the stress law (stated because the choice was made after comparing both): Giebink's bimolecular
form ``dD/dt = K n_x (n + p) / N_QD`` with the compact model's SCLC mean densities ``n``, ``p``, calibrated the same
way, gives n = 1.23 for the NSA device and a control T50 of 56 min at 500 cd/m^2; the Auger-event form used here
gives n = 1.49 and 33 min (paper: 43 min). The Auger-event form is kept because the compact model already
describes exciton-charge encounters as trion Auger recombination on charged dots (``eta_cb``); a separate
``n + p`` rate constant would describe the same encounters twice.

Not modelled: field-driven halide-ion migration and interfacial ion accumulation (reported in perovskite LEDs
[3]; the paper cites it for mixed-halide CsPbI(3-x)Brx dots) -- it needs an ion density, mobility and a
luminance-loss law that the paper does not constrain, i.e. more calibrated constants; degradation of the
organic layers; any change of the EL spectrum during ageing (taken as fixed).

The device model is the compact one (:func:`qdled.device.chain.simulate_stack`); the drift-diffusion solver is
too costly to call inside the ODE right-hand side and is not used.

References
----------
.. [1] Giebink, N. C. et al., J. Appl. Phys. 103, 044509 (2008): intrinsic luminance loss of phosphorescent
   OLEDs from exciton-polaron annihilation reactions that create quenching defects.
.. [2] Klimov, V. I., Annu. Rev. Condens. Matter Phys. 5, 285 (2014): Auger recombination of charged excitons
   and multiexcitons in nanocrystals; the energy goes to a hot carrier, which can be ejected (Auger ionisation).
.. [3] Vashishtha, P. & Halpert, J. E., Chem. Mater. 29, 5965 (2017) (ref. 13 of the paper): field-driven ion
   migration in perovskite-nanocrystal LEDs.
.. [4] Redhead, P. A., Vacuum 12, 203 (1962): first-order thermal desorption nu exp(-E / kT).
.. [5] Féry, C. et al., Appl. Phys. Lett. 87, 213502 (2005) and :mod:`qdled.device.lifetime`: the L0^n T = const
   acceleration law used to summarise simulations at several L0.
.. [6] Li, Y. et al., Nat. Commun. 15, 5696 (2024): T50 of both devices (Fig. 4f), binding energies (Fig. 2a),
   through :mod:`qdled.io.paper`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from scipy.constants import e as Q_C
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from qdled.device.electrical import dot_density_m3, solve_electrical
from qdled.device.emission import RollOff, effective_quantum_yield
from qdled.device.lifetime import fit_acceleration_exponent, scale_lifetime
from qdled.device.parameters import DEVICE_SAMPLE, DeviceParameters
from qdled.dots.calibration import ASSUMED as DOTS_ASSUMED
from qdled.dots.calibration import CALIBRATED as DOTS_CALIBRATED
from qdled.dots.degradation import coverage_rates_per_s
from qdled.dots.photophysics import ROUTE_LIGANDS, _binding, ligand_coverages, nonradiative_rate, surface_sites
from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import Calibrated, paper_value, status
from qdled.spectral import Spectrum, luminance_from_photon_flux

__all__ = [
    "CALIBRATED",
    "DEVICE_LIGANDS",
    "MECHANISMS",
    "AgeingModel",
    "AgeingTrajectory",
    "calibrate_auger_defect_yield",
    "operational_lifetime",
]

#: Degradation mechanisms (keys of the shares).
MECHANISMS = ("ligand_desorption", "auger_defects", "air")

#: Ligand route (:data:`qdled.dots.photophysics.ROUTE_LIGANDS`) of the dots of each of the paper's devices.
DEVICE_LIGANDS = MappingProxyType({"li2024-nsa-pf6": "NSA-NH4PF6", "li2024-control": "OA/OAm"})

#: The one rate constant of the operational ageing fitted to the paper (``python -m qdled.device.ageing`` refits).
CALIBRATED: MappingProxyType = MappingProxyType(
    {
        "auger_defect_yield": Calibrated(
            3.8699e-07,
            "1",
            ("nsa_pf6.t50_min",),
            "phi, surface traps created per Auger recombination event, dD/dt = phi R_A / N_QD, such that the ODE "
            "ageing of the NSA-NH4PF6 device, simulated by simulate_stack(default_stack(), 'li2024-nsa-pf6') at "
            "constant current from the paper's initial luminance nsa_pf6.t50_l0_cd_m2, reaches L/L0 = 0.5 at the "
            "paper's T50 (root finding in log phi); the control device is not used",
        ),
    }
)

_DAY_S = 86400.0
_MIN_S = 60.0


def _k_trap0() -> float:
    return float(DOTS_ASSUMED["k_trap0_per_s"]["value"])


@dataclass(frozen=True)
class AgeingTrajectory:
    """L(t) at constant current and the internal state along it (arrays over ``time_min``).

    ``t50_min``/``t95_min`` are ``inf`` when the luminance did not fall that far within the simulated time;
    ``delta_k_nr_per_s`` maps each mechanism to its non-radiative-rate increase [1/s] along the curve.
    """

    name: str
    l0_cd_m2: float
    current_density_A_m2: float
    time_min: np.ndarray
    relative_luminance: np.ndarray
    voltage_V: np.ndarray
    temperature_K: np.ndarray
    plqy: np.ndarray
    coverage: np.ndarray
    defects_per_dot: np.ndarray
    delta_k_nr_per_s: dict
    t50_min: float
    t95_min: float

    def shares_at(self, fraction: float = 0.5) -> dict:
        """Each mechanism's part of the non-radiative-rate increase when L/L0 first reaches ``fraction``
        (or at the end of the curve)."""
        below = np.nonzero(self.relative_luminance <= fraction)[0]
        i = int(below[0]) if below.size else len(self.time_min) - 1
        parts = {m: float(v[i]) for m, v in self.delta_k_nr_per_s.items()}
        total = sum(parts.values())
        return {m: (v / total if total > 0 else 0.0) for m, v in parts.items()}


@dataclass(frozen=True)
class AgeingModel:
    """A device (parameters + optics) and the rate constants of its ageing.

    Build it with :meth:`from_stack_device` from what :func:`qdled.device.chain.simulate_stack` returns.
    ``binding_energy_eV`` / ``coverage0`` are per ligand; ``auger_defect_yield`` is ``phi``;
    ``attempt_frequency_per_s`` is the desorption prefactor (default: the dots' calibration);
    ``air_trap_creation_per_s_per_day`` is 0 unless ageing in air is switched on.
    """

    params: DeviceParameters
    eta_out: float
    purcell_factor: float
    el: Spectrum
    binding_energy_eV: dict
    coverage0: dict
    auger_defect_yield: float
    attempt_frequency_per_s: float
    air_trap_creation_per_s_per_day: float = 0.0

    @classmethod
    def from_stack_device(
        cls,
        stack_device,
        *,
        ligands=None,
        binding_energy_eV: dict | None = None,
        auger_defect_yield: float | None = None,
        attempt_frequency_per_s: float | None = None,
        air: bool = False,
        ambient_K: float | None = None,
    ) -> "AgeingModel":
        """The ageing model of a simulated device (:class:`qdled.device.chain.StackDevice`).

        Parameters
        ----------
        stack_device : StackDevice
            ``simulate_stack(stack, name)`` (the compact chain, on which the rate constant is calibrated; a
            drift-diffusion device is refused): its parameters and optics (eta_out, Purcell factor, EL) are used.
        ligands : str or sequence, optional
            Ligand route or names of the dots (default from the device name, :data:`DEVICE_LIGANDS`).
        binding_energy_eV : dict, optional
            Overrides of the paper's DFT binding energies [eV].
        auger_defect_yield : float, optional
            ``phi`` (default: :data:`CALIBRATED`). 0 switches the mechanism off.
        attempt_frequency_per_s : float, optional
            Desorption attempt frequency (default: the dots' calibration).
        air : bool
            Add the dots' trap creation in air (default off).
        ambient_K : float, optional
            Ambient temperature [K] (default: the device's ``temperature_K``).
        """
        if not (hasattr(stack_device, "params") and hasattr(getattr(stack_device, "el", None), "eta_out")):
            raise InputError(
                "the ageing model runs on the compact chain: pass qdled.device.chain.simulate_stack(stack, name) "
                f"(a StackDevice), got {type(stack_device).__name__}"
            )
        params = stack_device.params
        if ambient_K is not None:
            params = replace(params, temperature_K=require_finite_positive("ambient_K", ambient_K))
        em = stack_device.el
        if ligands is None:
            if params.name not in DEVICE_LIGANDS:
                raise InputError(
                    f"no ligand shell known for device {params.name!r}; pass ligands= (one of "
                    f"{sorted(ROUTE_LIGANDS)} or ligand names)"
                )
            ligands = DEVICE_LIGANDS[params.name]
        energies = _binding(ligands, binding_energy_eV)
        theta0 = ligand_coverages(tuple(energies), binding_energy_eV=energies, temperature_K=params.temperature_K)
        phi = CALIBRATED["auger_defect_yield"].value if auger_defect_yield is None else None
        if phi is None:
            phi = require_finite_positive("auger_defect_yield", auger_defect_yield, allow_zero=True)
        nu = DOTS_CALIBRATED["attempt_frequency_per_s"].value if attempt_frequency_per_s is None else None
        if nu is None:
            nu = require_finite_positive("attempt_frequency_per_s", attempt_frequency_per_s, allow_zero=True)
        air_rate = DOTS_CALIBRATED["trap_creation_per_s_per_day"].value if air else 0.0
        return cls(
            params=params,
            eta_out=float(em.eta_out),
            purcell_factor=float(em.purcell["mixed"]),
            el=em.el,
            binding_energy_eV=energies,
            coverage0=theta0,
            auger_defect_yield=float(phi),
            attempt_frequency_per_s=float(nu),
            air_trap_creation_per_s_per_day=float(air_rate),
        )

    # --- rates -----------------------------------------------------------------------------------------------
    @property
    def radiative_rate_per_s(self) -> float:
        """k_r of the fresh film, PLQY / tau_PL (unchanged by ageing)."""
        return self.params.plqy / self.params.pl_lifetime_s

    @property
    def surface_sites(self) -> float:
        """Surface sites per dot (:func:`qdled.dots.photophysics.surface_sites`)."""
        return float(surface_sites(self.params.qd_edge_nm))

    def delta_k_nr_per_s(self, coverage: dict, defects_per_dot: float, time_s: float) -> dict:
        """Non-radiative-rate increase [1/s] of each mechanism for the state (see module docstring)."""
        th0 = min(sum(self.coverage0.values()), 1.0)
        th = min(max(sum(coverage.values()), 0.0), 1.0)
        return {
            "ligand_desorption": float(nonradiative_rate(th) - nonradiative_rate(th0)),
            "auger_defects": _k_trap0() * max(defects_per_dot, 0.0) / self.surface_sites,
            "air": self.air_trap_creation_per_s_per_day * time_s / _DAY_S,
        }

    def operating_point(
        self, current_density_A_m2: float, coverage: dict | None = None, defects_per_dot: float = 0.0, time_s=0.0
    ) -> dict:
        """The compact device model at total current density ``J`` [A/m^2] with the aged film.

        Returns a dict: ``voltage_V``, ``temperature_K``, ``luminance_cd_m2``, ``plqy``, ``diode_current_A_m2``,
        ``exciton_density_m3``, ``electron_density_m3``, ``hole_density_m3``, ``auger_rate_m3_s`` (Auger
        recombination events per volume and second: trions on charged dots + biexcitons), ``delta_k_nr_per_s``
        (per mechanism). The shunt current ``V / R_sh`` is part of ``J`` and gives no light, as in
        :func:`qdled.device.simulate_device`.
        """
        J = require_finite_positive("current_density_A_m2", current_density_A_m2, allow_zero=True)
        coverage = dict(self.coverage0) if coverage is None else coverage
        dk = self.delta_k_nr_per_s(coverage, defects_per_dot, float(time_s))
        p0 = self.params
        k_r = self.radiative_rate_per_s
        k_nr = (1.0 - p0.plqy) / p0.pl_lifetime_s + sum(dk.values())
        q = k_r / (k_r + k_nr)
        out = {"plqy": q, "delta_k_nr_per_s": dk}
        if J == 0.0:
            zero = ("voltage_V", "diode_current_A_m2", "luminance_cd_m2", "exciton_density_m3", "electron_density_m3")
            zero += ("hole_density_m3", "auger_rate_m3_s")
            return {**out, **dict.fromkeys(zero, 0.0), "temperature_K": p0.temperature_K}
        p = replace(p0, plqy=q, pl_lifetime_s=1.0 / (k_r + k_nr))
        # J = J_diode + V(J_diode) / R_sh: one fixed-point step (the leakage is ~1e-3 of J, so the error of the
        # step is ~1e-6 of J)
        v_guess = float(solve_electrical(p, np.array([J])).voltage_V[0])
        j_d = max(J - v_guess / p.shunt_resistance_ohm_m2, 1e-30)
        elec = solve_electrical(p, np.array([j_d]))
        V = float(elec.voltage_V[0])
        cb = float(elec.charge_balance[0])
        n_qd = dot_density_m3(p)
        rolloff = RollOff(
            p.pl_lifetime_s,
            p.auger_lifetime_s,
            n_qd,
            p.thermal_resistance_K_m2_W,
            p.quench_activation_eV,
            p.quench_half_temperature_K,
            p.temperature_K,
        )
        d = p.thickness_m("QD")
        qe = float(
            effective_quantum_yield(
                np.array([j_d]),
                np.array([V]),
                plqy=q,
                purcell_factor=self.purcell_factor,
                charge_balance=np.array([cb]),
                thickness_m=d,
                rolloff=rolloff,
            )[0]
        )
        photons = cb * qe * self.eta_out * j_d / Q_C
        generation = cb * j_d / (Q_C * d)
        # steady state of emission.py: G = n_x (k0 + a n_x) and q_eff = F k_r / (k0 + a n_x) => n_x = G q_eff/(F k_r)
        n_x = generation * qe / (self.purcell_factor * k_r)
        return {
            **out,
            "voltage_V": V,
            "diode_current_A_m2": j_d,
            "temperature_K": p.temperature_K + p.thermal_resistance_K_m2_W * j_d * V,
            "luminance_cd_m2": float(luminance_from_photon_flux(photons, self.el)),
            "exciton_density_m3": n_x,
            "electron_density_m3": float(elec.electron_density_m3[0]),
            "hole_density_m3": float(elec.hole_density_m3[0]),
            "auger_rate_m3_s": (1.0 - cb) * j_d / (Q_C * d) + n_x**2 / (n_qd * p.auger_lifetime_s),
        }

    def current_for_luminance(self, l0_cd_m2: float) -> float:
        """Total current density [A/m^2] at which the fresh device emits ``l0_cd_m2`` (below its maximum)."""
        l0 = require_finite_positive("l0_cd_m2", l0_cd_m2)
        log_j = np.linspace(-3.0, 5.0, 81)
        lum = np.array([self.operating_point(10.0**x)["luminance_cd_m2"] for x in log_j])
        top = int(np.argmax(lum))
        if lum[top] <= l0:
            raise InputError(
                f"l0_cd_m2 = {l0:g} is above the maximum luminance {lum[top]:.4g} cd/m2 of {self.params.name}"
            )
        k = int(np.nonzero(lum[: top + 1] > l0)[0][0])
        if k == 0:
            raise InputError(f"l0_cd_m2 = {l0:g} is below the modelled current range")
        x = brentq(lambda x: self.operating_point(10.0**x)["luminance_cd_m2"] - l0, log_j[k - 1], log_j[k], xtol=1e-10)
        return float(10.0**x)

    # --- ODEs ------------------------------------------------------------------------------------------------
    def _unpack(self, y):
        names = list(self.coverage0)
        return dict(zip(names, y[: len(names)], strict=True)), float(y[len(names)])

    def _rhs(self, t_s, y, J):
        cov, defects = self._unpack(y)
        op = self.operating_point(J, cov, defects, t_s)
        dcov = coverage_rates_per_s(
            cov,
            self.binding_energy_eV,
            temperature_K=op["temperature_K"],
            attempt_frequency_per_s=self.attempt_frequency_per_s,
        )
        n_qd = dot_density_m3(self.params)
        d_def = self.auger_defect_yield * op["auger_rate_m3_s"] / n_qd
        return [*dcov.values(), d_def]

    def integrate(self, current_density_A_m2: float, time_s, **solver):
        """Integrate the state at constant total current ``J`` [A/m^2] (may be 0) over ``time_s`` [s].

        Returns ``(coverage, defects_per_dot)``: dict ligand -> array over ``time_s`` and an array.
        """
        J = require_finite_positive("current_density_A_m2", current_density_A_m2, allow_zero=True)
        t = np.asarray(time_s, float)
        if t.ndim != 1 or t.size < 1 or not np.all(np.isfinite(t)) or t[0] < 0 or (np.diff(t) < 0).any():
            raise InputError("time_s must be a 1-D non-decreasing array of finite times >= 0")
        y0 = [*self.coverage0.values(), 0.0]
        opts = {"method": "LSODA", "rtol": 1e-8, "atol": 1e-14} | solver
        sol = solve_ivp(self._rhs, (0.0, float(t[-1]) or 1.0), y0, t_eval=t, args=(J,), **opts)
        if not sol.success:
            raise RuntimeError(f"ageing ODE failed: {sol.message}")
        names = list(self.coverage0)
        return {n: sol.y[i] for i, n in enumerate(names)}, sol.y[len(names)]

    def age(
        self, l0_cd_m2: float, *, end_fraction: float = 0.4, max_time_min: float = 1e7, points: int = 121
    ) -> AgeingTrajectory:
        """L(t)/L0 at the constant current that gives ``l0_cd_m2`` at t = 0, until L/L0 = ``end_fraction`` (or
        ``max_time_min``), on ``points`` times; T50 and T95 by event location."""
        if not 0 < end_fraction < 0.5:
            raise InputError(f"end_fraction must be in (0, 0.5), got {end_fraction}")
        J = self.current_for_luminance(l0_cd_m2)
        lum0 = self.operating_point(J)["luminance_cd_m2"]

        last = {}

        def fraction(t_s, y, x):  # the three events are evaluated at the same (t, y): compute once
            key = (float(t_s), *map(float, y))
            if last.get("key") != key:
                cov, defects = self._unpack(y)
                last["key"] = key
                last["rel"] = self.operating_point(J, cov, defects, t_s)["luminance_cd_m2"] / lum0
            return last["rel"] - x

        events = [lambda t, y, _j, x=x: fraction(t, y, x) for x in (0.95, 0.5, end_fraction)]
        events[2].terminal = True
        y0 = [*self.coverage0.values(), 0.0]
        sol = solve_ivp(
            self._rhs,
            (0.0, require_finite_positive("max_time_min", max_time_min) * _MIN_S),
            y0,
            args=(J,),
            method="LSODA",
            rtol=1e-7,
            atol=1e-14,
            events=events,
            dense_output=True,
        )
        if sol.status < 0:
            raise RuntimeError(f"ageing ODE failed: {sol.message}")
        t_hit = [float(e[0]) / _MIN_S if len(e) else math.inf for e in sol.t_events]
        t_end = float(sol.t[-1])
        t_s = np.linspace(0.0, t_end, points)
        ys = sol.sol(t_s)
        rows = []
        for i, ts in enumerate(t_s):
            cov, defects = self._unpack(ys[:, i])
            rows.append((cov, defects, self.operating_point(J, cov, defects, ts)))
        dk = {m: np.array([r[2]["delta_k_nr_per_s"][m] for r in rows]) for m in MECHANISMS}
        return AgeingTrajectory(
            name=self.params.name,
            l0_cd_m2=float(l0_cd_m2),
            current_density_A_m2=J,
            time_min=t_s / _MIN_S,
            relative_luminance=np.array([r[2]["luminance_cd_m2"] for r in rows]) / lum0,
            voltage_V=np.array([r[2]["voltage_V"] for r in rows]),
            temperature_K=np.array([r[2]["temperature_K"] for r in rows]),
            plqy=np.array([r[2]["plqy"] for r in rows]),
            coverage=np.array([sum(r[0].values()) for r in rows]),
            defects_per_dot=np.array([r[1] for r in rows]),
            delta_k_nr_per_s=dk,
            t50_min=t_hit[1],
            t95_min=t_hit[0],
        )


def _finite(x: float):
    return float(x) if math.isfinite(x) else None


def _curve(traj: AgeingTrajectory, every: int = 1) -> dict:
    return {
        "time_min": traj.time_min[::every].tolist(),
        "relative_luminance": traj.relative_luminance[::every].tolist(),
        "voltage_V": traj.voltage_V[::every].tolist(),
        "temperature_K": traj.temperature_K[::every].tolist(),
    }


#: Initial luminances [cd/m^2] relative to L0 at which the acceleration exponent n is fitted.
ACCELERATION_SCAN = (0.5, 0.75, 1.0, 1.5, 2.0)


def operational_lifetime(
    stack_device,
    l0_cd_m2: float | None = None,
    *,
    scan: tuple = ACCELERATION_SCAN,
    reference_cd_m2: float = 1000.0,
    **model_options,
) -> dict:
    """Operational lifetime of a simulated device from the degradation model (JSON-ready).

    Parameters
    ----------
    stack_device : StackDevice
        ``qdled.device.chain.simulate_stack(stack, name)``.
    l0_cd_m2 : float, optional
        Initial luminance of the constant-current test; default the paper's L0 for the paper's devices
        (``<sample>.t50_l0_cd_m2``), else ``reference_cd_m2``.
    scan : tuple of float
        Multiples of ``l0_cd_m2`` simulated to fit ``L0^n T50 = const`` (those above 90 % of the device's maximum
        luminance are dropped; at least two remain or n is None).
    reference_cd_m2 : float
        The luminance of the legacy keys ``t50_min_at_1000_cd_m2``/``t95_min_at_1000_cd_m2`` (simulated when the
        device reaches it, else converted from L0 with the simulated n, ``"reference_simulated": False``).
    **model_options
        Passed to :meth:`AgeingModel.from_stack_device` (``ligands``, ``binding_energy_eV``, ``air``,
        ``ambient_K``, ``auger_defect_yield``, ``attempt_frequency_per_s``).

    Returns
    -------
    dict
        ``t50_min``, ``t95_min`` at ``l0_cd_m2``; ``t50_min_at_1000_cd_m2``, ``t95_min_at_1000_cd_m2``;
        ``acceleration_exponent`` and its ``acceleration_scan``; ``mechanism_shares`` at T50 and
        ``dominant_mechanism``; ``operating_point`` (J, V, T at t = 0 and at T50); ``curve`` (L(t)/L0, V, T
        over time); ``paper`` (None for devices not in the paper; else its key, T50 and L0, the model's T50/T95 at
        the paper's L0, ``status`` calibrated/predicted, and ``curve`` at the paper's L0 when it differs from
        ``l0_cd_m2``, else None); ``calibrated`` (the records the result rests on); ``note``.
    """
    model = AgeingModel.from_stack_device(stack_device, **model_options)
    name = model.params.name
    sample = DEVICE_SAMPLE.get(name)
    paper_l0 = paper_value(f"{sample}.t50_l0_cd_m2") if sample else None
    l0 = require_finite_positive("l0_cd_m2", l0_cd_m2 if l0_cd_m2 is not None else (paper_l0 or reference_cd_m2))
    ref = require_finite_positive("reference_cd_m2", reference_cd_m2)
    lmax = _max_luminance(model)
    records = {"auger_defect_yield": CALIBRATED["auger_defect_yield"]}
    records["attempt_frequency_per_s (dots)"] = DOTS_CALIBRATED["attempt_frequency_per_s"]
    if model.air_trap_creation_per_s_per_day > 0:
        records["trap_creation_per_s_per_day (dots)"] = DOTS_CALIBRATED["trap_creation_per_s_per_day"]
    if l0 >= lmax:
        return _unreachable(name, sample, l0, ref, lmax, records)
    main = model.age(l0)

    l0s, t50s = [], []
    for f in scan:
        x = require_finite_positive("scan", f) * l0
        if x > 0.9 * lmax:
            continue
        t = main.t50_min if f == 1.0 else model.age(x, end_fraction=0.45).t50_min
        if math.isfinite(t):
            l0s.append(x)
            t50s.append(t)
    n = fit_acceleration_exponent(l0s, t50s) if len(l0s) >= 2 else None

    if ref == l0:
        t50_ref, t95_ref, ref_sim = main.t50_min, main.t95_min, True
    elif ref <= 0.9 * lmax:
        tr = model.age(ref)
        t50_ref, t95_ref, ref_sim = tr.t50_min, tr.t95_min, True
    elif n is not None:
        t50_ref = scale_lifetime(main.t50_min, l0, ref, n)
        t95_ref, ref_sim = scale_lifetime(main.t95_min, l0, ref, n), False
    else:
        t50_ref = t95_ref = math.nan
        ref_sim = False

    shares = main.shares_at(0.5)
    dominant = max(shares, key=shares.get) if any(shares.values()) else None
    i50 = int(np.argmin(np.abs(main.relative_luminance - 0.5)))
    paper = None
    if sample is not None and paper_l0 >= lmax:
        paper = _paper_entry(sample, records, None, lmax)
    elif sample is not None:
        at_paper = main if paper_l0 == l0 else model.age(paper_l0)
        paper = {
            **_paper_entry(sample, records, at_paper, lmax),
            "curve": None if at_paper is main else _curve(at_paper),
        }
    return {
        "model": "ODE ageing: thermal ligand desorption (dots' kinetics at the Joule-heated device temperature) + "
        "Auger (exciton-charge) defect formation, feeding the non-radiative rate and trap-limited transport",
        "device": name,
        "l0_cd_m2": l0,
        "max_luminance_cd_m2": lmax,
        "current_density_mA_cm2": main.current_density_A_m2 * 0.1,
        "t50_min": _finite(main.t50_min),
        "t95_min": _finite(main.t95_min),
        f"t50_min_at_{ref:g}_cd_m2": _finite(t50_ref),
        f"t95_min_at_{ref:g}_cd_m2": _finite(t95_ref),
        "reference_simulated": ref_sim,
        "acceleration_exponent": n,
        "acceleration_scan": {"l0_cd_m2": l0s, "t50_min": t50s},
        "mechanism_shares": shares,
        "dominant_mechanism": dominant,
        "operating_point": {
            "voltage_V": float(main.voltage_V[0]),
            "temperature_K": float(main.temperature_K[0]),
            "voltage_at_t50_V": float(main.voltage_V[i50]),
            "temperature_at_t50_K": float(main.temperature_K[i50]),
            "plqy_at_t50": float(main.plqy[i50]),
        },
        "curve": _curve(main),
        "paper": paper,
        "calibrated": {k: r.to_dict() for k, r in records.items()},
        "note": _note(name, paper),
    }


def _max_luminance(model: AgeingModel) -> float:
    log_j = np.linspace(-3.0, 5.0, 81)
    return float(max(model.operating_point(10.0**x)["luminance_cd_m2"] for x in log_j))


def _paper_entry(sample: str, records: dict, at_paper, lmax: float) -> dict:
    key = f"{sample}.t50_min"
    return {
        "key": key,
        "l0_cd_m2": paper_value(f"{sample}.t50_l0_cd_m2"),
        "t50_min": paper_value(key),
        "model_t50_min": None if at_paper is None else _finite(at_paper.t50_min),
        "model_t95_min": None if at_paper is None else _finite(at_paper.t95_min),
        "status": status(key, records.values()),
        "curve": None,
        "reachable": at_paper is not None,
        "max_luminance_cd_m2": lmax,
    }


def _unreachable(name: str, sample: str | None, l0: float, ref: float, lmax: float, records: dict) -> dict:
    """The result of :func:`operational_lifetime` when the fresh device cannot emit ``l0`` at any current: no
    ageing run, every lifetime None, and a note saying so."""
    paper = None if sample is None else _paper_entry(sample, records, None, lmax)
    return {
        "model": "ODE ageing (not run)",
        "device": name,
        "l0_cd_m2": l0,
        "max_luminance_cd_m2": lmax,
        "current_density_mA_cm2": None,
        "t50_min": None,
        "t95_min": None,
        f"t50_min_at_{ref:g}_cd_m2": None,
        f"t95_min_at_{ref:g}_cd_m2": None,
        "reference_simulated": False,
        "acceleration_exponent": None,
        "acceleration_scan": {"l0_cd_m2": [], "t50_min": []},
        "mechanism_shares": {},
        "dominant_mechanism": None,
        "operating_point": None,
        "curve": None,
        "paper": paper,
        "calibrated": {k: r.to_dict() for k, r in records.items()},
        "note": f"the fresh device's maximum luminance {lmax:.4g} cd/m2 (model, at any current) is below the "
        f"initial luminance {l0:g} cd/m2 of the constant-current test: no lifetime is predicted",
    }


def _note(name: str, paper: dict | None) -> str:
    base = (
        "T50/T95 are simulated from the degradation ODEs; one rate constant (the Auger defect yield phi) is "
        "calibrated on the NSA-NH4PF6 device's T50 at its paper L0; the desorption attempt frequency is the dots' "
        "(fitted to the OA/OAm dots' PLQY in air); everything else is predicted"
    )
    if paper is None:
        return base
    return f"{base}; this device's T50 is {paper['status']} ({paper['key']})"


def calibrate_auger_defect_yield(stack_device=None) -> float:
    """Fit ``phi`` (traps per Auger event) so that the NSA-NH4PF6 device, run as ``simulate_stack(default_stack(),
    'li2024-nsa-pf6')`` (or the given ``stack_device`` of that device), reaches L/L0 = 0.5 at the paper's T50 from
    the paper's L0. Reads only the NSA device's numbers (``nsa_pf6.*``)."""
    if stack_device is None:
        from qdled.device.chain import simulate_stack
        from qdled.io.stack import default_stack

        stack_device = simulate_stack(default_stack(), "li2024-nsa-pf6")
    if stack_device.params.name != "li2024-nsa-pf6":
        raise InputError(f"the calibration device is li2024-nsa-pf6, got {stack_device.params.name!r}")
    sd = stack_device
    target = paper_value("nsa_pf6.t50_min")
    l0 = paper_value("nsa_pf6.t50_l0_cd_m2")

    def miss(log_phi):
        m = AgeingModel.from_stack_device(sd, auger_defect_yield=10.0**log_phi)
        t = m.age(l0, end_fraction=0.45).t50_min
        return math.log(t / target) if math.isfinite(t) else 50.0

    x0 = math.log10(CALIBRATED["auger_defect_yield"].value)
    lo, hi = x0 - 0.5, x0 + 0.5
    while miss(lo) < 0:
        lo -= 2.0
    while miss(hi) > 0:
        hi += 2.0
    return float(10.0 ** brentq(miss, lo, hi, xtol=1e-6))


if __name__ == "__main__":  # maintenance: refit the calibrated constant and print it next to the stored record
    value = calibrate_auger_defect_yield()
    rec = CALIBRATED["auger_defect_yield"]
    print(f"auger_defect_yield = {value:.4e} (stored {rec.value:.4e}; fitted to {rec.targets})")
