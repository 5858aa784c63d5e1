"""qdled.sweep.multifidelity: drift-diffusion on a coarse grid, the compact surrogate corrected in between.

Validation:

* the correction scheme on analytic functions whose interpolation error is known in closed form (a smooth
  "expensive" function and a biased "cheap" version of it), following the additive and multiplicative
  corrections of Kennedy & O'Hagan, Biometrika 87, 1 (2000) and Haftka, AIAA J. 29, 1523 (1991);
* the interpolation property: at the coarse points the corrected surrogate is the drift-diffusion value;
* the held-out error is computed against real drift-diffusion solves (re-solved here, independently of the sweep).
"""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.errors import InputError
from qdled.sweep import parse_vary
from qdled.sweep.multifidelity import (
    MODEL_LABEL,
    TARGETS,
    coarse_axes,
    corrected_surrogate,
    device_targets,
    holdout_axes,
    multifidelity_sweep,
    surrogate_error,
)

#: A short drift-diffusion voltage grid that still contains the luminance maximum of these stacks (~5.8 V).
V_SHORT = np.round(np.arange(0.0, 7.0 + 1e-9, 0.25), 10)
VARY = "PO-T2T.thickness_nm=20,35,50"


# --- the correction scheme on analytic functions --------------------------------------------------------------


def _grid(*axes):
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=-1)


def test_linear_log_discrepancy_is_corrected_exactly():
    """A cheap model off by a factor exp(a + b x + c y) is corrected exactly everywhere by the multiplicative
    correction with linear interpolation (delta is linear: the bilinear interpolant reproduces it)."""
    cx, cy = np.linspace(0, 2, 3), np.linspace(-1, 1, 4)
    fx, fy = np.linspace(0, 2, 17), np.linspace(-1, 1, 13)

    def high(p):
        return 2.0 + np.sin(p[:, 0]) * np.cos(p[:, 1]) + p[:, 0] ** 2

    def low(p):
        return high(p) * np.exp(-0.3 + 0.2 * p[:, 0] - 0.4 * p[:, 1])

    c, f = _grid(cx, cy), _grid(fx, fy)
    s = corrected_surrogate([cx, cy], high(c).reshape(3, 4), low(c).reshape(3, 4), f, low(f))
    np.testing.assert_allclose(s, high(f), rtol=1e-13)


def test_quadratic_discrepancy_has_the_known_midpoint_error():
    """delta(x) = ln(high/low) = a x^2: linear interpolation over coarse cells of width h overestimates delta by
    exactly a h^2 / 4 at the cell midpoints, so the relative error there is exp(a h^2 / 4) - 1, and it is
    removed by the cubic interpolant (exact for polynomials up to degree 3)."""
    a, h = 0.3, 0.5
    cx = np.arange(0.0, 2.0 + 1e-12, h)
    mid = cx[:-1] + h / 2

    def high(x):
        return 1.0 + np.exp(-x) + 0.2 * x

    def low(x):
        return high(x) * np.exp(-a * x**2)

    s = corrected_surrogate([cx], high(cx), low(cx), mid[:, None], low(mid), method="linear")
    np.testing.assert_allclose(s / high(mid) - 1, np.expm1(a * h**2 / 4), rtol=1e-12)
    err = surrogate_error(s, high(mid))
    assert err["max_relative"] == pytest.approx(np.expm1(a * h**2 / 4), rel=1e-12)
    assert err["rms_relative"] == pytest.approx(np.expm1(a * h**2 / 4), rel=1e-12)
    cubic = corrected_surrogate([cx], high(cx), low(cx), mid[:, None], low(mid), method="cubic")
    np.testing.assert_allclose(cubic, high(mid), rtol=1e-12)
    # the error falls as h^2 (second-order interpolation): halving h quarters it
    cx2 = np.arange(0.0, 2.0 + 1e-12, h / 2)
    mid2 = cx2[:-1] + h / 4
    s2 = corrected_surrogate([cx2], high(cx2), low(cx2), mid2[:, None], low(mid2))
    ratio = surrogate_error(s, high(mid))["max_relative"] / surrogate_error(s2, high(mid2))["max_relative"]
    assert ratio == pytest.approx(4.0, rel=1e-2)


def test_additive_correction_of_an_offset_and_a_slope():
    """A cheap model off by b + c x (additive) is corrected exactly by linear interpolation; multiplicative
    correction of the same pair is not exact (the scheme matters)."""
    cx = np.array([1.0, 2.0, 3.0])
    fx = np.linspace(1.0, 3.0, 21)

    def high(x):
        return 5.0 + np.sin(x)

    def low(x):
        return high(x) - 0.7 + 0.3 * x

    add = corrected_surrogate([cx], high(cx), low(cx), fx[:, None], low(fx), correction="additive")
    np.testing.assert_allclose(add, high(fx), rtol=1e-13)
    mul = corrected_surrogate([cx], high(cx), low(cx), fx[:, None], low(fx), correction="multiplicative")
    assert np.max(np.abs(mul / high(fx) - 1)) > 1e-4


@pytest.mark.parametrize("method", ["linear", "cubic"])
@pytest.mark.parametrize("correction", ["multiplicative", "additive"])
def test_surrogate_equals_the_expensive_model_at_the_coarse_points(method, correction):
    rng = np.random.default_rng(1)
    cx, cy = np.sort(rng.random(4)), np.sort(rng.random(5))
    hi, lo = 1 + rng.random((4, 5)), 1 + rng.random((4, 5))
    pts = _grid(cx, cy)
    s = corrected_surrogate([cx, cy], hi, lo, pts, lo.ravel(), correction=correction, method=method)
    np.testing.assert_allclose(s, hi.ravel(), rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"correction": "ratio"}, "^correction must be"),
        ({"method": "quintic"}, "^method must be"),
        ({"method": "cubic"}, "needs at least 4 coarse values"),
        ({"low_coarse": -np.ones(3)}, "must be > 0 for a multiplicative"),
        ({"points": np.array([[5.0]])}, "within the coarse grid"),
        ({"high_coarse": np.ones(2)}, "coarse grid's shape"),
    ],
)
def test_correction_refuses_bad_inputs(kwargs, match):
    args = {
        "coarse_values": [np.array([0.0, 1.0, 2.0])],
        "high_coarse": np.ones(3),
        "low_coarse": np.ones(3),
        "points": np.array([[0.5]]),
        "low_points": np.ones(1),
        **kwargs,
    }
    with pytest.raises(InputError, match=match):
        corrected_surrogate(**args)


# --- grids ----------------------------------------------------------------------------------------------------


def test_coarse_and_holdout_values_are_on_the_fine_grid():
    fine = [parse_vary("PO-T2T.thickness_nm=20:80:5"), parse_vary("QD.thickness_nm=20,30,40")]
    c = coarse_axes(fine, 3)
    assert c[0].values == (20.0, 50.0, 80.0) and c[1].values == (20.0, 30.0, 40.0)
    h = holdout_axes(fine, c)
    assert h[0].values == (35.0, 65.0)  # cell centres
    assert h[1].values == (20.0, 30.0, 40.0)  # no fine value between the coarse ones: the coarse values
    assert holdout_axes(fine[1:], coarse_axes(fine[1:], 3)) is None  # coarse grid == fine grid
    with pytest.raises(InputError, match="^coarse 4: axis QD.thickness_nm has only 3 values"):
        coarse_axes(fine, 4)
    with pytest.raises(InputError, match="^coarse must be an integer >= 2"):
        coarse_axes(fine, 1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"device": "nope"}, "^device must be one of"),
        ({"coarse": 1}, "^coarse must be an integer >= 2"),
        ({"coarse": 3, "method": "cubic"}, "^coarse must be an integer >= 4"),
        ({"method": "spline"}, "^method must be auto, linear or cubic"),
        ({"corrections": {"peak_eqe": "ratio"}}, "^corrections: 'peak_eqe': 'ratio'"),
        ({"corrections": {"eqe": "additive"}}, "^corrections: 'eqe'"),
        ({"fixed_voltage_V": 7.5, "voltage_V": V_SHORT}, "^fixed_voltage_V 7.5 must lie within"),
        ({"voltage_V": [0.0, 2.0, 1.0]}, "^voltage_V must be"),
        ({"vary": ["Nope.thickness_nm=1,2"]}, "Nope"),
        ({"vary": ["QD.thickness_nm=30,20"]}, "values must increase"),
        ({"vary": [VARY, VARY]}, "each key may appear once"),
        (
            {"vary": [f"{k}.thickness_nm=10:19:1" for k in ("QD", "PTAA", "PO-T2T")], "coarse": 8},
            "drift-diffusion solves",
        ),
    ],
)
def test_sweep_refuses_bad_inputs_before_solving(kwargs, match):
    args = {"vary": [VARY], "coarse": 2, **kwargs}
    with pytest.raises(InputError, match=match):
        multifidelity_sweep(args.pop("vary"), **args)


def test_device_targets_of_a_compact_result():
    from qdled.device.chain import simulate_stack
    from qdled.io.stack import default_stack

    res = simulate_stack(default_stack(), "li2024-nsa-pf6").result
    fom, t = res.figures_of_merit(), device_targets(res, 5.0)
    assert t["peak_eqe"] == fom["peak_eqe"] and t["max_luminance_cd_m2"] == fom["max_luminance_cd_m2"]
    dv = res.voltage_V[1] - res.voltage_V[0]
    assert abs(t["voltage_at_max_luminance_V"] - fom["voltage_at_max_luminance_V"]) <= dv
    k = int(np.argmin(np.abs(res.voltage_V - 5.0)))
    assert t["current_density_at_fixed_voltage_mA_cm2"] == pytest.approx(res.current_density_mA_cm2[k], rel=1e-12)
    with pytest.raises(InputError, match="^fixed_voltage_V 9"):
        device_targets(res, 9.0)


# --- a real sweep (3 drift-diffusion solves: 2 coarse, 1 held out) -------------------------------------------


@pytest.fixture(scope="module")
def small():
    return multifidelity_sweep([VARY], coarse=2, voltage_V=V_SHORT)


def test_output_is_marked_and_shaped(small):
    ds = small
    assert ds.attrs["model"] == MODEL_LABEL == "drift-diffusion (coarse) + compact surrogate (corrected)"
    assert ds.attrs["n_fine_points"] == 3 and ds.attrs["n_dd_coarse_points"] == 2
    assert ds.attrs["n_dd_holdout_points"] == 1
    for t in TARGETS:
        assert ds[t].attrs["model"] == MODEL_LABEL and ds[t].dims == ("PO-T2T.thickness_nm",)
        assert np.all(np.isfinite(ds[t].values)) and np.all(np.isfinite(ds[f"{t}_compact"].values))
    assert list(ds["is_dd_point"].values) == [1, 0, 1]
    # 0-7 V reaches past the luminance maximum (~5.8 V) of every stack here
    assert ds["luminance_turns_over_dd"].values.all() and ds["luminance_turns_over_compact"].values.all()
    assert ds.attrs["n_dd_points_without_luminance_maximum"] == 0
    assert ds.attrs["full_dd_estimate_s"] == pytest.approx(3 * ds.attrs["dd_seconds_per_point"])
    spec = json.loads(ds.attrs["qdled_sweep"])
    assert spec["coarse"] == 2 and spec["method"] == "linear"  # "auto": cubic needs >= 4 coarse values
    assert ds["peak_eqe"].attrs["correction"] == "multiplicative"
    assert ds["voltage_at_max_luminance_V"].attrs["correction"] == "additive"


def test_surrogate_is_the_drift_diffusion_value_at_coarse_points(small):
    for t in TARGETS:
        np.testing.assert_allclose(small[t].values[[0, 2]], small[f"{t}_dd"].values, rtol=1e-12)
    # the correction moved the compact model: at the coarse points the two models differ by > 5 % in peak EQE
    assert np.all(np.abs(small["peak_eqe_compact"].values[[0, 2]] / small["peak_eqe_dd"].values - 1) > 0.05)


def test_held_out_error_is_against_a_real_drift_diffusion_solve(small):
    """Re-solve the held-out stack here, independently of the sweep, and recompute the reported error."""
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    dd = simulate_stack_drift_diffusion(
        default_stack().with_values({"PO-T2T.thickness_nm": 35.0}), "li2024-nsa-pf6", voltage_V=V_SHORT
    ).result
    ref = device_targets(dd, 5.0)
    fom = dd.figures_of_merit()
    assert ref["peak_eqe"] == fom["peak_eqe"] and ref["max_luminance_cd_m2"] == fom["max_luminance_cd_m2"]
    err = json.loads(small.attrs["surrogate_error"])
    for t in TARGETS:
        assert small[f"{t}_dd_holdout"].values[0] == pytest.approx(ref[t], rel=1e-9)
        s = small[t].sel({"PO-T2T.thickness_nm": 35.0}).item()
        assert small[f"{t}_surrogate_holdout"].values[0] == s
        rel = abs(s / ref[t] - 1)
        assert err[t]["surrogate"]["max_relative"] == pytest.approx(rel, rel=1e-6, abs=1e-15)
        assert small[t].attrs["surrogate_max_relative_error"] == pytest.approx(rel, rel=1e-6, abs=1e-15)
    # the corrected surrogate is closer to drift-diffusion than the compact model alone where the two models differ
    # by a factor (the current density at 5 V: the compact model turns on ~1.5 V earlier). The compact surrogate is
    # fitted to the solver's peak EQE and luminance maximum at the default stack, so there the uncorrected model is
    # already within a few % and a correction interpolated over 20-50 nm (two coarse points) need not be better
    t = "current_density_at_fixed_voltage_mA_cm2"
    assert err[t]["surrogate"]["max_relative"] < err[t]["compact_uncorrected"]["max_relative"]


def test_netcdf_round_trip(small, tmp_path):
    import xarray as xr

    p = tmp_path / "mf.nc"
    small.to_netcdf(p, engine="scipy", format="NETCDF3_64BIT")
    with xr.open_dataset(p, engine="scipy") as back:
        assert back.attrs["model"] == MODEL_LABEL
        np.testing.assert_array_equal(back["peak_eqe"].values, small["peak_eqe"].values)


# --- CLI ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--model", "electrical"], "--model must be"),
        (["--model", "drift-diffusion", "--design", "lhs", "--samples", "4"], "--design does not apply"),
        (["--model", "drift-diffusion", "--resume"], "--resume does not apply"),
        (["--model", "drift-diffusion", "--target", "eqe_ceiling"], "unknown --target 'eqe_ceiling'"),
        (["--coarse", "3"], "--coarse and --interpolation apply to --model drift-diffusion only"),
        (["--model", "drift-diffusion", "--coarse", "5"], "coarse 5: axis PO-T2T.thickness_nm has only 3 values"),
    ],
)
def test_cli_refuses_bad_options(tmp_path, extra, match, monkeypatch, capsys):
    import sys

    from qdled.cli.main import run

    monkeypatch.setattr(sys, "argv", ["qdled", "sweep", "--vary", VARY, "--out", str(tmp_path / "x.nc"), *extra])
    with pytest.raises(SystemExit) as exc:
        run()
    err = capsys.readouterr().err
    assert exc.value.code == 2 and match in err, err
    assert not (tmp_path / "x.nc").exists()


@pytest.mark.slow
def test_cli_drift_diffusion_sweep(tmp_path):
    import xarray as xr

    from qdled.cli.main import app

    out = tmp_path / "mf.nc"
    args = ["sweep", "--model", "drift-diffusion", "--coarse", "2", "--vary", VARY, "--out", str(out)]
    r = CliRunner().invoke(app, [*args, "--scheduler", "serial", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)
    assert res["model"] == MODEL_LABEL and res["n_points"] == 3 and res["n_dd_points"] == 3
    assert set(res["surrogate_error"]) == set(TARGETS) and "PO-T2T.thickness_nm" in res["best"]
    with xr.open_dataset(out, engine="scipy") as ds:
        assert ds.attrs["model"] == MODEL_LABEL


@pytest.mark.slow
def test_two_axes_on_a_process_pool_match_serial():
    """2-D: 3 x 3 coarse points (9 solves) and 4 cell centres held out; a 2-worker pool gives the same numbers."""
    from qdled.sweep.executors import PoolExecutor

    vary = ["PO-T2T.thickness_nm=20:60:10", "QD.thickness_nm=25:45:5"]
    serial = multifidelity_sweep(vary, coarse=3, voltage_V=V_SHORT)
    pool = PoolExecutor(2)
    try:
        par = multifidelity_sweep(vary, coarse=3, voltage_V=V_SHORT, executor=pool)
    finally:
        pool.close()
    assert serial.attrs["n_dd_coarse_points"] == 9 and serial.attrs["n_dd_holdout_points"] == 4
    for t in TARGETS:
        np.testing.assert_array_equal(serial[t].values, par[t].values)
        c = serial[t].values[::2, ::2]  # the coarse points of the 5 x 5 fine grid
        np.testing.assert_allclose(c, serial[f"{t}_dd"].values, rtol=1e-12)
        err = json.loads(serial.attrs["surrogate_error"])[t]
        assert err["surrogate"]["n_points"] == 4
        assert err["surrogate"]["max_relative"] < 0.1
