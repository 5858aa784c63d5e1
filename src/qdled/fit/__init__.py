"""Fits: from a lab's measurements to the model's physical parameters, with uncertainties (lmfit).

* :func:`fit_orientation` -- horizontal dipole fraction from angle-resolved p-polarised PL of a film on a glass
  half-cylinder (forward model :func:`qdled.fit.prism.substrate_intensity`);
* :func:`fit_emission_zone` -- emission-zone position (delta or Gaussian) and orientation from angle-resolved EL
  spectra of a device (forward model :func:`qdled.optics.far_field`);
* :func:`fit_sizes` / :func:`quick_size` -- mean edge and spread of a dot solution from PL or absorbance
  (forward model :mod:`qdled.dots.spectra`), and the sizing-curve inverse;
* :func:`fit_jvl` -- transport/recombination parameters from J-V-L through a swappable forward model
  (:func:`compact_model` wraps :func:`qdled.device.simulate_device`).

Each returns a frozen :class:`FitResult`: value, standard error and 95 % interval per parameter, correlations
above 0.9, reduced chi-square, convergence, and which parameters the data cannot identify (``degenerate``).
``qdled.fit`` sits beside ``qdled.analysis``: it imports the model stages, never the CLI or the report.
"""

from qdled.fit.io import read_angle_resolved
from qdled.fit.jvl import CompactJVL, DriftDiffusionJVL, ParameterSpec, compact_model, drift_diffusion_model, fit_jvl
from qdled.fit.orientation import ISOTROPIC, film_on_glass, fit_orientation
from qdled.fit.prism import SubstrateIntensity, substrate_intensity
from qdled.fit.result import Estimate, FitResult
from qdled.fit.sizes import QuickSize, fit_sizes, quick_size
from qdled.fit.zone import fit_emission_zone, zone_basis

__all__ = [
    "ISOTROPIC",
    "CompactJVL",
    "DriftDiffusionJVL",
    "Estimate",
    "FitResult",
    "ParameterSpec",
    "QuickSize",
    "SubstrateIntensity",
    "compact_model",
    "drift_diffusion_model",
    "fit_emission_zone",
    "fit_jvl",
    "fit_orientation",
    "fit_sizes",
    "film_on_glass",
    "quick_size",
    "read_angle_resolved",
    "substrate_intensity",
    "zone_basis",
]
