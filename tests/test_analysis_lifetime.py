"""Lifetime analysis on stretched-exponential traces with known T50/T95."""

import numpy as np
import pytest

from qdled.analysis.lifetime import analyze_lifetime, fit_acceleration_exponent, scale_lifetime
from qdled.errors import InputError


def _trace(L0, tau, beta, t_end, seed, noise=0.01, n=600):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, t_end, n)
    return t, L0 * np.exp(-((t / tau) ** beta)) * (1 + rng.normal(0, noise, n))


def _tx(tau, beta, frac):
    return tau * (-np.log(frac)) ** (1 / beta)


def test_t50_t95_first_crossing_and_fit():
    t, L = _trace(1000, 15.0, 0.8, 40, seed=9)
    r = analyze_lifetime(t, L)
    # 1 % noise, smoothed: measured crossings within 2 % of the analytic ones
    assert r.t50_h == pytest.approx(_tx(15, 0.8, 0.5), rel=0.02)
    # a 5 % drop read through 1 % noise scatters by ~10 % per trace: check the bias over 20 traces
    t95 = [analyze_lifetime(*_trace(1000, 15.0, 0.8, 40, seed=s)).t95_h for s in range(20)]
    assert np.mean(t95) == pytest.approx(_tx(15, 0.8, 0.95), rel=0.05)
    assert r.beta == pytest.approx(0.8, abs=3 * r.beta_stderr + 1e-3)
    assert r.tau_h == pytest.approx(15.0, abs=3 * r.tau_stderr_h + 1e-3)
    assert r.t50_fit_h == pytest.approx(_tx(15, 0.8, 0.5), rel=0.01)
    assert r.initial_luminance_cd_m2 == pytest.approx(1000, rel=0.01)


def test_trace_ending_before_t50_uses_the_fit_for_conversion():
    t, L = _trace(1000, 15.0, 1.0, 6, seed=10, noise=0.003)
    r = analyze_lifetime(t, L, to_luminance_cd_m2=100, exponent=1.7)
    assert np.isnan(r.t50_h)
    assert r.t50_fit_h == pytest.approx(15 * np.log(2), rel=0.05)  # extrapolated from L/L0 > 0.67
    assert r.t50_at_target_h == pytest.approx(r.t50_fit_h * (r.initial_luminance_cd_m2 / 100) ** 1.7, rel=1e-12)


def test_paper_t50_scaling():
    # Li et al. 2024: T50 = 729 min at L0 = 1000 cd/m^2; with n = 1.75 at 100 cd/m^2: 729 * 10^1.75 min
    assert scale_lifetime(729 / 60, 1000, 100, 1.75) * 60 == pytest.approx(729 * 10**1.75)


def test_acceleration_exponent_recovered_from_three_luminances():
    n_true, c = 1.6, 5e5
    l0s = np.array([500.0, 1000.0, 2000.0])
    t50s = []
    for k, L0 in enumerate(l0s):
        t50 = c / L0**n_true
        tau = t50 / np.log(2)  # beta = 1
        t, L = _trace(L0, tau, 1.0, 2.5 * t50, seed=20 + k, noise=0.005)
        t50s.append(analyze_lifetime(t, L).t50_h)
    n, n_err = fit_acceleration_exponent(l0s, t50s)
    assert n == pytest.approx(n_true, abs=max(3 * n_err, 0.02))


def test_errors():
    with pytest.raises(InputError, match="exponent"):
        analyze_lifetime([0, 1, 2], [10, 9, 8], to_luminance_cd_m2=100)
    with pytest.raises(InputError, match=">= 2 distinct"):
        fit_acceleration_exponent([1000], [10])
    with pytest.raises(InputError, match="strictly increasing"):
        analyze_lifetime([0, 2, 1], [10, 9, 8])


@pytest.mark.parametrize("n_points", [200, 600, 2000])
def test_t95_of_a_steep_stretched_exponential(n_points):
    # beta = 0.5 drops steeply at first (T95 = tau (-ln 0.95)^2 = 0.26 % of tau): a smoothing window
    # set by the number of points alone flattened that drop (T95 +22 % to +89 %). Noise-free trace over
    # 3 T50, analytic T95 and T50 (stretched exponential, Fery et al. 2005); 3 % allows the linear
    # interpolation between samples.
    tau, beta = 10.0, 0.5
    t50 = tau * np.log(2) ** (1 / beta)
    t = np.linspace(0, 3 * t50, n_points)
    res = analyze_lifetime(t, 1000.0 * np.exp(-((t / tau) ** beta)))
    assert res.t95_h == pytest.approx(tau * (-np.log(0.95)) ** (1 / beta), rel=0.03), res.t95_from_fit
    assert res.t50_h == pytest.approx(t50, rel=0.01)
    t95 = tau * (-np.log(0.95)) ** (1 / beta)
    assert res.t95_from_fit == (np.count_nonzero(t < t95) < 3)  # unresolved by the samples: the fit's value


def test_acceleration_exponent_from_analysed_traces():
    """The exponent fit over several traces (what ``qdled analyze lifetime --also`` does) lives in the API:
    each trace's L0 and its measured T50, or the fitted one where the trace stops before T50."""
    from qdled.analysis.lifetime import acceleration_exponent

    n_true, c = 1.6, 5e5
    results = []
    for k, L0 in enumerate((500.0, 1000.0, 2000.0)):
        t50 = c / L0**n_true
        end = 2.5 * t50 if k else 0.4 * t50  # the first trace ends before T50: its fitted T50 is used
        results.append(analyze_lifetime(*_trace(L0, t50 / np.log(2), 1.0, end, seed=30 + k, noise=0.003)))
    assert np.isnan(results[0].t50_h) and results[0].t50_or_fit_h == results[0].t50_fit_h
    n, n_err = acceleration_exponent(results)
    assert (n, n_err) == fit_acceleration_exponent(
        [r.initial_luminance_cd_m2 for r in results], [r.t50_or_fit_h for r in results]
    )
    assert n == pytest.approx(n_true, abs=max(3 * n_err, 0.05))
