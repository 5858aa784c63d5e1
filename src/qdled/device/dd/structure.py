"""Layer stack of the drift-diffusion solver: layers, contacts, exciton parameters, and the Li et al. (2024)
LED built from :class:`~qdled.device.parameters.DeviceParameters` and the level table.

Energies are eV below the vacuum level (positive numbers, as in :mod:`qdled.device.levels`); every other
quantity is SI. The solver domain is PTAA / QD film / TmPyPB / PO-T2T. ITO/PEDOT:PSS is the anode with the
PEDOT:PSS work function (PEDOT:PSS AI4083 conducts like a metal on this scale: ~0.1 S/m over 30 nm is
3e-7 ohm m^2, < 1 mV at 1000 A/m^2, neglected); LiF/Al is the cathode with its effective work function.

Assumptions of :class:`DriftDiffusionSettings` (the solver's own parameters, absent from
``DeviceParameters``) are stated beside each field.

References
----------
.. [1] Koster, L. J. A., Smits, E. C. P., Mihailetchi, V. D. & Blom, P. W. M., Phys. Rev. B 72, 085205
   (2005): MIM device model, N_c = N_v = 2.5e25 m^-3 for an organic semiconductor, Langevin recombination.
.. [2] Kuik, M., Koster, L. J. A., Wetzelaer, G. A. H. & Blom, P. W. M., Phys. Rev. Lett. 107, 256805
   (2011): trap-assisted recombination in disordered semiconductors with capture coefficient q mu / eps.
.. [3] Li, Y. et al., Nat. Commun. 15, 5696 (2024) (the stack).
.. [4] Hu, F. et al., Nano Lett. 16, 6425 (2016): in CsPbI3 nanocrystals the Auger recombination of charged
   excitons is slow; their PL lifetime is about half that of neutral excitons.
.. [5] Galland, C. et al., Nature 479, 203 (2011): the radiative rate of a negative trion is about twice the
   neutral exciton's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_C
from scipy.constants import epsilon_0 as EPS0

from qdled.device import transport as tr
from qdled.device.levels import energy_levels
from qdled.device.parameters import DeviceParameters
from qdled.errors import InputError, require_finite_positive

__all__ = [
    "Layer",
    "Contact",
    "ExcitonParameters",
    "DeviceStructure",
    "DriftDiffusionSettings",
    "structure_from_parameters",
]


@dataclass(frozen=True)
class Layer:
    """One semiconductor layer.

    ``lumo_eV``/``homo_eV``: transport levels [eV below vacuum]; ``nc_m3``/``nv_m3``: effective densities of
    states; ``poole_frenkel_gamma_sqrt_m_V``: ``mu = mu0 exp(gamma sqrt(F))`` for both carriers;
    ``doping_m3``: net ionised donors minus acceptors; ``langevin_factor``: reduction of the Langevin rate
    ``q (mu_n + mu_p) / eps`` (0 switches it off); ``srh_trap_density_m3``: mid-gap recombination centres
    (capture coefficients ``q mu / eps``, ref. [2]); ``tail_trap_density_m3`` and ``tail_trap_temperature_K``:
    exponential tails of electron and hole traps whose Boltzmann-tail occupation ``N_t (n/N_c)^(T/T_t)``
    enters Poisson's equation (Mark-Helfrich); ``emissive``: recombination here forms emissive excitons;
    ``statistics``: ``"boltzmann"`` or ``"fermi"`` -- Gauss-Fermi statistics: the ``N_c`` (``N_v``) transport
    states have Gaussian energies of standard deviation ``dos_width_eV`` [eV] centred at the LUMO (HOMO), each
    occupied by Fermi-Dirac statistics (:mod:`qdled.device.dd.statistics`; Coehoorn et al., Phys. Rev. B 72,
    155206 (2005) for the Gaussian DOS of disordered organics). ``dos_width_eV = 0`` (default) is the single-level
    occupation ``n = N_c / (1 + exp(-eta))``. The density is capped at ``N_c``: with ``N_c = 2 N_QD`` at most two
    electrons (holes) per dot. The SG flux then uses the effective band edge including the degeneracy correction
    (generalised Einstein relation ``D/mu = V_t / (d ln n / d eta)``, Roichman & Tessler, Appl. Phys. Lett. 80,
    1948 (2002)). ``dos_width_eV > 0`` needs ``statistics="fermi"``: the Boltzmann limit of a Gaussian DOS is
    ``N_c exp(sigma^2 / 2 (kT)^2) exp(eta)``, i.e. Boltzmann statistics with that ``N_c``.
    """

    name: str
    thickness_m: float
    eps_r: float
    lumo_eV: float
    homo_eV: float
    mu_n_m2_Vs: float
    mu_p_m2_Vs: float
    nc_m3: float = 2.5e25
    nv_m3: float = 2.5e25
    poole_frenkel_gamma_sqrt_m_V: float = 0.0
    doping_m3: float = 0.0
    langevin_factor: float = 1.0
    srh_trap_density_m3: float = 0.0
    tail_trap_density_m3: float = 0.0
    tail_trap_temperature_K: float = 1500.0
    emissive: bool = False
    statistics: str = "boltzmann"
    dos_width_eV: float = 0.0

    def __post_init__(self):
        for f in (
            "thickness_m",
            "eps_r",
            "lumo_eV",
            "homo_eV",
            "mu_n_m2_Vs",
            "mu_p_m2_Vs",
            "nc_m3",
            "nv_m3",
            "tail_trap_temperature_K",
        ):
            require_finite_positive(f"{self.name}.{f}", getattr(self, f))
        for f in (
            "poole_frenkel_gamma_sqrt_m_V",
            "langevin_factor",
            "srh_trap_density_m3",
            "tail_trap_density_m3",
            "dos_width_eV",
        ):
            require_finite_positive(f"{self.name}.{f}", getattr(self, f), allow_zero=True)
        if not np.isfinite(self.doping_m3):
            raise InputError(f"{self.name}.doping_m3 must be finite, got {self.doping_m3}")
        if self.statistics not in ("boltzmann", "fermi"):
            raise InputError(f"{self.name}.statistics must be 'boltzmann' or 'fermi', got {self.statistics!r}")
        if self.dos_width_eV > 0 and self.statistics == "boltzmann":
            raise InputError(
                f"{self.name}: dos_width_eV = {self.dos_width_eV} needs statistics='fermi' (Gauss-Fermi); the "
                "Boltzmann limit of a Gaussian DOS is N exp(eta + (sigma/kT)^2 / 2): use statistics='boltzmann' "
                "with dos_width_eV = 0 and nc_m3, nv_m3 multiplied by exp((sigma/kT)^2 / 2) instead"
            )
        if self.homo_eV <= self.lumo_eV:
            raise InputError(f"{self.name}: homo_eV ({self.homo_eV}) must be deeper than lumo_eV ({self.lumo_eV})")


@dataclass(frozen=True)
class Contact:
    """A metal contact: work function [eV]; ``ohmic=True`` fixes both quasi-Fermi levels at the metal's
    (infinite surface velocity); otherwise thermionic emission with Richardson velocity
    ``A* T^2 / (q N)`` (or ``surface_velocity_m_s``) and, if ``image_force``, image-force lowering.
    ``blocks`` = ``"electrons"`` or ``"holes"``: that carrier's surface velocity is zero (a selective contact,
    e.g. the anode of a hole-only device or the injecting contacts of Parmenter & Ruppel's double injection)."""

    work_function_eV: float
    ohmic: bool = False
    image_force: bool = True
    surface_velocity_m_s: float | None = None
    blocks: str | None = None

    def __post_init__(self):
        require_finite_positive("work_function_eV", self.work_function_eV)
        if self.surface_velocity_m_s is not None:
            require_finite_positive("surface_velocity_m_s", self.surface_velocity_m_s)
        if self.blocks not in (None, "electrons", "holes"):
            raise InputError(f"blocks must be None, 'electrons' or 'holes', got {self.blocks!r}")
        if self.blocks is not None and self.ohmic:
            raise InputError("an ohmic contact exchanges both carriers; blocks needs ohmic=False")


@dataclass(frozen=True)
class ExcitonParameters:
    """Exciton balance in the emissive layer: radiative and non-radiative rates [1/s] (from PLQY and PL
    lifetime), biexciton Auger lifetime, trion (exciton on a charged dot) lifetime and relative yield,
    dot density [m^-3], and Joule heating: the device warms by ``thermal_resistance_K_m2_W x J V`` above the
    structure's temperature and an activated quenching channel opens (``quench_activation_eV``,
    ``quench_half_temperature_K``: the law of :func:`qdled.device.emission.thermal_quench_ratio`, the compact
    model's). ``thermal_resistance_K_m2_W = 0`` switches heating off."""

    radiative_rate_s: float
    nonradiative_rate_s: float
    auger_lifetime_s: float
    trion_lifetime_s: float
    trion_relative_yield: float
    dot_density_m3: float
    thermal_resistance_K_m2_W: float = 0.0
    quench_activation_eV: float = 0.3
    quench_half_temperature_K: float = 380.0

    def __post_init__(self):
        for f in (
            "radiative_rate_s",
            "auger_lifetime_s",
            "trion_lifetime_s",
            "dot_density_m3",
            "quench_activation_eV",
            "quench_half_temperature_K",
        ):
            require_finite_positive(f, getattr(self, f))
        for f in ("nonradiative_rate_s", "thermal_resistance_K_m2_W"):
            require_finite_positive(f, getattr(self, f), allow_zero=True)
        if not 0 <= self.trion_relative_yield <= 1:
            raise InputError(f"trion_relative_yield must be in [0, 1], got {self.trion_relative_yield}")


@dataclass(frozen=True)
class DeviceStructure:
    """Layers anode -> cathode, the two contacts, temperature and (optional) exciton parameters."""

    layers: tuple
    anode: Contact
    cathode: Contact
    temperature_K: float = 300.0
    exciton: ExcitonParameters | None = None

    def __post_init__(self):
        if len(self.layers) == 0 or not all(isinstance(layer, Layer) for layer in self.layers):
            raise InputError("layers must be a non-empty sequence of Layer")
        require_finite_positive("temperature_K", self.temperature_K)
        if self.exciton is not None and not any(layer.emissive for layer in self.layers):
            raise InputError("exciton parameters given but no layer is emissive")

    @property
    def built_in_guess_V(self) -> float:
        """Work-function difference [V] (for information; the solver does not use it)."""
        return self.anode.work_function_eV - self.cathode.work_function_eV


@dataclass(frozen=True)
class DriftDiffusionSettings:
    """Drift-diffusion parameters that :class:`DeviceParameters` does not hold (defaults = assumptions)."""

    organic_dos_m3: float = 2.5e25  # N_c = N_v of the organics (Koster et al. 2005, ref. [1])
    qd_states_per_dot: float = 2.0  # two spin states per dot and band: N_c = N_v = 2 N_QD
    minority_mobility_ratio: float = 1.0  # organics: minority/majority mobility (assumption; the levels block)
    langevin_factor: float = 1.0  # QD film Langevin reduction (1 = full Langevin; assumption)
    qd_srh: bool = True  # mid-gap SRH centres in the QD film, density = trap_density_m3(p)
    qd_tail_traps: bool = True  # exponential trap tails (Nt, Tt of DeviceParameters) in Poisson
    contact_pinning_eV: float = 0.1  # Fermi level pinned >= 0.1 eV from a transport level (assumption)
    image_force: bool = True  # Emtage & O'Dwyer image-force lowering at both contacts
    # exciton on a charged dot: None -> half the film PL lifetime, the charged-exciton lifetime measured in CsPbI3
    # NCs (slow trion Auger; Hu et al. 2016, ref. [4]); was 100 ps (recalled CsPbX3 value), which quenched >95 %
    # of the excitons formed in the accumulation layers. Larger than Hu's dots, ours are more confined: assumption
    trion_lifetime_s: float | None = None
    # relative PL yield of a charged dot (trion) against a neutral one: None -> 2 tau_trion / tau_PL (capped at 1),
    # the yield of a trion with twice the exciton's radiative rate (two recombination pathways; Galland et al.
    # 2011, ref. [5]) and lifetime tau_trion: with Hu's tau_trion = tau_PL / 2 charged CsPbI3 dots are as bright as
    # neutral ones, which is what makes them non-blinking (ref. [4]). (The compact model's DeviceParameters
    # .trion_relative_yield = 0, dark trions, is its own assumption and is not used here unless given.)
    trion_relative_yield: float | None = None
    heating: bool = True  # Joule heating with DeviceParameters.thermal_resistance_K_m2_W in the exciton balance
    interface_gap_nm: float = 1e-3  # width of the interface element carrying each band step
    qd_statistics: str = "fermi"  # "fermi": at most N_c = 2 N_QD carriers, i.e. two per dot
    organic_statistics: str = "fermi"  # "fermi": density capped at the site density N_c = N_v
    # Gaussian DOS widths sigma [eV] of the organics (PTAA, TmPyPB, PO-T2T) and of the QD film (Gauss-Fermi
    # statistics, Layer.dos_width_eV); 0 = single transport level (the calibrated default)
    organic_dos_width_eV: float = 0.0
    qd_dos_width_eV: float = 0.0

    def __post_init__(self):
        for f in ("organic_dos_m3", "qd_states_per_dot", "minority_mobility_ratio", "interface_gap_nm"):
            require_finite_positive(f, getattr(self, f))
        if self.trion_lifetime_s is not None:
            require_finite_positive("trion_lifetime_s", self.trion_lifetime_s)
        if self.trion_relative_yield is not None and not 0 <= self.trion_relative_yield <= 1:
            raise InputError(f"trion_relative_yield must be in [0, 1], got {self.trion_relative_yield}")
        for f in ("langevin_factor", "contact_pinning_eV", "organic_dos_width_eV", "qd_dos_width_eV"):
            require_finite_positive(f, getattr(self, f), allow_zero=True)
        for f in ("qd_statistics", "organic_statistics"):
            if getattr(self, f) not in ("boltzmann", "fermi"):
                raise InputError(f"{f} must be 'boltzmann' or 'fermi', got {getattr(self, f)!r}")


def _pinned_contact(wf_eV: float, layer: Layer, anode: bool, pin_eV: float, image_force: bool) -> Contact:
    """Contact whose Fermi level stays >= ``pin_eV`` inside the gap of the adjacent layer (Fermi-level
    pinning: a metal cannot push the Fermi level past the transport level of an organic)."""
    if anode:
        wf = min(wf_eV, layer.homo_eV - pin_eV)
    else:
        wf = max(wf_eV, layer.lumo_eV + pin_eV)
    return Contact(work_function_eV=wf, image_force=image_force)


def structure_from_parameters(p: DeviceParameters, settings: DriftDiffusionSettings | None = None) -> DeviceStructure:
    """The LED of ``p`` (PTAA / QD / TmPyPB / PO-T2T between PEDOT:PSS and LiF/Al) as a :class:`DeviceStructure`."""
    if not isinstance(p, DeviceParameters):
        raise InputError(f"p must be DeviceParameters, got {type(p).__name__}")
    s = DriftDiffusionSettings() if settings is None else settings
    from qdled.device.electrical import dot_density_m3, trap_density_m3  # compact-model helpers (read-only use)

    lv = energy_levels(p.qd_gap_eV)
    n0, r, g = s.organic_dos_m3, s.minority_mobility_ratio, p.poole_frenkel_gamma_sqrt_m_V
    mu_e_qd = float(
        tr.ligand_tunnelling_mobility_m2_Vs(
            p.qd_mobility_prefactor_m2_Vs, p.qd_ligand_gap_nm, p.tunnelling_beta_per_angstrom
        )
    )
    n_qd = dot_density_m3(p)
    nt = trap_density_m3(p)
    so, so_w = s.organic_statistics, s.organic_dos_width_eV
    ptaa = Layer(
        "PTAA",
        p.thickness_m("PTAA"),
        p.organic_eps_r,
        lv["PTAA"].lumo_eV,
        lv["PTAA"].homo_eV,
        r * p.ptaa_mobility_m2_Vs,
        p.ptaa_mobility_m2_Vs,
        n0,
        n0,
        g,
        statistics=so,
        dos_width_eV=so_w,
    )
    qd = Layer(
        "QD",
        p.thickness_m("QD"),
        p.qd_eps_r,
        lv["QD"].lumo_eV,
        lv["QD"].homo_eV,
        mu_e_qd,
        mu_e_qd * p.qd_hole_to_electron_mobility,
        s.qd_states_per_dot * n_qd,
        s.qd_states_per_dot * n_qd,
        0.0,
        0.0,
        s.langevin_factor,
        nt if s.qd_srh else 0.0,
        nt if s.qd_tail_traps else 0.0,
        p.qd_trap_temperature_K,
        emissive=True,
        statistics=s.qd_statistics,
        dos_width_eV=s.qd_dos_width_eV,
    )
    tm = Layer(
        "TmPyPB",
        p.thickness_m("TmPyPB"),
        p.organic_eps_r,
        lv["TmPyPB"].lumo_eV,
        lv["TmPyPB"].homo_eV,
        p.tmpypb_mobility_m2_Vs,
        r * p.tmpypb_mobility_m2_Vs,
        n0,
        n0,
        g,
        statistics=so,
        dos_width_eV=so_w,
    )
    po = Layer(
        "PO-T2T",
        p.thickness_m("PO-T2T"),
        p.organic_eps_r,
        lv["PO-T2T"].lumo_eV,
        lv["PO-T2T"].homo_eV,
        p.pot2t_mobility_m2_Vs,
        r * p.pot2t_mobility_m2_Vs,
        n0,
        n0,
        g,
        statistics=so,
        dos_width_eV=so_w,
    )
    anode = _pinned_contact(lv["PEDOT:PSS"].wf_eV, ptaa, True, s.contact_pinning_eV, s.image_force)
    cathode = _pinned_contact(lv["LiF/Al"].wf_eV, po, False, s.contact_pinning_eV, s.image_force)
    tau_trion = 0.5 * p.pl_lifetime_s if s.trion_lifetime_s is None else s.trion_lifetime_s
    exc = ExcitonParameters(
        radiative_rate_s=p.plqy / p.pl_lifetime_s,
        nonradiative_rate_s=(1.0 - p.plqy) / p.pl_lifetime_s,
        auger_lifetime_s=p.auger_lifetime_s,
        trion_lifetime_s=tau_trion,
        trion_relative_yield=(
            min(1.0, 2.0 * tau_trion / p.pl_lifetime_s) if s.trion_relative_yield is None else s.trion_relative_yield
        ),
        dot_density_m3=n_qd,
        thermal_resistance_K_m2_W=p.thermal_resistance_K_m2_W if s.heating else 0.0,
        quench_activation_eV=p.quench_activation_eV,
        quench_half_temperature_K=p.quench_half_temperature_K,
    )
    return DeviceStructure((ptaa, qd, tm, po), anode, cathode, p.temperature_K, exc)


def layer_eps_F_m(layer: Layer) -> float:
    """Permittivity [F/m] of a layer."""
    return EPS0 * layer.eps_r


def langevin_coefficient_m3_s(layer: Layer) -> float:
    """Langevin coefficient ``f q (mu_n + mu_p) / eps`` [m^3/s] with zero-field mobilities."""
    return layer.langevin_factor * Q_C * (layer.mu_n_m2_Vs + layer.mu_p_m2_Vs) / layer_eps_F_m(layer)
