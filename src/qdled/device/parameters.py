"""Named parameter sets of the paper's two devices and the record of what was calibrated.

``device_parameters("li2024-nsa-pf6")`` and ``device_parameters("li2024-control")`` share every
layer property except those that the QD ligand shell changes physically:

* QD-film mobility (tunnelling through the ligand shell, ``qd_ligand_gap_nm``),
* QD gap and dot size (the control's dots ripen to larger size: a redder PL),
* film PLQY and PL lifetime (the paper's TRPL of each film),
* QD-film trap density (one trap per dark dot: ``(1 - PLQY) N_QD``),
* the lifetime parameters.

These are the parameters of the compact surrogate (:mod:`qdled.device.electrical`). :data:`CALIBRATED` holds a
:class:`qdled.io.paper.Calibrated` record for every parameter fitted to a number of the paper (device name ->
field -> record), :data:`SURROGATE` a :class:`SurrogateFit` record for every effective parameter fitted to an
output of the drift-diffusion device (a prediction, not a paper value); both are fitted by
:mod:`qdled.device.calibration`, and the parameter sets take their values from these records. The
drift-diffusion chain replaces the dots' fields by what the dots stage predicts
(:func:`qdled.device.dd.calibration.dd_parameters`). Numbers the paper states are read from
:mod:`qdled.io.paper` by name; everything else is a literature value or a stated assumption (see the field
comments). A device output is a calibration target exactly when a record of that device names its paper key
(:func:`calibrated_outputs`); all other outputs are predictions.

References
----------
Li, Y. et al., Nat. Commun. 15, 5696 (2024) (ETL thicknesses, PLQY, TRPL lifetimes, dot size, PL peaks, device
figures of merit: all through :mod:`qdled.io.paper`). Other sources: see the modules using each parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType

from qdled.device.lifetime import ACCELERATION_EXPONENT
from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import Calibrated, fitted_keys, paper_value
from qdled.spectral import photon_energy_eV

__all__ = [
    "CALIBRATED",
    "DEVICE_NAMES",
    "DEVICE_SAMPLE",
    "DeviceParameters",
    "SURROGATE",
    "SurrogateFit",
    "calibrated_outputs",
    "device_for_recipe",
    "device_for_route",
    "device_parameters",
]

#: The paper's two devices and the sample key of their numbers in :mod:`qdled.io.paper`.
DEVICE_SAMPLE = MappingProxyType({"li2024-nsa-pf6": "nsa_pf6", "li2024-control": "control"})
DEVICE_NAMES = tuple(DEVICE_SAMPLE)

#: Calibrated parameters of the compact surrogate: device -> field -> record (value as frozen here, the paper
#: values it was fitted to, how). Found by :func:`qdled.device.calibration.calibrate` with the optical inputs of
#: :func:`qdled.device.calibration.calibration_inputs`, fitted to the drift-diffusion device at the two numbers
#: where that device is calibrated to the paper.
CALIBRATED: MappingProxyType = MappingProxyType(
    {
        "li2024-nsa-pf6": MappingProxyType(
            {
                "qd_mobility_prefactor_m2_Vs": Calibrated(
                    1.00156e-8,
                    "m2/(V s)",
                    ("nsa_pf6.max_luminance_cd_m2", "nsa_pf6.voltage_at_max_luminance_V"),
                    "level of the J-V curve: the luminance at the drift-diffusion device's voltage of maximum "
                    "luminance equals its maximum, which is the paper's (least squares jointly with "
                    "thermal_resistance_K_m2_W, alternated with the surrogate plqy)",
                ),
                "thermal_resistance_K_m2_W": Calibrated(
                    0.0423737,
                    "K m2/W",
                    ("nsa_pf6.voltage_at_max_luminance_V",),
                    "Joule heating that puts the luminance maximum (dL/dV = 0) at the drift-diffusion device's "
                    "voltage of maximum luminance, which is the paper's",
                ),
                "t50_min": Calibrated(
                    paper_value("nsa_pf6.t50_min"),
                    "min",
                    ("nsa_pf6.t50_min",),
                    "taken directly, at the paper's initial luminance nsa_pf6.t50_l0_cd_m2",
                ),
            }
        ),
        "li2024-control": MappingProxyType(
            {
                "t50_min": Calibrated(
                    paper_value("control.t50_min"),
                    "min",
                    ("control.t50_min",),
                    "taken directly, at the paper's initial luminance control.t50_l0_cd_m2",
                ),
            }
        ),
    }
)


@dataclass(frozen=True)
class SurrogateFit:
    """A compact-model parameter fitted to an output of the drift-diffusion device (a prediction of the solver,
    not a paper value), so that the compact model serves as the solver's fast surrogate.

    Attributes
    ----------
    value : float
        The fitted value, as frozen here.
    unit : str
    target : str
        ``"<device>.<output>"`` of :func:`qdled.device.chain.simulate_stack_drift_diffusion` on the default stack.
    target_value : float
        That output when the value was fitted.
    how : str
    """

    value: float
    unit: str
    target: str
    target_value: float
    how: str

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return {
            "value": self.value,
            "unit": self.unit,
            "fitted_to_drift_diffusion": self.target,
            "target_value": self.target_value,
            "how": self.how,
        }


#: Effective parameters of the compact surrogate fitted to drift-diffusion outputs (device -> field -> record),
#: by :func:`qdled.device.calibration.calibrate`.
SURROGATE: MappingProxyType = MappingProxyType(
    {
        "li2024-nsa-pf6": MappingProxyType(
            {
                "plqy": SurrogateFit(
                    0.767183,
                    "1",
                    "li2024-nsa-pf6.peak_eqe",
                    0.207904,
                    "effective exciton yield that gives the drift-diffusion device's peak EQE (root finding, "
                    "alternated with the level fit): it absorbs the solver's trap-assisted loss before exciton "
                    "formation and its emission zone's outcoupling",
                ),
            }
        ),
        "li2024-control": MappingProxyType(
            {
                "qd_ligand_gap_nm": SurrogateFit(
                    0.988589,
                    "nm",
                    "li2024-control.max_luminance_cd_m2",
                    43.8619,
                    "tunnelling distance that gives the drift-diffusion control's maximum luminance over 0-8 V "
                    "(root finding, alternated with plqy)",
                ),
                "plqy": SurrogateFit(
                    0.280511,
                    "1",
                    "li2024-control.peak_eqe",
                    0.0693485,
                    "effective exciton yield that gives the drift-diffusion control's peak EQE (root finding, "
                    "alternated with qd_ligand_gap_nm)",
                ),
            }
        ),
    }
)


def _cal(device: str, name: str) -> float:
    rec = CALIBRATED[device].get(name) or SURROGATE[device][name]
    return rec.value


@dataclass(frozen=True)
class DeviceParameters:
    """Physical parameters of one LED (SI unless the name says otherwise)."""

    name: str
    temperature_K: float = 300.0
    # --- QD layer -------------------------------------------------------------------------------
    # paper PL peak of the NSA-NH4PF6 dots (assumption: gap = PL photon energy)
    qd_gap_eV: float = photon_energy_eV(paper_value("nsa_pf6.pl_peak_nm"))
    qd_edge_nm: float = paper_value("nsa_pf6.mean_edge_nm")  # paper TEM, NSA-NH4PF6 dots
    qd_ligand_gap_nm: float = 0.6  # edge-to-edge tunnelling distance, PF6-/NSA shell (assumption)
    qd_mobility_prefactor_m2_Vs: float = _cal("li2024-nsa-pf6", "qd_mobility_prefactor_m2_Vs")
    tunnelling_beta_per_angstrom: float = 1.09  # Liu et al., Nano Lett. 10, 1960 (2010)
    qd_hole_to_electron_mobility: float = 0.5  # assumption: holes slower in the QD film
    qd_trap_density_m3: float | None = (
        None  # None -> dark-dot estimate (1 - PLQY) N_QD (see electrical.trap_density_m3)
    )
    qd_trap_temperature_K: float = 1500.0  # exponential trap tail, l = Tt/T = 5 (assumption)
    qd_eps_r: float = 5.0  # QD film (CsPbI3 high-frequency eps ~5-6, diluted by ligands; assumption)
    plqy: float = paper_value("nsa_pf6.plqy")  # paper (solution PLQY of NSA-NH4PF6 QDs)
    pl_lifetime_s: float = paper_value("nsa_pf6.tau_avg_ns") * 1e-9  # paper TRPL (film)
    trion_relative_yield: float = 0.0  # charged dots taken as dark (assumption)
    auger_lifetime_s: float = 30e-12  # biexciton Auger, ~4-5 nm CsPbX3 dots (Makarov 2016; assumption)
    # --- transport layers (thicknesses: paper for ETLs; stack assumptions for PEDOT:PSS/PTAA/QD) ---
    thickness_nm: dict = field(
        default_factory=lambda: {
            "PEDOT:PSS": 30.0,
            "PTAA": 20.0,
            "QD": 35.0,
            "TmPyPB": paper_value("device.tmpypb_thickness_nm"),
            "PO-T2T": paper_value("device.pot2t_thickness_nm"),
        }
    )
    organic_eps_r: float = 3.0  # typical small-molecule/polymer (assumption)
    ptaa_mobility_m2_Vs: float = 1e-7  # 1e-3 cm^2/Vs, typical PTAA hole mobility (assumption)
    tmpypb_mobility_m2_Vs: float = 1e-7  # ~1e-3 cm^2/Vs electron mobility (Su et al., Adv. Mater. 20, 2125 (2008))
    pot2t_mobility_m2_Vs: float = 1e-7  # ~1e-3 cm^2/Vs (assumption)
    poole_frenkel_gamma_sqrt_m_V: float = 3e-4  # typical organic Poole-Frenkel factor (assumption)
    series_resistance_ohm_m2: float = 1e-4  # ITO + PEDOT:PSS + contacts, 25 ohm on 4 mm^2 (assumption)
    shunt_resistance_ohm_m2: float = 100.0  # leakage path, 25 Mohm on 4 mm^2 (assumption)
    # --- heating / thermal quenching ------------------------------------------------------------
    thermal_resistance_K_m2_W: float = _cal("li2024-nsa-pf6", "thermal_resistance_K_m2_W")
    quench_activation_eV: float = 0.3  # thermal PL quenching of perovskite NCs, 0.1-0.4 eV (assumption)
    quench_half_temperature_K: float = 380.0  # thermal channel equals k_r at ~107 degC (assumption)
    # --- operational lifetime -------------------------------------------------------------------
    t50_min: float = _cal("li2024-nsa-pf6", "t50_min")  # T50 at lifetime_reference_cd_m2
    lifetime_reference_cd_m2: float = paper_value("nsa_pf6.t50_l0_cd_m2")  # paper's L0 of the T50 measurement
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


# the compact surrogate's effective exciton yield (SURROGATE); the drift-diffusion chain replaces it by the film
# PLQY the dots stage predicts (qdled.device.dd.calibration.dd_parameters)
_NSA = DeviceParameters(name="li2024-nsa-pf6", plqy=_cal("li2024-nsa-pf6", "plqy"))


def _control() -> DeviceParameters:
    return replace(
        _NSA,
        name="li2024-control",
        qd_gap_eV=photon_energy_eV(paper_value("control.pl_peak_nm")),  # paper PL of purified OA/OAm dots
        qd_edge_nm=5.5,  # larger (ripened) dots; TEM size not in the text (assumption)
        qd_ligand_gap_nm=_cal("li2024-control", "qd_ligand_gap_nm"),
        plqy=_cal("li2024-control", "plqy"),
        pl_lifetime_s=paper_value("control.tau_avg_ns") * 1e-9,  # paper TRPL
        t50_min=_cal("li2024-control", "t50_min"),
        lifetime_reference_cd_m2=paper_value("control.t50_l0_cd_m2"),
    )


def device_parameters(name: str = "li2024-nsa-pf6") -> DeviceParameters:
    """Parameter set of a named device: ``"li2024-nsa-pf6"`` or ``"li2024-control"`` (OA/OAm)."""
    if name == "li2024-nsa-pf6":
        return _NSA
    if name == "li2024-control":
        return _control()
    raise InputError(f"unknown device {name!r}; known: {', '.join(DEVICE_NAMES)}")


#: Purification route of a recipe -> the paper's device built from its dots.
_ROUTE_DEVICE = MappingProxyType({"NH4PF6": "li2024-nsa-pf6", "OA/OAm": "li2024-control"})


def device_for_route(route: str) -> str:
    """The paper's device whose dots went through purification ``route`` (``"NH4PF6"`` or ``"OA/OAm"``, as in
    a recipe's ``purification.route``)."""
    if route not in _ROUTE_DEVICE:
        raise InputError(f"purification route must be one of {sorted(_ROUTE_DEVICE)}, got {route!r}")
    return _ROUTE_DEVICE[route]


def device_for_recipe(recipe: str) -> str:
    """The paper's device for ``recipe``: a device name itself, or a recipe (built-in name or TOML file) whose
    purification route picks the device (:func:`device_for_route`)."""
    if recipe in DEVICE_NAMES:
        return recipe
    from qdled.io.recipe import load_recipe

    return device_for_route(load_recipe(recipe).purification.route)


def _output_paper_key(name: str, output: str, lifetime_reference_cd_m2: float) -> str | None:
    """Key of :mod:`qdled.io.paper` that device output ``output`` of device ``name`` is compared with, or None.

    The model's ``t50_min_at_1000_cd_m2`` is the paper's ``<sample>.t50_min`` only when the paper measured that
    device at 1000 cd/m^2 (``lifetime_reference_cd_m2``); otherwise the report compares at the paper's L0.
    """
    sample = DEVICE_SAMPLE.get(name)
    if sample is None:
        return None
    if output.startswith("t50_min_at_"):
        at = float(output.removeprefix("t50_min_at_").removesuffix("_cd_m2"))
        return f"{sample}.t50_min" if at == lifetime_reference_cd_m2 else None
    return f"{sample}.{output}"


def calibrated_outputs(name: str, outputs, lifetime_reference_cd_m2: float, records=None) -> list[str]:
    """The ``outputs`` of device ``name`` that are calibration targets: those whose paper key a record (of
    ``records``, default :data:`CALIBRATED` for that device) was fitted to."""
    keys = fitted_keys(CALIBRATED.get(name, {}).values() if records is None else records)
    return [o for o in outputs if _output_paper_key(name, o, lifetime_reference_cd_m2) in keys]
