"""A lab's measurements -> figures of merit.

One module per kind of measurement, each a plain function returning a frozen dataclass
with ``to_dict()`` (JSON) and a ``plot_*`` function (matplotlib, Agg):

* :mod:`~qdled.analysis.spectrum` -- :func:`analyze_spectrum`
* :mod:`~qdled.analysis.jvl` -- :func:`analyze_jvl`, :func:`eqe_from_luminance`, ...
* :mod:`~qdled.analysis.trpl` -- :func:`fit_trpl`
* :mod:`~qdled.analysis.tauc` -- :func:`tauc_bandgap`
* :mod:`~qdled.analysis.lifetime` -- :func:`analyze_lifetime`
* :mod:`~qdled.analysis.tem` -- :func:`particle_sizes`
* :mod:`~qdled.analysis.batch` -- :func:`batch_statistics`

File readers are in :mod:`qdled.io.measurements`; spectra, colour and photometry are :mod:`qdled.spectral`'s.
"""

from qdled.analysis.batch import BatchResult, batch_statistics
from qdled.analysis.jvl import (
    JVLResult,
    analyze_jvl,
    eqe_from_luminance,
    eqe_from_photocurrent,
    luminance_from_photon_flux,
    photon_flux_from_luminance,
)
from qdled.analysis.lifetime import LifetimeResult, analyze_lifetime, scale_lifetime
from qdled.analysis.spectrum import SpectrumResult, analyze_spectrum
from qdled.analysis.tauc import TaucResult, tauc_bandgap
from qdled.analysis.tem import TEMResult, particle_sizes
from qdled.analysis.trpl import TRPLResult, fit_trpl

__all__ = [
    "BatchResult",
    "JVLResult",
    "LifetimeResult",
    "SpectrumResult",
    "TEMResult",
    "TRPLResult",
    "TaucResult",
    "analyze_jvl",
    "analyze_lifetime",
    "analyze_spectrum",
    "batch_statistics",
    "eqe_from_luminance",
    "eqe_from_photocurrent",
    "fit_trpl",
    "luminance_from_photon_flux",
    "particle_sizes",
    "photon_flux_from_luminance",
    "scale_lifetime",
    "tauc_bandgap",
]
