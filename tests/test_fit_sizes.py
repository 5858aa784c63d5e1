"""Size-distribution fit: recovery and 95 % interval coverage of mean edge and spread on synthetic PL and
absorbance (qdled.dots at known parameters plus Gaussian noise of 1 % of the maximum), a spread narrower than
the single-dot line reported as not identifiable, and the sizing-curve inverse.

Statistics: Binomial(n, 0.95) counts of covering intervals (Press et al., Numerical Recipes, 3rd ed., 15.6).
"""

import numpy as np
import pytest
from scipy import constants

from qdled.dots import confinement_energy, ensemble_absorption, ensemble_pl, size_distribution
from qdled.fit import fit_sizes, quick_size
from qdled.fit.sizes import first_exciton_nm

X = np.arange(450.0, 720.0, 1.0)


def _spectrum(kind, mean=4.3, sd=0.4):
    e, w = size_distribution(mean, sd_nm=sd, n_bins=161)  # finer than the fit's 41 bins
    f = ensemble_pl if kind == "pl" else ensemble_absorption
    return f(e, w, wavelength_nm=X).intensity


def _coverage(kind, n_seeds, noise=0.01):
    clean = _spectrum(kind)
    hits = {"mean_nm": 0, "sd_nm": 0}
    for seed in range(n_seeds):
        y = clean + noise * np.random.default_rng(seed).standard_normal(X.size)
        res = fit_sizes(X, y, kind)
        for k, v in (("mean_nm", 4.3), ("sd_nm", 0.4)):
            hits[k] += res[k].ci95[0] <= v <= res[k].ci95[1]
    return hits


def test_sizes_recovered_with_95_percent_intervals_20_seeds_pl():
    # Binomial(20, 0.95): P(<= 15 covering) = 0.3 %, so >= 16 of 20 is required for each parameter
    hits = _coverage("pl", 20)
    assert all(h >= 16 for h in hits.values()), hits


def test_sizes_recovered_with_95_percent_intervals_10_seeds_absorption():
    # absorbance model evaluations cost ~10x more: 10 seeds, Binomial(10, 0.95): P(<= 6 covering) = 0.1 %
    hits = _coverage("absorption", 10)
    assert all(h >= 7 for h in hits.values()), hits


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["pl", "absorption"])
def test_sizes_interval_coverage_200_seeds(kind):
    # Binomial(200, 0.95): mean 190, sd 3.1; [181, 198] is about +-2.9 sd
    hits = _coverage(kind, 200)
    assert all(181 <= h <= 198 for h in hits.values()), hits


def test_spread_below_single_dot_line_is_degenerate():
    # sd 0.02 nm moves the band edge by ~1 meV against a 95 meV single-dot line: the width grows by ~1e-4
    # relative, invisible under 3 % noise, so the spread must be flagged (the mean stays identified)
    y = _spectrum("pl", sd=0.02) + 0.03 * np.random.default_rng(4).standard_normal(X.size)
    res = fit_sizes(X, y, "pl")
    assert "sd_nm" in res.degenerate
    assert "mean_nm" not in res.degenerate


def test_quick_size_inverts_the_sizing_curve_of_a_single_size():
    # one size (no spread): the first-exciton peak sits at the band-edge transition energy of that size
    # (lines are symmetric in energy; the absorbance is not a density, so no Jacobian shift), so the inverse
    # must return the edge to within the 1 nm sampling of the spectrum (~0.03 nm in edge at 4.3 nm)
    y = ensemble_absorption(4.3, wavelength_nm=X).intensity
    q = quick_size(X, y, "absorption")
    assert q.edge_nm == pytest.approx(4.3, abs=0.05)
    hc_ev_nm = constants.h * constants.c / constants.e * 1e9  # CODATA, independent of qdled
    peak = hc_ev_nm / float(confinement_energy(4.3))
    assert first_exciton_nm(X, y) == pytest.approx(peak, abs=1.5)


def test_bad_kind_and_short_spectrum_raise_input_error():
    from qdled.errors import InputError

    with pytest.raises(InputError, match="kind"):
        fit_sizes(X, _spectrum("pl"), "raman")
    with pytest.raises(InputError, match=">= 10"):
        fit_sizes(X[:5], _spectrum("pl")[:5], "pl")
