"""Benchmark of the device model: one full J-V-L-EQE sweep (401 voltages, 800-point J grid).

Run: ``.venv/bin/python -m pytest benchmarks/bench_device.py --benchmark-enable -p no:cacheprovider``
"""

from qdled.device import device_parameters, simulate_device
from qdled.device.calibration import calibration_inputs


def test_bench_simulate_device(benchmark):
    inp = {k: v for k, v in calibration_inputs("li2024-nsa-pf6").items() if k != "source"}
    p = device_parameters("li2024-nsa-pf6")
    res = benchmark(simulate_device, p, **inp)
    assert res.figures_of_merit()["max_luminance_cd_m2"] > 4000
