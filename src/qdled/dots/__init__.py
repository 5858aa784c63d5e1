"""CsPbI3 quantum dots: confinement, ensemble spectra, photophysics and ageing.

Public API
----------
confinement_energy, size_from_energy, BandParameters, METHODS      (size <-> energy)
size_distribution, ensemble_pl, ensemble_absorption, stokes_shift_eV, edge_from_pl_peak, fit_pl, peak_and_fwhm,
Spectrum
radiative_rate, ligand_coverage, ligand_coverages, nonradiative_rate, plqy, pl_decay
ageing, summarize (one-call dict used by ``qdled dots``)
CALIBRATED, ASSUMED  (which numbers were fitted to the paper and which are assumptions)
"""

from qdled.dots.calibration import ASSUMED, CALIBRATED
from qdled.dots.confinement import (
    METHODS,
    BandParameters,
    confinement_energy,
    energy_to_wavelength_nm,
    size_from_energy,
)
from qdled.dots.degradation import AgeingResult, ageing
from qdled.dots.fitting import PLFit, fit_pl
from qdled.dots.photophysics import (
    Decay,
    Photophysics,
    ligand_coverage,
    ligand_coverages,
    nonradiative_rate,
    pl_decay,
    plqy,
    radiative_rate,
)
from qdled.dots.spectra import (
    Spectrum,
    edge_from_pl_peak,
    ensemble_absorption,
    ensemble_pl,
    peak_and_fwhm,
    size_distribution,
    stokes_shift_eV,
)
from qdled.dots.summary import pl_peak_track_nm, summarize, summarize_synthesis

__all__ = [
    "ASSUMED",
    "CALIBRATED",
    "METHODS",
    "AgeingResult",
    "BandParameters",
    "Decay",
    "PLFit",
    "Photophysics",
    "Spectrum",
    "ageing",
    "confinement_energy",
    "edge_from_pl_peak",
    "energy_to_wavelength_nm",
    "ensemble_absorption",
    "ensemble_pl",
    "fit_pl",
    "ligand_coverage",
    "ligand_coverages",
    "nonradiative_rate",
    "peak_and_fwhm",
    "pl_decay",
    "plqy",
    "radiative_rate",
    "size_distribution",
    "size_from_energy",
    "stokes_shift_eV",
    "summarize",
    "pl_peak_track_nm",
    "summarize_synthesis",
]
