"""Readers for a lab's measurement files: spectra, J-V-L sweeps, TRPL decays, absorbance,
lifetime traces, device batches and TEM images.

Every reader returns ``(data, metadata)``: ``data`` is a dict of named NumPy columns whose
names carry their unit (``wavelength_nm``, ``current_mA`` ...), ``metadata`` a dict of what
the file said about itself (format, header, instrument settings) and of what the reader did
(``column`` used, ``reversed``, ``units_inferred``). Malformed input raises
:class:`qdled.errors.InputError` with one line naming the file (and line and column).

Files are recognised by their content, not their name (see :mod:`._table`): the numeric data
block is found wherever it is, with any preamble (vendor metadata, dates, settings) above it and
any trailer (method blocks, end markers) below it; tab, semicolon, comma or whitespace separators;
decimal commas (unless the separator is a comma); UTF-8 (with or without BOM), UTF-16 or
Windows-1252 text. Wavelength axes may run in either direction (UV-Vis exports descend); they are
returned ascending with ``metadata["reversed"] = True``. Instrument exports recognised and tested on
real files (``tests/fixtures/analysis/real``):

* Ocean Optics OceanView/SpectraSuite ``.txt`` and OOIBase32 ``.scope`` (``>>>>>Begin Spectral Data<<<<<``);
* Wasatch ENLIGHTEN ``.csv`` (key,value preamble, ``Pixel,Wavenumber,Processed``): a Raman-shift column is
  turned into wavelength with the file's own ``Laser Wavelength`` (``1/lambda = 1/lambda_laser - shift``);
* Agilent Cary ``.csv`` (sample names above ``Wavelength (nm),Abs`` or ``%T`` column pairs, method trailer);
  ``column`` picks a sample by name, header or file column number;
* JASCO ``.txt`` (``XUNITS``/``YUNITS`` block, ``XYDATA``), Shimadzu headerless ``wavelength,value`` text;
* Becker & Hickl SPCM ``.asc`` (``*BLOCK 1 ( Time[ns] No_of_photons )`` ... ``*END``);
* PicoQuant PicoHarp/TimeHarp/HydraHarp histogram ASCII (``#ns/channel`` or ``#ns/bin``, ``#counts``; one
  column per curve, each with its own channel width; ``column`` N is curve N);
* HORIBA TCSPC channel exports (``Time calibration: ... ns/ch``, ``Chan  Data``): time = channel x calibration;
  a channel column without a stated width is refused (see :mod:`._vendors`);
* Edinburgh Instruments F980 (FLS980) and Fluoracle exports (``Labels``/``Type``/``Start``/``Stop``/``Step``/
  ``XAxis``/``YAxis`` block, tab or comma): axes from ``XAxis``/``YAxis``, curves picked by their ``Labels``;
* HORIBA FluorEssence text exports (short name / long name / units rows): the corrected ``S1c / R1c`` signal by
  default, any other by short, long or source name;

and, tested on files written in the tests only (no permissively licensed real file found):

* Keithley 2400 style I-V(-L) exports (preamble, then ``Voltage (V),Current (A),...``), LabVIEW ``.lvm``.

A time column named as a channel (``Chan``, ``Channel``, ``Bin``) is refused unless the file states the
channel width: channel numbers are not nanoseconds. Column names are matched by quantity and unit in
parentheses/brackets or after ``_`` (``Current (mA)``, ``Time[ns]``, ``current_mA``). **Unit inference** when a
name carries no unit, or the file has no header (columns then taken by position: x first, the value second,
or ``column``): wavelength in nm, TRPL time in ns, lifetime time in hours, voltage in V, luminance in cd/m^2; a device
current must carry its unit (A and mA are both common) or be given ``current_unit``. ``x_unit``
overrides the x unit: ``nm``, ``um``, ``eV`` or ``cm-1`` for spectra (converted to nm), ``ps``,
``ns``, ``us``, ``ms``, ``s`` for decays, ``s``, ``min``, ``h`` for lifetime traces. An absorbance
column may be given as transmittance (``%T``: A = 2 - log10 %T).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from qdled.errors import InputError
from qdled.io.measurements._table import Table, is_number, parse_table, to_float
from qdled.spectral import HC_EV_NM

__all__ = [
    "read_spectrum",
    "read_jvl",
    "read_trpl",
    "read_irf",
    "read_absorbance",
    "read_lifetime",
    "read_batch",
    "read_responsivity",
    "read_image",
]


_CURRENT_TO_MA = {"a": 1e3, "ma": 1.0, "ua": 1e-3, "µa": 1e-3, "μa": 1e-3, "na": 1e-6}
_CURRENT_TO_A = {k: v * 1e-3 for k, v in _CURRENT_TO_MA.items()}
_VOLTAGE_TO_V = {"v": 1.0, "mv": 1e-3}
_TIME_TO_NS = {"s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "μs": 1e3, "ns": 1.0, "ps": 1e-3}
_TIME_TO_H = {"h": 1.0, "hr": 1.0, "hours": 1.0, "min": 1 / 60, "s": 1 / 3600}
_LUMINANCE = {"cd/m2": 1.0, "cd/m^2": 1.0, "cdm-2": 1.0, "cd/m²": 1.0, "nit": 1.0, "nits": 1.0}
_NM: dict[str, float | Callable] = {
    "nm": 1.0,
    "um": 1e3,
    "µm": 1e3,
    "μm": 1e3,
    "ev": lambda e: HC_EV_NM / e,
    "cm-1": lambda k: 1e7 / k,
    "1/cm": lambda k: 1e7 / k,
}

# canonical name -> (regex on the lower-cased quantity, unit table or None for unitless, default unit or None)
_ALIASES: dict[str, tuple[str, dict | None, str | None]] = {
    "wavelength_nm": (r"^(wavelength|wave length|lambda|λ|wl|energy|photon energy|wavenumber)$", _NM, "nm"),
    "intensity": (
        r"^(intensity|counts|signal|el|pl|value|y|cps|emission|sample|s1|s1c|data|processed|raw)$",
        None,
        None,
    ),
    "voltage_V": (
        r"^(voltage|bias|v|smu-?\d voltage|source voltage|applied voltage|drive voltage|driving voltage)$",
        _VOLTAGE_TO_V,
        "v",
    ),
    "current_mA": (r"^(current|i|smu-?\d current|measured current|device current)$", _CURRENT_TO_MA, None),
    "photocurrent_A": (r"^(photo ?current|photodiode current|pd current|detector current)$", _CURRENT_TO_A, None),
    "luminance_cd_m2": (r"^(luminance|brightness|l|actual luminance)$", _LUMINANCE, "cd/m2"),
    "time_ns": (r"^(time|t|delay|time delay)$", _TIME_TO_NS, "ns"),
    "counts": (r"^(counts|decay|signal|intensity|no_of_photons|photons|cps|data)$", None, None),
    "irf": (r"^(irf|prompt|instrument response|lamp)$", None, None),
    "absorbance": (r"^(absorbance|abs|a|od|optical density)$", None, None),
    "transmittance_percent": (r"^(%t|%transmittance|transmittance %|t%)$", None, None),
    "time_h": (r"^(time|t|elapsed time)$", _TIME_TO_H, "h"),
    "responsivity_A_per_W": (r"^(responsivity|r)$", {"a/w": 1.0, "ma/w": 1e-3}, "a/w"),
    "device": (r"^(device|id|name|sample)$", None, None),
    "eqe_percent": (r"^(eqe|peak eqe|max eqe)$", {"%": 1.0, "percent": 1.0}, "%"),
}
_CHANNEL = re.compile(r"chan|channels?|ch|bins?|channel ?(no\.?|number|#)")
_UNIT_RE = re.compile(r"^\s*(?P<q>[^(\[]*?)\s*[(\[]\s*(?P<u>[^)\]]*?)\s*[)\]]\s*$")
# vendor metadata naming the columns of a headerless block (JASCO XUNITS/YUNITS, Edinburgh/HORIBA Xaxis/Yaxis)
_META_AXIS = {
    "nanometers": "wavelength (nm)",
    "micrometers": "wavelength (um)",
    "absorbance": "absorbance",
    "transmittance": "%T",
    "%t": "%T",
}


def _parts(cell: str) -> tuple[str, str]:
    raw = cell.strip().strip('"').strip()
    m = _UNIT_RE.match(raw)
    if m:
        return m.group("q").lower(), m.group("u").lower().replace(" ", "")
    parts = raw.rsplit("_", 1)
    if len(parts) == 2 and parts[0].lower() not in ("no_of", "no"):
        return parts[0].lower(), parts[1].lower()
    return raw.lower(), ""


def _resolve(cell: str, wanted) -> tuple[str, object, bool] | None:
    """Map a header cell to (canonical name, factor or converter to the canonical unit, unit inferred?)."""
    raw = cell.strip().strip('"').strip()
    if not raw:
        return None
    for name in wanted:  # exact canonical name first
        if raw.lower() == name.lower():
            return name, 1.0, False
        if name in ("wavelength_nm", "time_ns") and raw.lower() in _ALIASES[name][1]:  # a bare unit: "nm", "ns"
            return name, _ALIASES[name][1][raw.lower()], False
    quantity, unit = _parts(raw)
    for name in wanted:
        pattern, units, default = _ALIASES.get(name, (None, None, None))
        for q, u in ((quantity, unit), (raw.lower(), "")):
            if pattern is None or not re.match(pattern, q):
                continue
            if units is None:
                return name, 1.0, False
            if u in units:
                return name, units[u], False
            if u == "" and default is not None:
                if name == "wavelength_nm" and not q.startswith(("wavelength", "wave length", "lambda", "λ", "wl")):
                    continue  # an energy or wavenumber axis needs its unit
                return name, units[default], True
    return None


def _raman_axis(t: Table, header: list[str], x_unit: str | None):
    """(column index, (source, converter) or None) for a header without a wavelength column: a Raman shift /
    wavenumber column (Wasatch ENLIGHTEN: ``Pixel,Wavenumber,Processed``) converted with the laser wavelength
    the file states (``1/lambda = 1/lambda_laser - shift``), or taken with ``x_unit``."""
    cols = [j for j, c in enumerate(header) if _parts(c)[0] in ("wavenumber", "wavenumbers", "raman shift", "shift")]
    named = ",".join(c for c in header if c)
    if not cols:
        if x_unit is not None:
            return 0, None
        raise InputError(
            f"{t.path}, line {t.header_line}: no wavelength column in header {named!r} "
            "(give --x-unit nm to take the first column as the wavelength)"
        )
    if x_unit is not None:
        return cols[0], None  # an absolute wavenumber or energy axis, in the unit given
    laser = next((v for k, v in t.meta.items() if re.search(r"(laser|excitation) wavelength", k.lower())), None)
    try:
        laser_nm = float(str(laser).split()[0])
    except (TypeError, ValueError, IndexError):
        laser_nm = float("nan")
    if not np.isfinite(laser_nm) or laser_nm <= 0:
        raise InputError(
            f"{t.path}: column {header[cols[0]]!r} is a Raman shift or a wavenumber, and the file gives no laser "
            "wavelength to convert a shift; give --x-unit cm-1 for an absolute wavenumber"
        )

    def shift_to_nm(k):
        return 1e7 / (1e7 / laser_nm - k)

    return cols[0], (f"the laser wavelength {laser_nm:g} nm", shift_to_nm)


def _convert(values: np.ndarray, conv) -> np.ndarray:
    return conv(values) if callable(conv) else values * conv


def _unit_conv(name: str, unit: str, option: str = "x_unit"):
    units = _ALIASES[name][1]
    key = unit.strip().lower().replace(" ", "")
    if key not in units:
        raise InputError(f"{option} {unit!r} not understood for {name} (use one of: {', '.join(sorted(units))})")
    return units[key]


def _header_from_meta(t: Table) -> list[str] | None:
    meta = {k.lower(): v for k, v in t.meta.items()}
    x = meta.get("xunits") or meta.get("xaxis")
    y = meta.get("yunits") or meta.get("yaxis")
    if not x or not y:
        return None
    return [_META_AXIS.get(x.strip().lower(), x.strip()), _META_AXIS.get(y.strip().lower(), y.strip())]


def _pick_column(t: Table, column, ncells: int) -> int:
    """0-based index of the data column ``column``: a 1-based file column number, a header name, a Cary sample
    name or a curve name a vendor export gives (Edinburgh ``Labels``, FluorEssence short/long/source names,
    HORIBA TCSPC and PicoQuant curve names)."""
    c = str(column).strip()
    if re.fullmatch(r"\d+", c):
        if t.column_numbers is not None:
            if int(c) not in t.column_numbers:
                raise InputError(
                    f"{t.path}: --column {c} out of range (the file's columns are {min(t.column_numbers)}-"
                    f"{max(t.column_numbers)})"
                )
            return t.column_numbers[int(c)]
        k = int(c) - 1
        if not 0 <= k < ncells:
            raise InputError(f"{t.path}: --column {c} out of range (the file has {ncells} columns)")
        return k
    names = []
    if t.names:
        hits = [j for j, ns in enumerate(t.names) if any(n.lower() == c.lower() for n in ns)]
        if len(hits) > 1:
            raise InputError(
                f"{t.path}: --column {c!r} names {len(hits)} columns (file columns "
                f"{', '.join(str(_file_column(t, j)) for j in hits)}); give one of those numbers"
            )
        if hits:
            return hits[0]
        names += [n for ns in t.names for n in ns]
    for cells, offset in ((t.header, 0), (t.labels, 1)):
        if not cells:
            continue
        for j, cell in enumerate(cells):
            if cell and cell.strip().lower() == c.lower():
                return j + offset
        names += [x for x in cells if x]
    raise InputError(f"{t.path}: --column {c!r} not found (columns: {', '.join(dict.fromkeys(names)) or 'none named'})")


def _file_column(t: Table, j: int) -> int:
    """The 1-based file column number of table column ``j``."""
    if t.column_numbers:
        return next((n for n, k in t.column_numbers.items() if k == j), j + 1)
    return j + 1


def _cells_to_array(t: Table, rows, idx: int, name: str) -> tuple[np.ndarray, list[str]]:
    vals, raw = [], []
    for lineno, cells in rows:
        if idx >= len(cells):
            raise InputError(f"{t.path}, line {lineno}: expected at least {idx + 1} columns, found {len(cells)}")
        if cells[idx] == "":
            raise InputError(f"{t.path}, line {lineno}, column '{name}': empty cell")
        cell = cells[idx]
        if not is_number(cell, t.decimal_comma):
            raise InputError(f"{t.path}, line {lineno}, column '{name}': non-numeric value {cell!r}")
        v = to_float(cell, t.decimal_comma)
        if not np.isfinite(v):
            raise InputError(f"{t.path}, line {lineno}, column '{name}': value {cell!r} is not finite")
        vals.append(v)
        raw.append(cell)
    return np.array(vals, float), raw


def _read_xy(
    path,
    x_name: str,
    y_names: tuple[str, ...],
    *,
    column=None,
    x_unit: str | None = None,
    optional: tuple[str, ...] = (),
) -> tuple[dict, dict, np.ndarray, list[str]]:
    """x column + one value column (first of ``y_names`` found) + optional columns; see module docstring."""
    t = parse_table(path)
    ncells = max(len(c) for _, c in t.rows)
    wanted = (x_name, *y_names, *optional)
    header = t.header
    resolved: list = []
    if header:
        resolved = [_resolve(c, wanted) for c in header]
    if not any(resolved):
        meta_header = _header_from_meta(t)
        if meta_header:
            header, resolved = meta_header, [_resolve(c, wanted) for c in meta_header]
    by_position = not any(resolved)
    default = t.default_column
    if default is not None and not (default < len(resolved) and resolved[default] and resolved[default][0] in y_names):
        default = None
    if header and not by_position and column is None and not any(r and r[0] in y_names for r in resolved):
        named = ",".join(c for c in header if c)
        raise InputError(
            f"{t.path}, line {t.header_line}: missing column '{y_names[0]}' in header {named!r}"
            f" (expected columns: {x_name},{y_names[0]}; or give --column)"
        )
    # value column
    if column is not None:
        yi = _pick_column(t, column, ncells)
    elif default is not None:
        yi = default
    elif by_position:
        if ncells < 2:
            raise InputError(f"{t.path}: expected at least 2 columns ({x_name}, {y_names[0]}), found {ncells}")
        yi = 1
    else:
        yi = next(j for j, r in enumerate(resolved) if r and r[0] in y_names)
    y_res = resolved[yi] if resolved and yi < len(resolved) and resolved[yi] else None
    if y_res and y_res[0] == x_name:
        raise InputError(f"{t.path}: --column {column} is a {x_name} column, not a value column")
    y_name = y_res[0] if y_res and y_res[0] in y_names else y_names[0]
    y_conv = y_res[1] if y_res and y_res[0] in y_names else 1.0
    # x column: nearest x-named column at or left of the value column, else the first column
    x_cols = [j for j, r in enumerate(resolved) if r and r[0] == x_name]
    direct = [j for j in x_cols if not callable(resolved[j][1])]  # prefer a wavelength over an energy column
    x_cols = direct or x_cols
    left = [j for j in x_cols if j < yi]
    xi = left[-1] if left else (x_cols[0] if x_cols and x_cols[0] != yi else 0)
    raman = None
    if not x_cols and not by_position and x_name == "wavelength_nm":
        xi, raman = _raman_axis(t, header, x_unit)
    if xi == yi:
        raise InputError(f"{t.path}: --column {column} is the {x_name} column itself")
    if x_name == "time_ns" and header and xi < len(header) and _CHANNEL.fullmatch(_parts(header[xi])[0]):
        raise InputError(
            f"{t.path}, line {t.header_line}: column {header[xi]!r} holds channel numbers, not times, and the file "
            "gives no channel width; export the time axis (or a HORIBA 'Time calibration: ... ns/ch' line)"
        )
    x_res = resolved[xi] if resolved and xi < len(resolved) and resolved[xi] else None
    units_inferred = []
    if raman is not None:
        x_conv = raman[1]
        units_inferred.append(f"wavelength_nm: from the Raman shift in column {header[xi]!r} and {raman[0]}")
    elif x_unit is not None:
        if x_res and not x_res[2] and header and x_res[1] != _unit_conv(x_name, x_unit):
            raise InputError(f"{t.path}: --x-unit {x_unit} contradicts the column header {header[xi]!r}")
        x_conv = _unit_conv(x_name, x_unit)
    elif x_res:
        x_conv = x_res[1]
        if x_res[2]:
            units_inferred.append(f"{x_name}: {_ALIASES[x_name][2]} (no unit in the header)")
    else:
        x_conv = _ALIASES[x_name][1][_ALIASES[x_name][2]]
        units_inferred.append(f"{x_name}: {_ALIASES[x_name][2]} (no header)")
    # rows: skip padding rows where both cells are empty (Cary files with samples of different lengths)
    rows = [(n, c) for n, c in t.rows if not ((xi >= len(c) or c[xi] == "") and (yi >= len(c) or c[yi] == ""))]
    if not rows:
        raise InputError(f"{t.path}: no data rows in column {yi + 1}")
    x_raw_vals, x_raw = _cells_to_array(t, rows, xi, x_name)
    y_vals, _ = _cells_to_array(t, rows, yi, y_name)
    data = {x_name: _convert(x_raw_vals, x_conv), y_name: _convert(y_vals, y_conv)}
    if not np.isfinite(data[x_name]).all():
        k = int(np.argmin(np.isfinite(data[x_name])))
        raise InputError(f"{t.path}, line {rows[k][0]}, column '{x_name}': {x_raw[k]!r} cannot be converted")
    for opt in optional:
        j = next((j for j, r in enumerate(resolved) if r and r[0] == opt and j not in (xi, yi)), None)
        if j is not None:
            data[opt] = _convert(_cells_to_array(t, rows, j, opt)[0], resolved[j][1])
    meta = dict(t.meta)
    meta.update(
        path=str(t.path),
        format=t.fmt,
        header=[c for c in (header or []) if c],
        column=(header[yi] if header and yi < len(header) and header[yi] else yi + 1),
        columns_by_position=by_position,
        units_inferred=units_inferred,
        first_data_line=rows[0][0],
        last_data_line=rows[-1][0],
        trailer_lines=t.trailer_lines,
        decimal_comma=t.decimal_comma,
    )
    if t.labels:
        label = t.labels[xi] if xi < len(t.labels) else ""
        if label:
            meta["sample"] = label
    if t.names and yi < len(t.names) and t.names[yi]:
        meta["curve"] = t.names[yi][-1] if t.fmt == "fluoressence" else t.names[yi][0]
        meta["file_column"] = _file_column(t, yi)
    return data, meta, np.array([n for n, _ in rows]), x_raw


def _ascending(p, data: dict, x_name: str, ln: np.ndarray, meta: dict, minimum: int) -> np.ndarray:
    """Sort a strictly monotonic x axis ascending (reverse a descending one); refuse anything else."""
    x = data[x_name]
    if x.size < minimum:
        raise InputError(f"{p}: need at least {minimum} data rows, found {x.size}")
    meta["reversed"] = False
    if x.size > 1 and (np.diff(x) < 0).all():
        for k in data:
            data[k] = data[k][::-1].copy()
        ln = ln[::-1]
        meta["reversed"] = True
        x = data[x_name]
    bad = np.nonzero(np.diff(x) <= 0)[0]
    if bad.size:
        k = bad[0] + 1
        raise InputError(
            f"{p}, line {ln[k]}, column '{x_name}': values must increase strictly ({x[k]:g} follows {x[k - 1]:g})"
        )
    return ln


def _require_nonnegative(p, data: dict, name: str, linenos: np.ndarray, mask=None) -> None:
    x = data[name]
    bad = x < 0 if mask is None else (x < 0) & mask
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(f"{p}, line {linenos[k]}, column '{name}': negative value {x[k]:g} is impossible here")


def _require_signal(p, data: dict, name: str, what: str) -> None:
    y = data[name]
    if not (np.abs(y) > 0).any():
        raise InputError(f"{p}: column '{name}' is zero everywhere; no {what} to analyse")


def read_spectrum(path, *, column=None, x_unit: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read an emission/PL/EL spectrum: ``wavelength_nm`` (returned ascending) and ``intensity``
    (arbitrary units; may be slightly negative after dark subtraction).

    Parameters
    ----------
    path : path-like
        Canonical CSV or an instrument export (see module docstring).
    column : int or str, optional
        Value column: 1-based file column number, header name or sample name (default: the first
        intensity-like column, or the second column of a headerless file).
    x_unit : str, optional
        Unit of the x axis when the file does not say (``nm``, ``um``, ``eV``, ``cm-1``).
    """
    data, meta, ln, _ = _read_xy(path, "wavelength_nm", ("intensity",), column=column, x_unit=x_unit)
    p = Path(path)
    _ascending(p, data, "wavelength_nm", ln, meta, minimum=3)
    _require_nonnegative(p, data, "wavelength_nm", ln)
    _require_signal(p, data, "intensity", "spectrum")
    if data["intensity"].max() <= 0:
        raise InputError(f"{p}: column 'intensity' has no positive value (maximum {data['intensity'].max():g})")
    return data, meta


def read_absorbance(path, *, column=None, x_unit: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read an absorbance spectrum: ``wavelength_nm`` (returned ascending), ``absorbance``.

    A transmittance column (``%T``) is converted, ``A = 2 - log10(%T)``; other arguments as
    :func:`read_spectrum`.
    """
    data, meta, ln, _ = _read_xy(
        path, "wavelength_nm", ("absorbance", "transmittance_percent"), column=column, x_unit=x_unit
    )
    p = Path(path)
    if "transmittance_percent" in data:
        T = data.pop("transmittance_percent")
        if (T <= 0).any():
            k = int(np.argmax(T <= 0))
            raise InputError(f"{p}, line {ln[k]}, column '%T': transmittance {T[k]:g} % has no absorbance")
        data["absorbance"] = 2.0 - np.log10(T)
        meta["converted_from"] = "%T (A = 2 - log10 %T)"
    _ascending(p, data, "wavelength_nm", ln, meta, minimum=5)
    _require_nonnegative(p, data, "wavelength_nm", ln)
    _require_signal(p, data, "absorbance", "absorbance")
    return data, meta


def _uniform_time(p, t: np.ndarray, raw: list[str], ln: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
    """Check a TCSPC time axis is uniform within its printed rounding; return the regular axis and step.

    The tolerance is half the last printed digit (times written with 4 decimals are rounded by up to
    5e-5 of their unit) plus 1e-3 of the step, so rounded exports pass and real gaps do not.
    """
    k = np.arange(t.size)
    dt, t0 = np.polyfit(k, t, 1)
    decimals = [
        len(c.split("e")[0].split("E")[0].replace(",", ".").split(".")[1]) if "." in c or "," in c else 0 for c in raw
    ]
    quantum = 0.5 * 10.0 ** (-max(decimals)) * scale if all("e" not in c.lower() for c in raw) else 0.0
    tol = quantum + 1e-3 * abs(dt)
    resid = np.abs(t - (t0 + dt * k))
    if dt <= 0 or resid.max() > tol:
        j = int(np.argmax(resid > tol)) if dt > 0 else 1
        j = max(j, 1)
        raise InputError(
            f"{p}, line {ln[j]}, column 'time_ns': time step not uniform (TCSPC channels expected; "
            f"{t[j] - t[j - 1]:g} ns here, {dt:g} ns on average)"
        )
    return t[0] + dt * k, float(dt)


def _read_decay(path, value: tuple[str, ...], column, x_unit, optional=()):
    data, meta, ln, raw = _read_xy(path, "time_ns", value, column=column, x_unit=x_unit, optional=optional)
    p = Path(path)
    t = data["time_ns"]
    if t.size < 8:
        raise InputError(f"{p}: need at least 8 data rows, found {t.size}")
    bad = np.nonzero(np.diff(t) <= 0)[0]
    if bad.size:
        k = bad[0] + 1
        raise InputError(
            f"{p}, line {ln[k]}, column 'time_ns': values must increase strictly ({t[k]:g} follows {t[k - 1]:g})"
        )
    scale = t[-1] / float(raw[-1].replace(",", ".")) if float(raw[-1].replace(",", ".")) != 0 else 1.0
    data["time_ns"], dt = _uniform_time(p, t, raw, ln, scale)
    meta["time_step_ns"] = dt
    for name in (*value, *optional):
        if name in data:
            _require_nonnegative(p, data, name, ln)
    return data, meta


def read_trpl(path, *, column=None, x_unit: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read a TCSPC decay: ``time_ns`` (uniform step, regularised within its printed rounding),
    ``counts`` (>= 0) and optionally ``irf`` (a column named IRF/prompt on the same time axis).

    ``column`` picks the decay column (1-based number, header or curve name); ``x_unit`` the time
    unit when the file does not say (default ns).
    """
    data, meta = _read_decay(path, ("counts",), column, x_unit, optional=("irf",))
    _require_signal(Path(path), data, "counts", "decay")
    return data, meta


def read_irf(path, *, column=None, x_unit: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read an instrument response function from its own file: ``time_ns``, ``irf`` (>= 0).

    Any decay layout :func:`read_trpl` reads is accepted; the value column may be named IRF, prompt,
    counts or anything given by ``column``.
    """
    data, meta = _read_decay(path, ("irf", "counts"), column, x_unit)
    if "counts" in data:
        data["irf"] = data.pop("counts")
    _require_signal(Path(path), data, "irf", "instrument response")
    return data, meta


def read_lifetime(path, *, x_unit: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read an operational-lifetime trace: ``time_h`` (strictly increasing), ``luminance_cd_m2`` (>= 0)."""
    data, meta, ln, _ = _read_xy(path, "time_h", ("luminance_cd_m2",), x_unit=x_unit)
    p = Path(path)
    if data["time_h"].size < 3:
        raise InputError(f"{p}: need at least 3 data rows, found {data['time_h'].size}")
    bad = np.nonzero(np.diff(data["time_h"]) <= 0)[0]
    if bad.size:
        k = bad[0] + 1
        raise InputError(f"{p}, line {ln[k]}, column 'time_h': values must increase strictly")
    _require_nonnegative(p, data, "luminance_cd_m2", ln)
    _require_signal(p, data, "luminance_cd_m2", "luminance")
    return data, meta


def _read_named(path, required, one_of=(), optional=(), text_columns=(), current_unit=None):
    """Header-named columns (J-V-L sweeps, batches): every required column must be named in a header."""
    t = parse_table(path, text_columns=len(text_columns))
    wanted = (*required, *one_of, *optional)
    expected = ",".join(required + (("|".join(one_of),) if one_of else ()))
    if not t.header:
        raise InputError(
            f"{t.path}: no header row naming the columns above the data on line {t.rows[0][0]} "
            f"(expected columns: {expected})"
        )
    mapping: dict[str, tuple[int, object]] = {}
    for j, cell in enumerate(t.header):
        r = _resolve(cell, [w for w in wanted if w not in mapping])
        if r is None and current_unit is not None and _parts(cell)[1] == "":
            q = _parts(cell)[0]
            if "current_mA" not in mapping and re.match(_ALIASES["current_mA"][0], q):
                r = ("current_mA", _unit_conv("current_mA", current_unit, "--current-unit"), True)
        if r is not None:
            mapping[r[0]] = (j, r[1])
    missing = [n for n in required if n not in mapping]
    if not missing and one_of and not any(n in mapping for n in one_of):
        missing = [" or ".join(one_of)]
    if missing:
        hint = ""
        if missing[0] == "current_mA" and any(_parts(c)[0] in ("current", "i") for c in t.header):
            hint = "; the current column has no unit: give --current-unit A or mA"
        raise InputError(
            f"{t.path}, line {t.header_line}: missing column '{missing[0]}' in header "
            f"{','.join(c for c in t.header if c)!r} (expected columns: {expected}){hint}"
        )
    data = {}
    for name, (j, conv) in mapping.items():
        if name in text_columns:
            vals = []
            for lineno, cells in t.rows:
                if j >= len(cells) or not cells[j]:
                    raise InputError(f"{t.path}, line {lineno}, column '{name}': empty cell")
                vals.append(cells[j])
            data[name] = np.array(vals, dtype=object)
        else:
            data[name] = _convert(_cells_to_array(t, t.rows, j, name)[0], conv)
    meta = dict(t.meta)
    meta.update(path=str(t.path), format=t.fmt, header=[c for c in t.header if c], preamble=t.preamble)
    return data, meta, np.array([n for n, _ in t.rows])


def read_jvl(path, *, current_unit: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read a J-V-L sweep: ``voltage_V``, ``current_mA`` and one of ``photocurrent_A`` or
    ``luminance_cd_m2``; columns must be named in a header row (any preamble above it).

    A negative device current at a positive voltage is rejected (an LED cannot source current in
    forward bias; it signals a sign convention or wiring error). ``current_unit`` (``A``, ``mA``...)
    gives the unit of a current column whose name carries none.
    """
    data, meta, ln = _read_named(
        path, ("voltage_V", "current_mA"), one_of=("photocurrent_A", "luminance_cd_m2"), current_unit=current_unit
    )
    p = Path(path)
    if data["voltage_V"].size < 2:
        raise InputError(f"{p}: need at least 2 data rows, found {data['voltage_V'].size}")
    _require_nonnegative(p, data, "current_mA", ln, mask=data["voltage_V"] > 0)
    return data, meta


def read_batch(path, column: str = "eqe_percent") -> tuple[dict[str, np.ndarray], dict]:
    """Read a table of devices: ``device`` (text) and a figure column (default ``eqe_percent``,
    which must lie in [0, 100])."""
    data, meta, ln = _read_named(path, ("device", column), text_columns=("device",))
    p = Path(path)
    _require_nonnegative(p, data, column, ln)
    if column == "eqe_percent" and (data[column] > 100).any():
        k = int(np.argmax(data[column] > 100))
        raise InputError(f"{p}, line {ln[k]}, column 'eqe_percent': {data[column][k]:g} exceeds 100 %")
    return data, meta


def read_responsivity(path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a photodiode responsivity curve: ``wavelength_nm`` (ascending), ``responsivity_A_per_W`` (>= 0)."""
    data, meta, ln, _ = _read_xy(path, "wavelength_nm", ("responsivity_A_per_W",))
    ln = _ascending(Path(path), data, "wavelength_nm", ln, meta, minimum=2)
    _require_nonnegative(Path(path), data, "responsivity_A_per_W", ln)
    return data, meta


def read_image(path) -> tuple[np.ndarray, dict]:
    """Read a TEM image (PNG/TIFF/JPEG/...) with scikit-image as a 2-D float array in [0, 1]."""
    from skimage import io as skio
    from skimage.color import rgb2gray, rgba2rgb
    from skimage.util import img_as_float

    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected an image file")
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.stat().st_size == 0:
        raise InputError(f"{p}: empty file")
    try:
        with warnings.catch_warnings():  # imageio plugin chatter while probing formats
            warnings.simplefilter("ignore")
            img = np.asarray(skio.imread(str(p)))
    except Exception:  # noqa: BLE001 - any decoder failure is bad input; its multi-line advice is not shown
        raise InputError(f"{p}: cannot read image (not a PNG, TIFF, JPEG or other format scikit-image reads)") from None
    if img.dtype == object or img.ndim < 2:
        raise InputError(f"{p}: cannot read image (no pixel array in the file)")
    if img.ndim == 3 and img.shape[-1] == 4:
        img = rgba2rgb(img)
    if img.ndim == 3 and img.shape[-1] == 3:
        img = rgb2gray(img)
    if img.ndim != 2 or min(img.shape) < 8:
        raise InputError(f"{p}: expected a 2-D greyscale image of at least 8x8 pixels, got shape {img.shape}")
    img = img_as_float(img).astype(float)
    if not np.isfinite(img).all():
        raise InputError(f"{p}: image contains non-finite pixels")
    return img, {"path": str(p), "format": p.suffix.lstrip(".").lower(), "shape": img.shape}
