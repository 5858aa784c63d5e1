"""Real stack sweeps: identical on serial, local process pool and a Dask LocalCluster; kill + resume."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from qdled.io.stack import default_stack
from qdled.optics.sweep import point_values
from qdled.sweep import SweepSpec, parse_vary, run_sweep
from qdled.sweep.executors import make_executor


def _spec(chunk=2):
    return SweepSpec(
        kind="stack",
        base_toml=default_stack().to_toml(),
        axes=(parse_vary("QD.thickness_nm=20,35"), parse_vary("PO-T2T.thickness_nm=30,37,45")),
        targets=("eqe_ceiling", "outcoupled", "plasmon"),
        chunk_size=chunk,
        options={"wavelength_nm": 628.0},
    )


@pytest.fixture(scope="module")
def serial_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "s.nc"
    ds = run_sweep(_spec(), out)
    return out, ds


def test_sweep_values_are_the_optics_of_each_stack(serial_result):
    # the assembled grid holds exactly what qdled.optics gives for that stack
    _, ds = serial_result
    stack = default_stack().with_values({"QD.thickness_nm": 35.0, "PO-T2T.thickness_nm": 45.0})
    ref = point_values(stack, 628.0)
    got = ds.sel({"QD.thickness_nm": 35.0, "PO-T2T.thickness_nm": 45.0})
    for t in ("eqe_ceiling", "outcoupled", "plasmon"):
        assert float(got[t]) == ref[t]


@pytest.mark.parametrize("scheduler", [None, "local"], ids=["process-pool", "dask-localcluster"])
def test_same_result_on_every_executor(serial_result, tmp_path, scheduler):
    ref_path, _ = serial_result
    ex = make_executor(scheduler, workers=2)
    try:
        out = tmp_path / "p.nc"
        run_sweep(_spec(), out, executor=ex)
    finally:
        ex.close()
    assert out.read_bytes() == ref_path.read_bytes()


def test_killed_sweep_resumes_to_identical_file(tmp_path):
    args = [
        sys.executable,
        "-m",
        "qdled.cli.main",
        "sweep",
        "--vary",
        "QD.thickness_nm=20:44:4",
        "--vary",
        "PO-T2T.thickness_nm=30,40",
        "--chunk",
        "1",
        "--scheduler",
        "serial",
        "--json",
    ]
    ref = tmp_path / "ref.nc"
    subprocess.run([*args, "--out", str(ref)], check=True, capture_output=True)
    out = tmp_path / "run.nc"
    parts = tmp_path / "run.nc.parts"
    proc = subprocess.Popen([*args, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(parts.glob("chunk-*.npz"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n_done = len(list(parts.glob("chunk-*.npz")))
    assert 3 <= n_done < 14 and not out.exists()
    res = subprocess.run([*args, "--out", str(out), "--resume"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["n_points"] == 14
    assert out.read_bytes() == ref.read_bytes()
    assert not parts.exists()


def test_optimizer_finds_the_sweep_optimum(serial_result):
    # differential evolution over the same box must do at least as well as the coarse grid's best point
    from qdled.sweep.optimize import optimize

    _, ds = serial_result
    res = optimize(_spec(), "eqe_ceiling", maxiter=4, popsize=4, seed=1)
    assert res.value >= float(ds["eqe_ceiling"].max()) - 2e-3
    assert 20 <= res.best["QD.thickness_nm"] <= 35 and 30 <= res.best["PO-T2T.thickness_nm"] <= 45
    assert np.isfinite(res.value) and res.n_evaluations > 10
