"""Sweep designs and the checkpoint/resume logic of the runner (with a stand-in evaluator)."""

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.sweep import SweepSpec, grid_design, latin_hypercube_design, parse_vary, run_sweep, runner


def test_parse_vary_inclusive_grid_and_lists():
    assert parse_vary("QD.thickness_nm=10:60:2").values == tuple(float(x) for x in range(10, 61, 2))
    assert parse_vary("PO-T2T.n=1.6,1.7,1.8").values == (1.6, 1.7, 1.8)
    assert parse_vary("a.b=0:1:0.1").values[-1] == 1.0  # stop included despite rounding
    for bad in ("QD.thickness_nm", "x=1:2", "x=3:1:1", "x=a,b", "x=1:2:0"):
        with pytest.raises(InputError, match="--vary"):
            parse_vary(bad)


def test_grid_is_full_factorial_last_axis_fastest():
    a, b = parse_vary("a.x=1,2"), parse_vary("b.y=10,20,30")
    g = grid_design([a, b])
    assert g.shape == (6, 2)
    assert g[:3, 1].tolist() == [10, 20, 30] and g[:3, 0].tolist() == [1, 1, 1]


def test_latin_hypercube_stratifies_each_axis():
    # Latin hypercube (McKay, Beckman, Conover, Technometrics 21, 239 (1979)): exactly one point per stratum.
    a, b = parse_vary("a.x=0:10:1"), parse_vary("b.y=5:6:1")
    pts = latin_hypercube_design([a, b], 20, seed=3)
    for j, (lo, hi) in enumerate([(0, 10), (5, 6)]):
        strata = np.floor((pts[:, j] - lo) / (hi - lo) * 20).astype(int)
        assert sorted(strata.tolist()) == list(range(20))


def _fake_eval(spec, pts):
    return {"eqe_ceiling": pts.sum(axis=1), "outcoupled": pts[:, 0] * 0.01}


def _spec(**kw):
    return SweepSpec(
        kind="stack",
        base_toml="",
        axes=(parse_vary("a.x=0:9:1"), parse_vary("b.y=0,100")),
        targets=("eqe_ceiling", "outcoupled"),
        chunk_size=3,
        **kw,
    )


def test_interrupted_serial_sweep_resumes_identically(tmp_path, monkeypatch):
    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    spec = _spec()
    ref = tmp_path / "ref.nc"
    run_sweep(spec, ref)
    calls = []

    def flaky(spec_, pts):
        calls.append(len(pts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return _fake_eval(spec_, pts)

    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: flaky)
    out = tmp_path / "run.nc"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out)
    assert not out.exists() and len(list((tmp_path / "run.nc.parts").glob("chunk-*.npz"))) == 2
    with pytest.raises(InputError, match="--resume"):
        run_sweep(spec, out)
    calls.clear()
    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    ds = run_sweep(spec, out, resume=True)
    assert out.read_bytes() == ref.read_bytes()
    assert ds["eqe_ceiling"].shape == (10, 2)
    assert float(ds["eqe_ceiling"].sel({"a.x": 9.0, "b.y": 100.0})) == 109.0
    assert runner.best(ds, "eqe_ceiling") == {"a.x": 9.0, "b.y": 100.0, "eqe_ceiling": 109.0}
    assert not (tmp_path / "run.nc.parts").exists()


def test_resume_refuses_a_different_sweep(tmp_path, monkeypatch):
    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    out = tmp_path / "s.nc"
    (tmp_path / "s.nc.parts").mkdir()
    (tmp_path / "s.nc.parts" / "manifest.json").write_text('{"digest": "other"}')
    np.savez(tmp_path / "s.nc.parts" / "chunk-000000.npz", x=np.zeros(1))  # it holds finished work
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(_spec(), out, resume=True)


def test_checkpoints_of_another_qdled_version_are_not_mixed_in(tmp_path, monkeypatch):
    import json

    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    parts = tmp_path / "s.nc.parts"
    parts.mkdir()
    (parts / "manifest.json").write_text(json.dumps({"digest": _spec().digest(), "qdled_version": "0.0.0"}))
    np.savez(parts / "chunk-000000.npz", x=np.zeros(1))
    with pytest.raises(InputError, match="qdled 0.0.0"):
        run_sweep(_spec(), tmp_path / "s.nc", resume=True)


def test_a_sweep_that_failed_before_any_chunk_does_not_block_the_rerun(tmp_path, monkeypatch):
    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    (tmp_path / "s.nc.parts").mkdir()
    (tmp_path / "s.nc.parts" / "manifest.json").write_text('{"digest": "other"}')
    ds = run_sweep(_spec(), tmp_path / "s.nc")  # neither --resume nor deleting by hand needed
    assert (tmp_path / "s.nc").exists() and ds.sizes


def test_existing_output_needs_force(tmp_path, monkeypatch):
    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    out = tmp_path / "s.nc"
    out.write_text("user data")
    with pytest.raises(InputError, match="--force"):
        run_sweep(_spec(), out)
    assert out.read_text() == "user data"


def test_latin_hypercube_with_a_fixed_axis_still_varies_the_others():
    # one single-valued axis pinned every axis to its lower bound (six identical points reported as a sweep)
    axes = [parse_vary("QD.thickness_nm=20:40:5"), parse_vary("PO-T2T.thickness_nm=37")]
    pts = latin_hypercube_design(axes, 6, seed=0)
    assert np.all(pts[:, 1] == 37.0)
    strata = np.floor((pts[:, 0] - 20.0) / 20.0 * 6).astype(int)
    assert sorted(strata) == list(range(6))  # one point per stratum of the varied axis


def test_cli_refuses_bad_sweeps_before_computing(tmp_path, monkeypatch, capsys):
    import sys

    from qdled.cli.main import run

    out = str(tmp_path / "s.nc")
    for args, msg in (
        (["--vary", "QD.thickness_nm=10:40:10", "--vary", "QD.thickness_nm=20:30:5"], "once"),
        (["--vary", "QD.thickness_nm=-10:40:10"], "thickness_nm"),  # a bound, not only the first value
        (["--vary", "QD.thickness_nm=10:40:10", "--plot", str(tmp_path / "p.xyz")], "must end in"),
        (["--vary", "QD.thickness_nm=10:40:10", "--samples", "5"], "--samples"),
        (["--vary", "QD.thickness_nm=10:40:10", "--workers", "0"], "--workers"),
    ):
        monkeypatch.setattr(sys, "argv", ["qdled", "sweep", *args, "--out", out])
        with pytest.raises(SystemExit) as exc:
            run()
        err = capsys.readouterr().err
        assert exc.value.code == 2 and msg in err, (args, err)
    assert not (tmp_path / "s.nc").exists()


def test_written_dataset_carries_units(tmp_path, monkeypatch):
    import xarray as xr

    monkeypatch.setattr("qdled.sweep.targets.evaluator", lambda kind: _fake_eval)
    spec = SweepSpec(
        kind="stack",
        base_toml="",
        axes=(parse_vary("QD.thickness_nm=10:30:10"), parse_vary("PTAA.n=1.6,1.7")),
        targets=("eqe_ceiling", "outcoupled"),
        chunk_size=3,
    )
    run_sweep(spec, tmp_path / "u.nc")
    with xr.open_dataset(tmp_path / "u.nc", engine="scipy") as ds:
        units = {name: ds[name].attrs.get("units") for name in ds.variables}
    assert units["QD.thickness_nm"] == "nm" and units["PTAA.n"] == "1" and units["eqe_ceiling"] == "1"


def test_bad_ranges_say_what_is_wrong():
    for spec in ("a.x=0:10:0", "a.x=10:0:1"):
        with pytest.raises(InputError, match="step > 0 and stop >= start"):
            parse_vary(spec)
