"""Confinement model vs literature CsPbI3 sizing data (data/cspbi3_sizing.csv).

Validation rows (data the model was not fitted to) must give an RMS error < 30 meV over 4-10 nm. Calibration
rows (the seed paper) are reported but never counted as validation.
"""

import pytest

from qdled.dots.validation import compare_sizing, load_sizing_data


def test_every_row_documents_its_origin():
    rows = load_sizing_data()
    assert rows
    for row in rows:
        assert row["source"] and row["doi"] and row["how"] in {"table", "text", "digitised"}
        assert row["role"] in {"calibration", "validation"}
        assert 1.0 < row["edge_nm"] < 30.0 and 400.0 < row["value_nm"] < 800.0


def test_calibration_rows_are_reproduced():
    """The seed paper's 4.3 nm / 623 nm point was used for the calibration: it must come back within 1 meV
    (single mean size vs the ensemble peak used in the fit)."""
    comp = compare_sizing()
    for row in comp.rows:
        if row["role"] == "calibration":
            assert abs(row["error_meV"]) < 1.0, row


@pytest.mark.xfail(
    reason="no independent CsPbI3 sizing data recorded yet: qdled/dots/data/cspbi3_sizing.csv holds only the seed "
    "paper's calibration point (see its header); strict, so this marker must go when validation rows are added",
    strict=True,
)
def test_independent_sizing_data_rms():
    comp = compare_sizing()
    assert comp.n_validation > 0, "no validation rows in cspbi3_sizing.csv"
    assert comp.rms_validation_meV < 30.0, [(r["source"], r["edge_nm"], round(r["error_meV"], 1)) for r in comp.rows]
