"""Compare the confinement model with literature CsPbI3 sizing data (``data/cspbi3_sizing.csv``).

Predictions per row: ``abs_peak_nm`` -> band-edge transition energy of the mean size; ``pl_peak_nm`` -> that
energy minus the Stokes shift of :mod:`qdled.dots.spectra` (single mean size; the ensemble peak differs from it
by < 1 meV for spreads below ~0.3 nm). Errors are model minus measurement, in meV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

from qdled.dots.confinement import confinement_energy
from qdled.dots.spectra import stokes_shift_eV
from qdled.spectral import photon_energy_eV


@dataclass(frozen=True)
class SizingComparison:
    """Per-row comparison and the RMS error [meV] over validation rows with 4 <= edge <= 10 nm."""

    rows: list[dict]
    rms_validation_meV: float
    n_validation: int


def load_sizing_data() -> list[dict]:
    """Rows of ``cspbi3_sizing.csv`` (comment lines starting with '#' skipped; numbers converted)."""
    text = resources.files("qdled.dots").joinpath("data/cspbi3_sizing.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    rows = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        row["edge_nm"] = float(row["edge_nm"])
        row["value_nm"] = float(row["value_nm"])
        row["edge_sd_nm"] = float(row["edge_sd_nm"]) if row["edge_sd_nm"] else float("nan")
        rows.append(row)
    return rows


def compare_sizing(method: str = "kane") -> SizingComparison:
    """Model error per data row and the RMS over validation rows (4-10 nm)."""
    out = []
    for row in load_sizing_data():
        e_model = float(confinement_energy(row["edge_nm"], method))
        if row["quantity"] == "pl_peak_nm":
            e_model -= float(stokes_shift_eV(row["edge_nm"], method=method))
        elif row["quantity"] != "abs_peak_nm":
            raise ValueError(f"unknown quantity {row['quantity']!r} in cspbi3_sizing.csv")
        e_meas = photon_energy_eV(row["value_nm"])
        out.append({**row, "model_eV": e_model, "measured_eV": e_meas, "error_meV": 1e3 * (e_model - e_meas)})
    val = [r["error_meV"] for r in out if r["role"] == "validation" and 4.0 <= r["edge_nm"] <= 10.0]
    rms = float(np.sqrt(np.mean(np.square(val)))) if val else float("nan")
    return SizingComparison(out, rms, len(val))
