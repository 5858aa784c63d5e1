"""Named parameter sets of the paper's two devices and the record of what was calibrated.

``device_parameters("li2024-nsa-pf6")`` and ``device_parameters("li2024-control")`` share every
layer property except those that the QD ligand shell changes physically:

* QD-film mobility (tunnelling through the ligand shell, ``qd_ligand_gap_nm``),
* QD gap and dot size (the control's dots ripen to larger size: PL 639 nm vs 623 nm),
* film PLQY and PL lifetime (TRPL 4.3 ns vs 7.9 ns),
* QD-film trap density (one trap per dark dot: ``(1 - PLQY) N_QD``),
* the lifetime parameters.

:data:`CALIBRATED` names every parameter fitted to a number of the paper, the number, and the
routine that fits it (:mod:`qdled.device.calibration`); everything else is a literature value or a
stated assumption (see the field comments), and the device outputs not listed as targets in
:data:`CALIBRATED` are predictions.

References
----------
Li, Y. et al., Nat. Commun. 15, 5696 (2024) (thicknesses TmPyPB 6 nm, PO-T2T 37 nm, LiF 1 nm; PLQY 94 %;
TRPL 7.9/4.3 ns; dot size 4.3 nm; device figures of merit). Other sources: see the modules using
each parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from qdled.device.levels import photon_energy_eV
from qdled.device.lifetime import ACCELERATION_EXPONENT
from qdled.errors import InputError, require_finite_positive

__all__ = ["DeviceParameters", "device_parameters", "DEVICE_NAMES", "CALIBRATED", "CALIBRATED_OUTPUTS"]


@dataclass(frozen=True)
class DeviceParameters:
    """Physical parameters of one LED (SI unless the name says otherwise)."""

    name: str
    temperature_K: float = 300.0
    # --- QD layer -------------------------------------------------------------------------------
    qd_gap_eV: float = photon_energy_eV(623.0)  # paper PL peak (assumption: gap = PL photon energy)
    qd_edge_nm: float = 4.3  # paper TEM, NSA-NH4PF6 dots
    qd_ligand_gap_nm: float = 0.6  # edge-to-edge tunnelling distance, PF6-/NSA shell (assumption)
    qd_mobility_prefactor_m2_Vs: float = 7.384e-9  # CALIBRATED (see CALIBRATED)
    tunnelling_beta_per_angstrom: float = 1.09  # Liu et al., Nano Lett. 10, 1960 (2010)
    qd_hole_to_electron_mobility: float = 0.5  # assumption: holes slower in the QD film
    qd_trap_density_m3: float | None = (
        None  # None -> dark-dot estimate (1 - PLQY) N_QD (see electrical.trap_density_m3)
    )
    qd_trap_temperature_K: float = 1500.0  # exponential trap tail, l = Tt/T = 5 (assumption)
    qd_eps_r: float = 5.0  # QD film (CsPbI3 high-frequency eps ~5-6, diluted by ligands; assumption)
    plqy: float = 0.94  # paper (solution PLQY of NSA-NH4PF6 QDs)
    pl_lifetime_s: float = 7.9e-9  # paper TRPL (film)
    trion_relative_yield: float = 0.0  # charged dots taken as dark (assumption)
    auger_lifetime_s: float = 30e-12  # biexciton Auger, ~4-5 nm CsPbX3 dots (Makarov 2016; assumption)
    # --- transport layers (thicknesses: paper for ETLs; stack assumptions for PEDOT:PSS/PTAA/QD) ---
    thickness_nm: dict = field(
        default_factory=lambda: {"PEDOT:PSS": 30.0, "PTAA": 20.0, "QD": 35.0, "TmPyPB": 6.0, "PO-T2T": 37.0}
    )
    organic_eps_r: float = 3.0  # typical small-molecule/polymer (assumption)
    ptaa_mobility_m2_Vs: float = 1e-7  # 1e-3 cm^2/Vs, typical PTAA hole mobility (assumption)
    tmpypb_mobility_m2_Vs: float = 1e-7  # ~1e-3 cm^2/Vs electron mobility (Su et al., Adv. Mater. 20, 2125 (2008))
    pot2t_mobility_m2_Vs: float = 1e-7  # ~1e-3 cm^2/Vs (assumption)
    poole_frenkel_gamma_sqrt_m_V: float = 3e-4  # typical organic Poole-Frenkel factor (assumption)
    series_resistance_ohm_m2: float = 1e-4  # ITO + PEDOT:PSS + contacts, 25 ohm on 4 mm^2 (assumption)
    shunt_resistance_ohm_m2: float = 100.0  # leakage path, 25 Mohm on 4 mm^2 (assumption)
    # --- heating / thermal quenching ------------------------------------------------------------
    thermal_resistance_K_m2_W: float = 0.05186  # CALIBRATED
    quench_activation_eV: float = 0.3  # thermal PL quenching of perovskite NCs, 0.1-0.4 eV (assumption)
    quench_half_temperature_K: float = 380.0  # thermal channel equals k_r at ~107 degC (assumption)
    # --- operational lifetime -------------------------------------------------------------------
    t50_min: float = 729.0  # CALIBRATED: T50 at lifetime_reference_cd_m2
    lifetime_reference_cd_m2: float = 1000.0  # paper's L0 of the T50 measurement
    lifetime_beta: float = 0.8  # stretched-exponential exponent (assumption)
    acceleration_exponent: float = ACCELERATION_EXPONENT  # L0^n T = const (typical 1.5-2; assumption)

    def __post_init__(self):
        """Reject unphysical values with an error naming the field (they would give silent nonsense:
        a negative shunt resistance, for instance, an EQE of 21,000 %)."""
        zero_ok = {
            "qd_ligand_gap_nm",
            "tunnelling_beta_per_angstrom",
            "poole_frenkel_gamma_sqrt_m_V",
            "series_resistance_ohm_m2",
            "thermal_resistance_K_m2_W",
            "quench_activation_eV",
            "trion_relative_yield",
        }
        for f in self.__dataclass_fields__:
            value = getattr(self, f)
            if f in ("name", "thickness_nm") or value is None:
                continue
            require_finite_positive(f, value, allow_zero=f in zero_ok)
        if not 0 < self.plqy <= 1:
            raise InputError(f"plqy must be in (0, 1], got {self.plqy}")
        if not 0 <= self.trion_relative_yield <= 1:
            raise InputError(f"trion_relative_yield must be in [0, 1], got {self.trion_relative_yield}")
        if not self.lifetime_beta <= 3:
            raise InputError(f"lifetime_beta must be in (0, 3], got {self.lifetime_beta}")
        for layer, t in self.thickness_nm.items():
            require_finite_positive(f"thickness_nm of {layer}", t)

    def thickness_m(self, layer: str) -> float:
        """Thickness of a layer [m]."""
        if layer not in self.thickness_nm:
            raise InputError(f"unknown layer {layer!r}; known: {sorted(self.thickness_nm)}")
        return self.thickness_nm[layer] * 1e-9

    def with_thicknesses(self, thickness_nm: dict) -> "DeviceParameters":
        """A copy with some layer thicknesses [nm] replaced (e.g. from a stack file)."""
        new = dict(self.thickness_nm)
        for k, v in thickness_nm.items():
            if k not in new:
                raise InputError(f"unknown layer {k!r}; known: {sorted(new)}")
            if not v > 0:
                raise InputError(f"thickness_nm of {k} must be > 0, got {v}")
            new[k] = float(v)
        return replace(self, thickness_nm=new)


#: Calibrated parameters: (device, parameter) -> the paper number it was fitted to.
#: Values found by :func:`qdled.device.calibration.calibrate` and frozen in :func:`device_parameters`.
CALIBRATED: dict[tuple[str, str], str] = {
    ("li2024-nsa-pf6", "qd_mobility_prefactor_m2_Vs"): "max luminance 4203 cd/m2 at 5.8 V (paper Fig. 4d), J-V level",
    ("li2024-nsa-pf6", "thermal_resistance_K_m2_W"): "luminance maximum at 5.8 V (paper Fig. 4d)",
    ("li2024-nsa-pf6", "t50_min"): "T50 = 729 min at L0 = 1000 cd/m2 (paper Fig. 4f)",
    (
        "li2024-control",
        "plqy",
    ): "peak EQE ratio 19.01 % / 26.04 % (paper Fig. 4e); the film PLQY of OA/OAm dots is not reported",
    ("li2024-control", "qd_ligand_gap_nm"): "max luminance 696 cd/m2 (paper Fig. 4d)",
    ("li2024-control", "t50_min"): "T50 = 43 min at L0 = 500 cd/m2 (paper Fig. 4f)",
}

#: Outputs of :func:`qdled.device.simulate_device` that are calibration targets (not predictions).
CALIBRATED_OUTPUTS: dict[str, tuple[str, ...]] = {
    "li2024-nsa-pf6": ("max_luminance_cd_m2", "voltage_at_max_luminance_V", "t50_min_at_1000_cd_m2"),
    "li2024-control": ("max_luminance_cd_m2", "peak_eqe"),
}

_NSA = DeviceParameters(name="li2024-nsa-pf6")


def _control() -> DeviceParameters:
    return replace(
        _NSA,
        name="li2024-control",
        qd_gap_eV=photon_energy_eV(639.0),  # paper PL of purified OA/OAm dots
        qd_edge_nm=5.5,  # larger (ripened) dots; TEM size not in the text (assumption)
        qd_ligand_gap_nm=0.7791,  # CALIBRATED
        plqy=0.7055,  # CALIBRATED
        pl_lifetime_s=4.3e-9,  # paper TRPL
        t50_min=43.0,  # CALIBRATED
        lifetime_reference_cd_m2=500.0,
    )


DEVICE_NAMES = ("li2024-nsa-pf6", "li2024-control")


def device_parameters(name: str = "li2024-nsa-pf6") -> DeviceParameters:
    """Parameter set of a named device: ``"li2024-nsa-pf6"`` or ``"li2024-control"`` (OA/OAm)."""
    if name == "li2024-nsa-pf6":
        return _NSA
    if name == "li2024-control":
        return _control()
    raise InputError(f"unknown device {name!r}; known: {', '.join(DEVICE_NAMES)}")
