"""Parameters of the synthesis model: cited values, stated assumptions and the fitted ones.

Every field of :class:`SynthesisParameters` is one of

* cited: a literature or data-sheet value (reference in the comment),
* ASSUMED: a stated assumption (listed in :data:`ASSUMED`),
* CALIBRATED: fitted to the paper (a :class:`qdled.io.paper.Calibrated` record in :data:`CALIBRATED`
  naming the paper values it was fitted to; produced by :func:`qdled.synthesis.calibration.calibrate`).

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024).
.. [2] Stokes-Einstein estimate D = k_B T / (6 pi eta r_h) for a ligated PbI2/Cs-oleate
   monomer (r_h ~ 0.5-0.7 nm) in 1-octadecene at 150 degC (eta ~ 0.6-1 mPa s): 3-9e-10 m^2/s.
.. [3] Lignos, I. et al. Synthesis of cesium lead halide perovskite nanocrystals in a
   droplet-based microfluidic platform. Nano Lett. 16, 1869 (2016) (growth complete within
   a few seconds).
.. [5] Kashchiev, D. Nucleation: Basic Theory with Applications (Butterworth-Heinemann, 2000).
.. [4] Sigma-Aldrich data sheets: oleic acid 0.895 g/mL (M 282.46 g/mol), oleylamine
   0.813 g/mL (M 267.49 g/mol).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

from qdled.io.paper import Calibrated
from qdled.materials import cspbi3
from qdled.synthesis.ligands import DEFAULT_BINDING_EV

#: Calibration set: (recipe, NSA mmol, stage "synthesis"/"purified") -> the paper's PL peak whose size
#: (:func:`qdled.synthesis.calibration.edge_from_pl_nm`) the model is fitted to: the OA/OAm control and
#: 0.6 mmol NSA as synthesised, the control after purification. Held out: 0.2, 0.4 (no number in the
#: text), 0.8 mmol NSA and the purified NSA-NH4PF6 dots (``VALIDATION_KEYS`` of the calibration module).
CALIBRATION_KEYS = MappingProxyType(
    {
        ("li2024-control", 0.0, "synthesis"): "nsa_0.pl_peak_nm",
        ("li2024-nsa-pf6", 0.6, "synthesis"): "nsa_0.6.pl_peak_nm",
        ("li2024-control", 0.0, "purified"): "control.pl_peak_nm",
    }
)
_GROWTH_KEYS = tuple(v for k, v in CALIBRATION_KEYS.items() if k[2] == "synthesis")
_PURIFIED_KEYS = tuple(v for k, v in CALIBRATION_KEYS.items() if k[2] == "purified")

#: Parameters fitted to the paper: name -> :class:`qdled.io.paper.Calibrated` record.
CALIBRATED = MappingProxyType(
    {
        "gamma_ref_J_m2": Calibrated(
            0.049906,
            "J/m2",
            _GROWTH_KEYS,
            "least squares (with log10_rate_constant_ref_m_s) on the mean edges as synthesised, the PL peaks "
            "turned into edges by edge_from_pl_nm",
        ),
        "log10_rate_constant_ref_m_s": Calibrated(
            -5.0152,
            "log10(m/s)",
            _GROWTH_KEYS,
            "least squares (with gamma_ref_J_m2) on the mean edges as synthesised, the PL peaks turned into edges "
            "by edge_from_pl_nm",
        ),
        "bare_weight": Calibrated(
            15.62,
            "1",
            _PURIFIED_KEYS,
            "root finding on the mean edge of the control after purification (PL peak -> edge by edge_from_pl_nm)",
        ),
    }
)

#: Stated assumptions (no primary value found; sensitivity is the user's to explore).
ASSUMED = MappingProxyType(
    {
        "log10_nucleation_prefactor_m3_s": "classical nucleation prefactor J0 = 1e33 m^-3 s^-1 "
        "(CNT range 1e30-1e36, [5])",
        "rate_activation_J_mol": "activation energy of the surface reaction "
        "(weak: ripening continues during the quench, Fig. 1c of [1])",
        "solubility_ref_mol_m3": "flat-surface CsPbI3 solubility at 150 degC (sets the yield)",
        "solubility_enthalpy_J_mol": "dissolution enthalpy (van 't Hoff temperature dependence), as weak as the rate's",
        "viscosity_activation_J_mol": "Arrhenius activation of the ODE viscosity (typical of long alkanes)",
        "site_density_m2": "one ligand site per surface unit cell, 1/a^2",
        "cooling_time_constant_s": "Newton cooling time constant of the 12 mL flask in a water or ice bath",
        "strip_fraction": "fraction of the OA/OAm shell stripped by the ester antisolvent",
        "purification_time_s": "antisolvent contact time (mixing + two centrifugations)",
        "purification_solubility_factor": "CsPbI3 solubility in the washed dispersion relative to the crude at the "
        "same T (free OA/OAm that complex Pb/Cs are washed out)",
        "binding_energy_eV['OA']": "OA binding not quoted in the text; equal to OAm",
    }
)


def _cal(name: str) -> float:
    return CALIBRATED[name].value


#: Constants that are physical magnitudes (must be > 0); the log10 ones and activation energies are
#: only required finite (activation energies >= 0, below).
_POSITIVE = frozenset(
    {
        "molar_volume_m3_mol",
        "reference_temperature_K",
        "gamma_ref_J_m2",
        "solubility_ref_mol_m3",
        "diffusion_ref_m2_s",
        "site_density_m2",
        "cooling_time_constant_s",
        "purification_time_s",
        "oa_g_per_mL",
        "oa_g_per_mol",
        "oam_g_per_mL",
        "oam_g_per_mol",
    }
)
#: Closed ranges: fractions in [0, 1], bath and room temperatures of liquid water [0, 100] degC,
#: activation/dissolution energies >= 0 and below a covalent bond (500 kJ/mol), the bare-surface weight >= 0.
_RANGES = {
    "strip_fraction": (0.0, 1.0),
    "purification_solubility_factor": (0.0, 1.0),
    "water_bath_C": (0.0, 100.0),
    "ice_bath_C": (0.0, 100.0),
    "purification_temperature_C": (0.0, 100.0),
    "rate_activation_J_mol": (0.0, 5e5),
    "solubility_enthalpy_J_mol": (0.0, 5e5),
    "viscosity_activation_J_mol": (0.0, 5e5),
    "bare_weight": (0.0, 1e6),
}


@dataclass(frozen=True)
class SynthesisParameters:
    """All model constants (SI). See the module docstring for the provenance of each."""

    molar_volume_m3_mol: float = cspbi3.MOLAR_VOLUME_M3_PER_MOL
    reference_temperature_K: float = 423.15  # the injection temperature of [1]
    gamma_ref_J_m2: float = field(default_factory=lambda: _cal("gamma_ref_J_m2"))
    log10_rate_constant_ref_m_s: float = field(default_factory=lambda: _cal("log10_rate_constant_ref_m_s"))
    bare_weight: float = field(default_factory=lambda: _cal("bare_weight"))
    log10_nucleation_prefactor_m3_s: float = 33.0  # ASSUMED
    rate_activation_J_mol: float = 15.0e3  # ASSUMED
    solubility_ref_mol_m3: float = 0.05  # ASSUMED
    solubility_enthalpy_J_mol: float = 15.0e3  # ASSUMED
    diffusion_ref_m2_s: float = 5.0e-10  # [2]
    viscosity_activation_J_mol: float = 15.0e3  # ASSUMED
    site_density_m2: float = 1.0 / cspbi3.LATTICE_CONSTANT_M**2  # ASSUMED
    cooling_time_constant_s: float = 10.0  # ASSUMED
    water_bath_C: float = 20.0  # cold-water bath of [1] (room-temperature tap water, assumed 20 degC)
    ice_bath_C: float = 0.0  # ice-water bath of [1]
    purification_temperature_C: float = 25.0  # room temperature
    purification_time_s: float = 180.0  # ASSUMED
    strip_fraction: float = 0.5  # ASSUMED
    purification_solubility_factor: float = 0.01  # ASSUMED
    oa_g_per_mL: float = 0.895  # [4]
    oa_g_per_mol: float = 282.46  # [4]
    oam_g_per_mL: float = 0.813  # [4]
    oam_g_per_mol: float = 267.49  # [4]
    binding_energy_eV: MappingProxyType = field(default_factory=lambda: DEFAULT_BINDING_EV)  # [1]; OA ASSUMED

    def __post_init__(self) -> None:
        """Refuse non-finite or unphysical constants (one :class:`~qdled.errors.InputError` naming the field)."""
        import math

        from qdled.errors import InputError

        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "binding_energy_eV":
                for lig, e in v.items():
                    if not (isinstance(e, (int, float)) and math.isfinite(e) and 0.0 <= e <= 10.0):
                        raise InputError(
                            f"binding_energy_eV[{lig!r}] must be in 0-10 eV (a chemisorption bond), got {e!r}"
                        )
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InputError(f"synthesis parameter {f.name} must be a finite number, got {v!r}")
            lo, hi = _RANGES.get(f.name, (None, None))
            if (lo is not None and v < lo) or (hi is not None and v > hi) or (f.name in _POSITIVE and v <= 0):
                rng = "> 0" if f.name in _POSITIVE else f"in [{lo:g}, {hi:g}]"
                raise InputError(f"synthesis parameter {f.name} must be {rng}, got {v!r}")

    @property
    def rate_constant_ref_m_s(self) -> float:
        """Surface-reaction rate constant of the OA/OAm-capped surface at 150 degC [m/s]."""
        return 10.0**self.log10_rate_constant_ref_m_s

    def with_values(self, **values) -> "SynthesisParameters":
        """A copy with some fields replaced (``binding_energy_eV`` may be a plain dict)."""
        if "binding_energy_eV" in values:
            merged = dict(self.binding_energy_eV)
            merged.update(values["binding_energy_eV"])
            values["binding_energy_eV"] = MappingProxyType(merged)
        return replace(self, **values)
