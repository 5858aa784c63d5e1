"""Batch statistics vs numpy/statistics module definitions."""

import statistics

import numpy as np
import pytest

from qdled.analysis.batch import batch_statistics
from qdled.errors import InputError


def test_statistics_match_python_statistics_module():
    # 25 devices like the paper's EQE histogram (Li et al. 2024, Supplementary Fig. 17), synthetic values
    rng = np.random.default_rng(14)
    v = np.clip(rng.normal(24.0, 1.2, 25), 0, 26.04)
    names = [f"D{k:02d}" for k in range(25)]
    r = batch_statistics(v, names)
    assert r.n == 25
    assert r.mean == pytest.approx(statistics.fmean(v))
    assert r.sd == pytest.approx(statistics.stdev(v))
    assert r.median == pytest.approx(statistics.median(v))
    assert (r.min, r.max) == (v.min(), v.max())
    assert r.best_device == names[int(np.argmax(v))]
    assert sum(r.histogram["counts"]) == 25
    assert r.histogram["edges"][0] == v.min() and r.histogram["edges"][-1] == v.max()


def test_errors():
    with pytest.raises(InputError):
        batch_statistics([])
    with pytest.raises(InputError, match="device names"):
        batch_statistics([1.0, 2.0], ["a"])
