"""Hot-injection synthesis of CsPbI3 quantum dots: nucleation, growth, Ostwald ripening, NSA
injection and purification, as a population balance with a monomer mass balance.

Public API
----------
simulate(recipe=None, *, nsa_mmol=None, params=None, n_bins=400, purify=True) -> SynthesisResult
SynthesisResult, SynthesisParameters, edge_statistics
CALIBRATED, ASSUMED (fitted vs assumed parameters), calibration.edge_from_pl_nm, calibration.calibrate
kinetics (growth law, Gibbs-Thomson, nucleation, LSW/Wagner constants), pbe (solver), ligands,
timeline, purification, plots.plot_result

Data flows synthesis -> dots: this package never imports :mod:`qdled.dots`.
"""

from qdled.synthesis.parameters import ASSUMED, CALIBRATED, SynthesisParameters
from qdled.synthesis.run import SynthesisResult, edge_statistics, simulate

__all__ = ["ASSUMED", "CALIBRATED", "SynthesisParameters", "SynthesisResult", "edge_statistics", "simulate"]
