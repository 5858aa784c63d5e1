"""Contents of a real ``qdled reproduce`` run: the table's schema, calibrated-vs-predicted labels and coverage.

Paper values: Li et al., Nat. Commun. 15, 5696 (2024) (qdled/data/paper/li2024.toml).
"""

import json

import pytest

from qdled.synthesis.calibration import CALIBRATION_TARGETS, VALIDATION_TARGETS


@pytest.fixture(scope="module")
def results(report_dir):
    return json.loads((report_dir / "results.json").read_text())


def test_rows_have_the_issue_schema(results):
    for r in results["table"]:
        assert {"quantity", "paper", "model", "unit", "status"} <= set(r)
        assert r["status"] in ("calibrated", "predicted")
        assert r["model"] == r["model"]  # not NaN


def test_every_paper_value_is_a_row_or_listed_as_not_modelled(results, report_dir):
    from qdled.io.paper import paper_values

    keys = {r["key"] for r in results["table"]} | {d["key"] for d in results["not_modelled"]}
    assert keys == set(paper_values())
    # what is not modelled yet is known and small: film roughness (AFM), an input (the pixel area) and the
    # control's T50, which has no model value because the predicted control never reaches the paper's L0
    missing = {d["key"] for d in results["not_modelled"]}
    assert missing <= {
        "nsa_pf6.film_roughness_rms_nm",
        "control.film_roughness_rms_nm",
        "device.active_area_mm2",
        "control.t50_min",
    }
    if "control.t50_min" in missing:
        report = (report_dir / "index.html").read_text()
        assert "below the initial luminance 500 cd/m2" in report


def test_dose_series_labels_follow_the_synthesis_calibration_record(results):
    """A dose is labelled calibrated exactly when qdled.synthesis fitted to it."""
    rows = {r["key"]: r for r in results["table"]}
    fitted = {k[1] for k in CALIBRATION_TARGETS if k[2] == "synthesis"}
    held_out = {k[1] for k in VALIDATION_TARGETS if k[2] == "synthesis"}
    for dose, key in (
        (0.0, "nsa_0.pl_peak_nm"),
        (0.2, "nsa_0.2.pl_peak_nm"),
        (0.6, "nsa_0.6.pl_peak_nm"),
        (0.8, "nsa_0.8.pl_peak_nm"),
    ):
        assert rows[key]["status"] == ("calibrated" if dose in fitted else "predicted")
        assert dose in fitted | held_out
    # held-out doses: measured 627.5 nm (paper 630) and 625.7 nm (paper 626); the PL ordering of Fig. 1d holds
    assert rows["nsa_0.2.pl_peak_nm"]["model"] == pytest.approx(630.0, abs=4.0)
    assert rows["nsa_0.8.pl_peak_nm"]["model"] == pytest.approx(626.0, abs=1.0)
    assert rows["nsa_0.pl_peak_nm"]["model"] > rows["nsa_0.2.pl_peak_nm"]["model"] > rows["nsa_0.6.pl_peak_nm"]["model"]


def test_headline_prediction_is_close(results):
    """Peak EQE of the NSA-NH4PF6 LED is predicted (drift-diffusion device coupled with the optics, not fitted):
    20.5 % measured against the paper's 26.04 %. The miss is the model's: the solved emission zone sits at the
    QD/TmPyPB interface, where the outcoupling is 0.24 (0.28 at the PTAA side), and 10-17 % of the current
    recombines through the film's dark dots (SRH) before forming excitons. 25 % relative: a regression of the
    device or optics chain by a few points still fails."""
    rows = {r["key"]: r for r in results["table"]}
    assert rows["nsa_pf6.peak_eqe"]["status"] == "predicted"
    assert rows["nsa_pf6.peak_eqe"]["model"] == pytest.approx(0.2604, rel=0.25)


def test_report_states_the_sizing_validation_status(report_dir):
    """Whether the confinement model has been checked against independent sizing data is said in the report."""
    from qdled.dots.validation import compare_sizing

    html = (report_dir / "index.html").read_text()
    expected = (
        "independent CsPbI3 sizing points" if compare_sizing().n_validation else "not yet checked against independent"
    )
    assert expected in html


def test_statuses_follow_the_provenance_records(results):
    """No status is typed: a row is calibrated only where a stage's Calibrated record names its paper key, and
    every key a record names is calibrated, except where that record is not in effect for the row's number."""
    from qdled.device import DEVICE_NAMES
    from qdled.device.dd.calibration import dd_records
    from qdled.dots import CALIBRATED as DOTS
    from qdled.io.paper import fitted_keys
    from qdled.synthesis import CALIBRATED as SYNTHESIS

    # the report's devices are the drift-diffusion devices of qdled device
    device_records = [r for name in DEVICE_NAMES for r in dd_records(name).values()]
    records = [*DOTS.values(), *SYNTHESIS.values(), *device_records]
    named = fitted_keys(records)
    not_in_effect = {
        # the report's NSA-NH4PF6 dots have the synthesis's (predicted) size, not the paper's TEM edge at which
        # the dots' edge offset was fitted to this PL peak
        "nsa_pf6.pl_peak_nm",
    }
    for r in results["table"]:
        expected = "calibrated" if r["key"] in named - not_in_effect else "predicted"
        assert r["status"] == expected, r["key"]
