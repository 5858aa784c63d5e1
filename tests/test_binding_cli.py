"""``qdled bind`` through typer's CliRunner."""

import json

from typer.testing import CliRunner

from qdled.binding import shipped
from qdled.cli.main import app

runner = CliRunner()


def test_json_prints_shipped_values():
    res = runner.invoke(app, ["bind", "--json", "--ligand", "OAm", "--ligand", "NSA", "--ligand", "PF6"])
    assert res.exit_code == 0, res.output
    values = json.loads(res.stdout)
    assert values == {k: shipped.shipped_values(1, "relaxed")[k] for k in ("OAm", "NSA", "PF6")}


def test_table_shows_paper_values():
    res = runner.invoke(app, ["bind"])
    assert res.exit_code == 0, res.output
    assert "paper DFT" in res.stdout and "3.92" in res.stdout and "1.23" in res.stdout


def test_bad_ligand_is_an_input_error():
    from qdled.errors import InputError

    res = runner.invoke(app, ["bind", "--ligand", "OLA"])
    assert isinstance(res.exception, InputError) and "OLA" in str(res.exception)


def test_write_runs_records_the_command_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.setenv("QDLED_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "runs.json"
    args = ["bind", "--json", "--recompute", "--mode", "rigid", "--ligand", "PF6", "--write-runs", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    record = json.loads(out.read_text())
    run = record["runs"]["rigid_n1"]
    assert (
        run["command"] == f"qdled bind --recompute --cluster-n 1 --mode rigid --ligand PF6 --write-runs {out} --force"
    )
    assert run["binding_energies_eV"]["PF6"] == round(json.loads(res.stdout)["PF6"], 4)
    res = runner.invoke(app, args)  # second time: file exists, no --force
    assert res.exception is not None and "--force" in str(res.exception)
