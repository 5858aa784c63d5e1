"""``qdled analyze KIND FILE``: a lab's measurement file -> figures of merit (table or JSON, optional plot)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from qdled.cli._common import ForceOpt, JsonOpt, PlotOpt, check_plot

analyze_app = typer.Typer(
    help="Analyse a lab's measurement file (spectrum, jvl, trpl, tauc, lifetime, tem, batch).",
    no_args_is_help=True,
)

FileArg = typer.Argument(..., help="Measurement file (canonical CSV or a supported instrument export).")
ColumnOpt = typer.Option(
    None, "--column", help="Data column: 1-based column number, header name or sample name (multi-column files)."
)


def _xunit(help_: str):
    return typer.Option(None, "--x-unit", help=help_)


_INPUT_KEYS = (
    "format",
    "column",
    "sample",
    "curve",
    "file_column",
    "time_from",
    "window_ns",
    "reversed",
    "units_inferred",
    "text_columns",
    "first_data_line",
    "last_data_line",
)


def _input(meta: dict) -> dict:
    """What the reader did with the file (format found, column, order, units inferred, data lines), for the JSON."""
    return {"input": {k: meta[k] for k in _INPUT_KEYS if k in meta}}


def _warn(result) -> None:
    """Print a result's warnings on stderr, one line each (JSON carries them too)."""
    if getattr(result, "null_reason", None):
        typer.echo(f"qdled: warning: no efficiency figures: {result.null_reason}", err=True)
    for w in getattr(result, "warnings", ()) or ():
        typer.echo(f"qdled: warning: {w}", err=True)


def _flat(d: dict, prefix: str = "") -> dict:
    """Scalars of a nested result dict for the table (lists of dicts numbered, arrays skipped)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            continue
        if isinstance(v, (list, tuple)):
            if v and isinstance(v[0], dict):
                for i, item in enumerate(v, 1):
                    out.update(_flat(item, f"{prefix}{k}[{i}]."))
            elif v and all(isinstance(x, (int, float)) for x in v):
                nums = [f"{x:.4g}" if isinstance(x, float) else str(x) for x in v]  # windows and rows used
                out[prefix + k] = ", ".join(nums) if len(v) <= 4 else f"{len(v)} values, {nums[0]} ... {nums[-1]}"
            continue
        out[prefix + k] = v
    return out


def _emit(
    title: str, result, as_json: bool, fig_fn, plot: Optional[Path], force: bool, extra: dict | None = None
) -> None:
    from qdled.cli._common import print_json, print_table, save_plot

    if plot is not None:
        import matplotlib.pyplot as plt

        fig = fig_fn(result)
        try:
            save_plot(fig, plot, force)
        finally:
            plt.close(fig)
    d = result.to_dict()
    if extra:
        d.update(extra)
    _warn(result)
    if as_json:
        print_json(d)
    else:
        print_table(title, _flat(d))


@analyze_app.command("spectrum")
def spectrum_cmd(
    file: Path = FileArg,
    white_point: str = typer.Option("E", "--white-point", help="White point for dominant wavelength/purity: E or D65."),
    subtract_baseline: bool = typer.Option(
        False, "--subtract-baseline", help="Subtract the dark offset (median of the lower end of the grid) first."
    ),
    column: Optional[str] = ColumnOpt,
    x_unit: Optional[str] = _xunit("Unit of the x axis if the file does not say: nm (default), um, eV, cm-1."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Peak, FWHM, centroid, CIE 1931 xy / 1976 u'v', dominant wavelength, purity, distance to Rec.2020 red."""
    from qdled.analysis.spectrum import analyze_spectrum, plot_spectrum
    from qdled.io.measurements import read_spectrum

    check_plot(plot, force)
    data, meta = read_spectrum(file, column=column, x_unit=x_unit)
    wl, s = data["wavelength_nm"], data["intensity"]
    result = analyze_spectrum(wl, s, white_point=white_point, subtract_baseline=subtract_baseline)
    if subtract_baseline:
        s = s - result.baseline_offset
    _emit(f"spectrum: {file.name}", result, as_json, lambda r: plot_spectrum(wl, s, r), plot, force, _input(meta))


@analyze_app.command("jvl")
def jvl_cmd(
    file: Path = FileArg,
    spectrum: Path = typer.Option(..., "--spectrum", help="EL spectrum file (needed for EQE and luminance)."),
    area_mm2: float = typer.Option(4.0, "--area-mm2", help="Active area in mm^2 (paper: 4)."),
    distance_mm: Optional[float] = typer.Option(None, "--distance-mm", help="Photodiode distance on axis (mm)."),
    detector_radius_mm: Optional[float] = typer.Option(
        None, "--detector-radius-mm", help="Photodiode active radius (mm)."
    ),
    responsivity_A_per_W: Optional[float] = typer.Option(
        None, "--responsivity-A-per-W", help="Photodiode responsivity (A/W), constant over the EL band."
    ),
    responsivity: Optional[Path] = typer.Option(
        None, "--responsivity", help="Responsivity file: wavelength_nm,responsivity_A_per_W."
    ),
    luminance_floor: float = typer.Option(
        1.0, "--luminance-floor", help="Rows below this luminance (cd/m^2) do not enter EQE, cd/A and lm/W."
    ),
    current_unit: Optional[str] = typer.Option(
        None, "--current-unit", help="Unit of a current column whose header gives none: A or mA (also uA, nA)."
    ),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """EQE, luminance, cd/A, lm/W, turn-on voltage (at 1 cd/m^2); Lambertian emission assumed.

    Efficiencies come only from forward-bias rows above --luminance-floor; the rows used are in the JSON."""
    from qdled.analysis.jvl import analyze_jvl, plot_jvl
    from qdled.errors import InputError
    from qdled.io.measurements import read_jvl, read_responsivity, read_spectrum

    check_plot(plot, force)
    data, meta = read_jvl(file, current_unit=current_unit)
    spec, _ = read_spectrum(spectrum)
    kwargs = {}
    if "luminance_cd_m2" in data:
        kwargs["luminance_cd_m2"] = data["luminance_cd_m2"]
    else:
        if responsivity is not None and responsivity_A_per_W is not None:
            raise InputError("give either --responsivity-A-per-W or --responsivity FILE, not both")
        if responsivity is not None:
            rdata, _ = read_responsivity(responsivity)
            kwargs["responsivity_A_per_W"] = rdata["responsivity_A_per_W"]
            kwargs["responsivity_wavelength_nm"] = rdata["wavelength_nm"]
        elif responsivity_A_per_W is not None:
            kwargs["responsivity_A_per_W"] = responsivity_A_per_W
        if distance_mm is None or detector_radius_mm is None or "responsivity_A_per_W" not in kwargs:
            raise InputError(
                f"{file}: photocurrent data need --distance-mm, --detector-radius-mm and "
                "--responsivity-A-per-W or --responsivity FILE"
            )
        kwargs.update(
            photocurrent_A=data["photocurrent_A"], distance_mm=distance_mm, detector_radius_mm=detector_radius_mm
        )
    result = analyze_jvl(
        data["voltage_V"],
        data["current_mA"],
        spec["wavelength_nm"],
        spec["intensity"],
        area_mm2=area_mm2,
        luminance_floor_cd_m2=luminance_floor,
        **kwargs,
    )
    _emit(f"J-V-L: {file.name}", result, as_json, plot_jvl, plot, force, _input(meta))


@analyze_app.command("trpl")
def trpl_cmd(
    file: Path = FileArg,
    components: int = typer.Option(2, "--components", help="Number of exponentials (1-4)."),
    no_irf: bool = typer.Option(False, "--no-irf", help="Ignore an irf column and fit the tail only."),
    irf: Optional[Path] = typer.Option(None, "--irf", help="IRF measured in its own file (any decay layout)."),
    irf_column: Optional[str] = typer.Option(None, "--irf-column", help="Column of the IRF file (as --column)."),
    column: Optional[str] = ColumnOpt,
    x_unit: Optional[str] = _xunit("Time unit if the file does not say: ns (default), ps, us, ms, s."),
    t_min_ns: Optional[float] = typer.Option(None, "--t-min-ns", help="Fit only channels at or after this time (ns)."),
    t_max_ns: Optional[float] = typer.Option(None, "--t-max-ns", help="Fit only channels at or before this time (ns)."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Multi-exponential TRPL fit (IRF reconvolution with --irf FILE or an irf column); Poisson maximum likelihood.

    Poor fits (reduced chi-square, structured residuals) are flagged on stderr and in the JSON. --t-min-ns and
    --t-max-ns restrict the fit to a window (one excitation period of a histogram holding two pulses, or the
    filled part of a histogram longer than the sync period); the IRF is cut to the same window."""
    from qdled.analysis.trpl import align_irf, fit_trpl, plot_trpl
    from qdled.errors import InputError
    from qdled.io.measurements import read_irf, read_trpl

    check_plot(plot, force)
    if irf is not None and no_irf:
        raise InputError("give either --irf FILE or --no-irf, not both")
    data, meta = read_trpl(file, column=column, x_unit=x_unit)
    h = None if no_irf else data.get("irf")
    if irf is not None:
        idata, _ = read_irf(irf, column=irf_column, x_unit=x_unit)
        h = align_irf(data["time_ns"], idata["time_ns"], idata["irf"])
    if t_min_ns is not None or t_max_ns is not None:
        t = data["time_ns"]
        lo = float(t[0]) if t_min_ns is None else t_min_ns
        hi = float(t[-1]) if t_max_ns is None else t_max_ns
        if not lo < hi:  # also NaN
            raise InputError(f"--t-min-ns {lo:g} must be below --t-max-ns {hi:g}")
        keep = (t >= lo) & (t <= hi)
        if keep.sum() < 8:
            raise InputError(
                f"{file.name}: the window {lo:g}-{hi:g} ns holds {int(keep.sum())} channels (the decay spans "
                f"{t[0]:g}-{t[-1]:g} ns); at least 8 are needed"
            )
        data = {k: v[keep] for k, v in data.items()}
        h = None if h is None else h[keep]
        meta["window_ns"] = [lo, hi]
    result = fit_trpl(data["time_ns"], data["counts"], irf=h, n_components=components)
    _emit(f"TRPL: {file.name}", result, as_json, plot_trpl, plot, force, _input(meta))


@analyze_app.command("tauc")
def tauc_cmd(
    file: Path = FileArg,
    window_eV: float = typer.Option(0.15, "--window-eV", help="Energy span of candidate linear windows (eV)."),
    min_r2: float = typer.Option(0.95, "--min-r2", help="Minimum R^2 of an accepted window."),
    emin_eV: Optional[float] = typer.Option(None, "--emin-eV", help="Lower photon energy of the search range."),
    emax_eV: Optional[float] = typer.Option(None, "--emax-eV", help="Upper photon energy of the search range."),
    column: Optional[str] = ColumnOpt,
    x_unit: Optional[str] = _xunit("Unit of the x axis if the file does not say: nm (default), um, eV, cm-1."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Direct-gap Tauc plot ((A h nu)^2 vs h nu): automatic linear region below the first excitonic feature."""
    from qdled.analysis.tauc import plot_tauc, tauc_bandgap
    from qdled.errors import InputError
    from qdled.io.measurements import read_absorbance

    check_plot(plot, force)
    if (emin_eV is None) != (emax_eV is None):
        raise InputError("give both --emin-eV and --emax-eV, or neither")
    if not 0.01 <= window_eV <= 2.0:  # also NaN; an absorption edge spans ~0.05-0.5 eV
        raise InputError(f"--window-eV must be in 0.01-2 eV, got {window_eV:g}")
    if not 0.0 < min_r2 <= 1.0:
        raise InputError(f"--min-r2 must be in (0, 1], got {min_r2:g}")
    data, meta = read_absorbance(file, column=column, x_unit=x_unit)
    rng = (emin_eV, emax_eV) if emin_eV is not None else None
    result = tauc_bandgap(
        data["wavelength_nm"], data["absorbance"], window_eV=window_eV, min_r2=min_r2, energy_range_eV=rng
    )
    _emit(f"Tauc: {file.name}", result, as_json, plot_tauc, plot, force, _input(meta))


@analyze_app.command("lifetime")
def lifetime_cmd(
    file: Path = FileArg,
    to_luminance: Optional[float] = typer.Option(None, "--to-luminance", help="Convert T50/T95 to this L0 (cd/m^2)."),
    exponent: Optional[float] = typer.Option(None, "--exponent", help="Acceleration exponent n in L0^n T = const."),
    also: Optional[List[Path]] = typer.Option(
        None, "--also", help="Further lifetime files at other L0 (repeatable); used to fit n when --exponent is absent."
    ),
    initial_luminance: Optional[float] = typer.Option(
        None, "--initial-luminance", help="L0 in cd/m^2 (default: smoothed first value)."
    ),
    x_unit: Optional[str] = _xunit("Time unit if the file does not say: h (default), min, s."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """T50/T95 (first crossing of the smoothed trace), stretched-exponential fit, L0^n T scaling."""
    from qdled.analysis.lifetime import acceleration_exponent, analyze_lifetime, plot_lifetime
    from qdled.errors import InputError
    from qdled.io.measurements import read_lifetime

    check_plot(plot, force)
    data, meta = read_lifetime(file, x_unit=x_unit)
    n_err = None
    if to_luminance is not None and exponent is None:
        if not also:
            raise InputError("--to-luminance needs --exponent n, or --also FILE(s) at other L0 to fit n")
        traces = [analyze_lifetime(data["time_h"], data["luminance_cd_m2"], initial_luminance_cd_m2=initial_luminance)]
        for other in also:
            d, _ = read_lifetime(other, x_unit=x_unit)
            traces.append(analyze_lifetime(d["time_h"], d["luminance_cd_m2"]))
        exponent, n_err = acceleration_exponent(traces)
    result = analyze_lifetime(
        data["time_h"],
        data["luminance_cd_m2"],
        initial_luminance_cd_m2=initial_luminance,
        to_luminance_cd_m2=to_luminance,
        exponent=exponent,
        exponent_stderr=n_err,
    )
    _emit(f"lifetime: {file.name}", result, as_json, plot_lifetime, plot, force, _input(meta))


@analyze_app.command("tem")
def tem_cmd(
    file: Path = FileArg,
    nm_per_pixel: float = typer.Option(..., "--nm-per-pixel", help="Image scale (nm per pixel)."),
    bright_particles: bool = typer.Option(
        False, "--bright-particles", help="Particles brighter than background (HAADF)."
    ),
    sigma_px: Optional[float] = typer.Option(
        None, "--sigma-px", help="Gaussian smoothing before thresholding (px; default: adapted to the particle size)."
    ),
    min_area_px: Optional[int] = typer.Option(
        None, "--min-area-px", help="Smallest particle kept (px; default: adapted to the particle size)."
    ),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Particle sizes (edge length = sqrt(projected area), cubes) from a TEM image; edge particles dropped."""
    from qdled.analysis.tem import particle_sizes, plot_tem
    from qdled.errors import InputError
    from qdled.io.measurements import read_image

    check_plot(plot, force)
    if not 1e-4 <= nm_per_pixel <= 1e3:  # also NaN; TEM/SEM scales run from ~0.005 to ~100 nm per pixel
        raise InputError(f"--nm-per-pixel must be in 1e-4-1000 nm, got {nm_per_pixel:g}")
    if sigma_px is not None and not (0 <= sigma_px <= 50):
        raise InputError(f"--sigma-px must be in [0, 50], got {sigma_px:g}")
    if min_area_px is not None and min_area_px < 1:
        raise InputError(f"--min-area-px must be >= 1, got {min_area_px}")
    img, _ = read_image(file)
    result = particle_sizes(
        img, nm_per_pixel, dark_particles=not bright_particles, sigma_px=sigma_px, min_area_px=min_area_px
    )
    _emit(f"TEM: {file.name}", result, as_json, plot_tem, plot, force)


@analyze_app.command("batch")
def batch_cmd(
    file: Path = FileArg,
    column: str = typer.Option("eqe_percent", "--column", help="Figure column to summarise."),
    bins: Optional[int] = typer.Option(None, "--bins", help="Histogram bin count (default: numpy 'auto')."),
    as_json: bool = JsonOpt,
    plot: Optional[Path] = PlotOpt,
    force: bool = ForceOpt,
) -> None:
    """Mean, sd, median, min, max, n and histogram of a figure over devices."""
    from qdled.analysis.batch import batch_statistics, plot_batch
    from qdled.errors import InputError
    from qdled.io.measurements import read_batch

    check_plot(plot, force)
    if bins is not None and not 1 <= bins <= 10000:
        raise InputError(f"--bins must be between 1 and 10000, got {bins} (omit it for automatic bins)")
    data, _ = read_batch(file, column=column)
    result = batch_statistics(data[column], devices=data["device"], quantity=column, bins=bins if bins else "auto")
    _emit(f"batch: {file.name}", result, as_json, plot_batch, plot, force)


def register(app: typer.Typer) -> None:
    """Add ``qdled analyze`` to the main app."""
    app.add_typer(analyze_app, name="analyze")
