"""CsPbI3 quantum dots: confinement, ensemble spectra, photophysics and ageing.

Public API
----------
confinement_energy, size_from_energy, BandParameters, METHODS      (size <-> energy)
size_distribution, ensemble_pl, ensemble_absorption, stokes_shift_eV, edge_from_pl_peak, fit_pl
(spectra are :class:`qdled.spectral.Spectrum`)
radiative_rate, ligand_coverage, ligand_coverages, nonradiative_rate, plqy, pl_decay
ageing, summarize (one-call dict used by ``qdled dots``)
film_emission, FilmResult, polarization_energy_eV  (dots in a close-packed film: energy transfer, dielectric
environment, reabsorption; :mod:`qdled.dots.film`)
CALIBRATED, ASSUMED  (provenance records of the numbers fitted to the paper, and the assumptions)
"""

from qdled.dots.calibration import ASSUMED, CALIBRATED
from qdled.dots.confinement import (
    METHODS,
    BandParameters,
    confinement_energy,
    polarization_energy_eV,
    size_from_energy,
)
from qdled.dots.degradation import AgeingResult, ageing
from qdled.dots.film import FilmResult, film_emission, recipe_film, synthesis_film
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
    edge_from_pl_peak,
    ensemble_absorption,
    ensemble_pl,
    size_distribution,
    stokes_shift_eV,
)
from qdled.dots.summary import (
    HANDOFF_GRID_NM,
    pl_peak_track_nm,
    summarize,
    summarize_synthesis,
)

__all__ = [
    "ASSUMED",
    "CALIBRATED",
    "METHODS",
    "AgeingResult",
    "BandParameters",
    "Decay",
    "FilmResult",
    "PLFit",
    "Photophysics",
    "ageing",
    "confinement_energy",
    "edge_from_pl_peak",
    "ensemble_absorption",
    "ensemble_pl",
    "film_emission",
    "recipe_film",
    "synthesis_film",
    "fit_pl",
    "ligand_coverage",
    "ligand_coverages",
    "nonradiative_rate",
    "pl_decay",
    "plqy",
    "polarization_energy_eV",
    "radiative_rate",
    "size_distribution",
    "size_from_energy",
    "stokes_shift_eV",
    "summarize",
    "pl_peak_track_nm",
    "summarize_synthesis",
    "HANDOFF_GRID_NM",
]
