"""The reproduce job's output directory: atomic, never clobbering a foreign directory."""

import json

import pytest

from qdled.errors import InputError
from qdled.report import pipeline
from qdled.report.pipeline import MARKER, StageOutput
from qdled.report.table import row


@pytest.fixture
def tiny_stages(monkeypatch):
    """Replace the real (slow) chain with one cheap stage so the directory logic is tested alone."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def stage(ctx):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return StageOutput(
            rows=[row("nsa_pf6.peak_eqe", "peak EQE", 0.25, "predicted")], figures=[("f1", "a line", fig)]
        )

    monkeypatch.setattr("qdled.report.stages.STAGES", [("tiny", stage)])


def test_writes_report_and_replaces_previous(tmp_path, tiny_stages):
    out = tmp_path / "rep"
    res = pipeline.reproduce(out)
    data = json.loads((out / "results.json").read_text())
    assert data["table"][0]["quantity"] == "peak EQE" and data["table"][0]["status"] == "predicted"
    assert set(data["table"][0]) >= {"quantity", "paper", "model", "unit", "status"}
    assert data["provenance"]["qdled_version"]
    assert (out / "index.html").read_text().count("data:image/png;base64,") == 1
    assert res.rows[0].difference == pytest.approx(0.25 - 0.2604)
    pipeline.reproduce(out)  # a previous report is replaced without --force
    assert (out / MARKER).exists()


def test_refuses_foreign_directory(tmp_path, tiny_stages):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(InputError, match="not a qdled report"):
        pipeline.reproduce(out)
    assert (out / "thesis.tex").read_text() == "precious"
    pipeline.reproduce(out, force=True)
    assert not (out / "thesis.tex").exists()


def test_interrupted_run_leaves_previous_report(tmp_path, tiny_stages, monkeypatch):
    out = tmp_path / "rep"
    pipeline.reproduce(out)
    before = (out / "results.json").read_text()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("qdled.report.html.render_html", boom)
    with pytest.raises(KeyboardInterrupt):
        pipeline.reproduce(out)
    assert (out / "results.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]


def test_row_status_must_be_calibrated_or_predicted():
    with pytest.raises(ValueError):
        row("nsa_pf6.peak_eqe", "x", 0.1, "guessed")
