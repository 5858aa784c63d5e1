"""Benchmark of the fits (issue #19 targets: orientation fit < 2 s, emission-zone fit < 10 s, one core).

Each fit is timed end to end from arrays (forward-model set-up included: the prism intensities of the
orientation fit, the far-field grid of the emission-zone fit), median of 5 runs after one warm-up run that
pays the imports and material tables. Run: ``.venv/bin/python benchmarks/bench_fit.py`` (set
``OMP_NUM_THREADS=1`` etc. for a strict one-core figure; the fits themselves are single-threaded NumPy).
"""

import statistics
import time

import numpy as np


def _median_time(fn, repeats: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    from qdled.dots import ensemble_pl, size_distribution
    from qdled.fit import (
        compact_model,
        film_on_glass,
        fit_emission_zone,
        fit_jvl,
        fit_orientation,
        fit_sizes,
        substrate_intensity,
    )
    from qdled.io.stack import default_stack
    from qdled.optics import far_field, pl_spectrum

    rng = np.random.default_rng(0)
    # orientation: 86 angles x 1 wavelength of p-polarised counts (35 nm film on glass)
    film = film_on_glass()
    ang = np.arange(0.0, 86.0, 1.0)
    lam = substrate_intensity(film, 630.0, ang).p(0.75)[0]
    counts = rng.poisson(5000 * lam / lam.max()).astype(float)
    t_or = _median_time(lambda: fit_orientation(ang, counts, film, 630.0, sigma="poisson"))
    # emission zone: 24 wavelengths x 16 angles x (s, p) of the paper's stack, fresh far-field grid each run
    stack = default_stack()
    wl = np.arange(590.0, 662.0, 3.0)
    angles = np.arange(0.0, 80.0, 5.0)
    swl, s = pl_spectrum()
    ff = far_field(stack, wl, angles, zone=0.3, horizontal_fraction=0.8)
    src = np.interp(wl, swl, s)[:, None]
    w, a = np.meshgrid(wl, angles, indexing="ij")
    lam = np.concatenate([(src * ff.intensity_s).ravel(), (src * ff.intensity_p).ravel()])
    y = rng.poisson(2e4 * lam / lam.max()).astype(float)
    pol = ["s"] * w.size + ["p"] * w.size
    aa, ww = np.tile(a.ravel(), 2), np.tile(w.ravel(), 2)
    t_zone = _median_time(lambda: fit_emission_zone(aa, ww, y, stack, polarisation=pol, sigma="poisson"))
    t_gauss = _median_time(
        lambda: fit_emission_zone(aa, ww, y, stack, polarisation=pol, sigma="poisson", profile="gaussian")
    )
    # an instrument-size map: 71 wavelengths (1 nm) x 36 angles (0-87.5 deg), unpolarised
    wl_big = np.arange(590.0, 661.0, 1.0)
    ang_big = np.arange(0.0, 88.0, 2.5)
    ff = far_field(stack, wl_big, ang_big, zone=0.3, horizontal_fraction=0.8)
    lam = (np.interp(wl_big, swl, s)[:, None] * ff.intensity).ravel()
    y_big = rng.poisson(2e4 * lam / lam.max()).astype(float)
    wb, ab = (g.ravel() for g in np.meshgrid(wl_big, ang_big, indexing="ij"))
    t_big = _median_time(lambda: fit_emission_zone(ab, wb, y_big, stack, sigma="poisson"))
    # sizes (PL, 270 points) and J-V-L (53 voltages, 3 parameters)
    e, wt = size_distribution(4.3, sd_nm=0.4, n_bins=161)
    x = np.arange(450.0, 720.0, 1.0)
    pl = ensemble_pl(e, wt, wavelength_nm=x).intensity + 0.01 * rng.standard_normal(x.size)
    t_sizes = _median_time(lambda: fit_sizes(x, pl, "pl"))
    model = compact_model()
    V = np.round(np.arange(1.8, 7.01, 0.1), 3)
    out = model({"log10_qd_mobility_prefactor": -7.8, "plqy": 0.8, "qd_hole_to_electron_mobility": 0.8}, V)
    J = out["current_density_mA_cm2"] * np.exp(0.03 * rng.standard_normal(V.size))
    L = out["luminance_cd_m2"] * np.exp(0.05 * rng.standard_normal(V.size))
    t_jvl = _median_time(lambda: fit_jvl(V, J, L, model=model))
    print(f"orientation fit (86 angles, prism forward model included): {t_or:.3f} s (target < 2 s)")
    print(f"emission-zone fit, delta (24 wl x 16 angles x s/p, far-field grid included): {t_zone:.3f} s (< 10 s)")
    print(f"emission-zone fit, Gaussian profile: {t_gauss:.3f} s")
    print(f"emission-zone fit, delta, 71 wl x 36 angles unpolarised: {t_big:.3f} s (< 10 s)")
    print(f"size fit (PL, 270 points): {t_sizes:.3f} s")
    print(f"J-V-L fit (53 voltages, 3 parameters, compact model): {t_jvl:.3f} s")


if __name__ == "__main__":
    main()
