"""Readers for a lab's measurement files: spectra, J-V-L sweeps, TRPL decays, absorbance,
lifetime traces, device batches and TEM images.

Every reader returns ``(data, metadata)``: ``data`` is a dict of named NumPy columns whose
names carry their unit (``wavelength_nm``, ``current_mA`` ...), ``metadata`` a dict of what
the file said about itself (format, header lines, instrument settings). Malformed input
raises :class:`qdled.errors.InputError` with one line naming file, line and column.

Supported layouts (detected from the content, not the file name):

* **canonical CSV** -- first non-comment line (``#`` comments allowed) is a header naming
  each column with its unit, e.g. ``wavelength_nm,intensity``; comma, tab or semicolon
  separated (with semicolons, decimal commas are accepted).
* **Ocean Optics OceanView / SpectraSuite text** -- ``key: value`` header lines, then
  ``>>>>>Begin Spectral Data<<<<<`` and tab-separated ``wavelength<TAB>intensity`` rows
  (decimal commas accepted); an optional ``>>>>>End Spectral Data<<<<<`` ends the data.
* **Keithley 2400 sweep export** -- the variant written by Keithley's KickStart/LabTracer
  style I-V exports and most home-made SCPI scripts: any number of preamble lines
  (instrument, date, settings), then a header row whose cells name quantities with units in
  parentheses, e.g. ``Voltage (V),Current (A)`` plus optionally ``Photocurrent (A)`` or
  ``Luminance (cd/m2)``; units A, mA, uA/µA, nA and V, mV are converted, other columns
  (``Time (s)``, ``Resistance (Ohm)``, ``Status``) are ignored. The raw ``:READ?`` 5-value
  format without a header is not supported.
* **LabVIEW measurement file (.lvm)** -- header block(s) closed by ``***End_of_Header***``,
  then a channel-name row (``X_Value<TAB>...<TAB>Comment``) and tab-separated data; the
  ``Decimal_Separator`` header entry is honoured. Channels are matched by name (same rules
  as above); if the names do not say what they are, the first numeric columns are taken in
  the order the reader expects and ``metadata["columns_by_position"]`` is True.

The header-row search, unit conversion and error reporting are written here (rather than
with ``numpy.genfromtxt``/``pandas``) because the errors must name the offending line and
column, and instrument exports mix preambles, decimal commas and units in column names.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Iterable

import numpy as np

from qdled.errors import InputError

__all__ = [
    "read_spectrum",
    "read_jvl",
    "read_trpl",
    "read_absorbance",
    "read_lifetime",
    "read_batch",
    "read_responsivity",
    "read_image",
]

_OCEAN_BEGIN = ">>>>>begin"
_OCEAN_END = ">>>>>end"
_LVM_END = "***end_of_header***"
_HEADER_SEARCH_LINES = 60

# unit (lower case, as written inside parentheses / after "_") -> factor to the canonical unit
_CURRENT_TO_MA = {"a": 1e3, "ma": 1.0, "ua": 1e-3, "µa": 1e-3, "μa": 1e-3, "na": 1e-6}
_CURRENT_TO_A = {k: v * 1e-3 for k, v in _CURRENT_TO_MA.items()}
_VOLTAGE_TO_V = {"v": 1.0, "mv": 1e-3}
_TIME_TO_NS = {"s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "μs": 1e3, "ns": 1.0, "ps": 1e-3}
_TIME_TO_H = {"h": 1.0, "hr": 1.0, "min": 1 / 60, "s": 1 / 3600}
_LUMINANCE = {"cd/m2": 1.0, "cd/m^2": 1.0, "cd m-2": 1.0, "cd/m²": 1.0, "nit": 1.0, "nits": 1.0}
_NM = {"nm": 1.0, "um": 1e3, "µm": 1e3}

# canonical name -> (regex on the lower-cased quantity part, unit table or None for unitless)
_ALIASES: dict[str, tuple[str, dict | None]] = {
    "wavelength_nm": (r"^(wavelength|wave length|lambda|wl)$", _NM),
    "intensity": (r"^(intensity|counts|signal|el|pl|value|y)$", None),
    "voltage_V": (r"^(voltage|bias|v|smu-?\d voltage|source voltage)$", _VOLTAGE_TO_V),
    "current_mA": (r"^(current|i|smu-?\d current|measured current|device current)$", _CURRENT_TO_MA),
    "photocurrent_A": (r"^(photo ?current|photodiode current|pd current|detector current)$", _CURRENT_TO_A),
    "luminance_cd_m2": (r"^(luminance|brightness|l)$", _LUMINANCE),
    "time_ns": (r"^(time|t|delay)$", _TIME_TO_NS),
    "counts": (r"^(counts|decay|signal|intensity)$", None),
    "irf": (r"^(irf|prompt|instrument response)$", None),
    "absorbance": (r"^(absorbance|abs|a|od|optical density)$", None),
    "time_h": (r"^(time|t|elapsed time)$", _TIME_TO_H),
    "responsivity_A_per_W": (r"^(responsivity|r)$", {"a/w": 1.0, "ma/w": 1e-3}),
    "device": (r"^(device|id|name|sample)$", None),
    "eqe_percent": (r"^(eqe|peak eqe|max eqe)$", {"%": 1.0, "percent": 1.0}),
}
_UNIT_RE = re.compile(r"^\s*(?P<q>[^(\[]*?)\s*[(\[]\s*(?P<u>[^)\]]*?)\s*[)\]]\s*$")


def _resolve(cell: str, wanted: Iterable[str]) -> tuple[str, float] | None:
    """Map a header cell to (canonical name, factor to canonical unit), or None."""
    raw = cell.strip().strip('"').strip()
    for name in wanted:  # exact canonical name first
        if raw.lower() == name.lower():
            return name, 1.0
    m = _UNIT_RE.match(raw)
    if m:
        quantity, unit = m.group("q").lower(), m.group("u").lower().replace(" ", "")
    else:  # "current_mA" style or a bare quantity
        parts = raw.rsplit("_", 1)
        quantity, unit = (parts[0].lower(), parts[1].lower()) if len(parts) == 2 else (raw.lower(), "")
    for name in wanted:
        pattern, units = _ALIASES.get(name, (None, None))
        if pattern is None or not re.match(pattern, quantity):
            continue
        if units is None:
            return name, 1.0
        if unit in units:
            return name, units[unit]
        if name == "luminance_cd_m2" and unit.replace(" ", "") in ("cdm-2", "cd/m2"):
            return name, 1.0
    return None


def _read_lines(path: str | Path) -> tuple[Path, list[str]]:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a file")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(f"{p}: empty file")
    return p, lines


def _split(line: str, delimiter: str | None) -> list[str]:
    return line.split(delimiter) if delimiter else line.split()


def _guess_delimiter(line: str) -> str | None:
    for d in ("\t", ",", ";"):
        if d in line:
            return d
    return None


def _parse_rows(
    p: Path,
    rows: list[tuple[int, str]],
    columns: dict[str, tuple[int, float]],
    delimiter: str | None,
    decimal_comma: bool,
    text_columns: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], list[int]]:
    """Parse data rows into arrays; every bad cell raises naming line and column."""
    if not rows:
        raise InputError(f"{p}: no data rows")
    ncol = max(i for i, _ in columns.values()) + 1
    out: dict[str, list] = {name: [] for name in columns}
    for lineno, line in rows:
        cells = _split(line, delimiter)
        if len(cells) < ncol:
            raise InputError(f"{p}, line {lineno}: expected at least {ncol} columns, found {len(cells)}")
        for name, (idx, factor) in columns.items():
            cell = cells[idx].strip().strip('"')
            if name in text_columns:
                if not cell:
                    raise InputError(f"{p}, line {lineno}, column '{name}': empty cell")
                out[name].append(cell)
                continue
            txt = cell.replace(",", ".") if decimal_comma else cell
            try:
                value = float(txt)
            except ValueError:
                raise InputError(f"{p}, line {lineno}, column '{name}': non-numeric value {cell!r}") from None
            if not np.isfinite(value):
                raise InputError(f"{p}, line {lineno}, column '{name}': value {cell!r} is not finite")
            out[name].append(value * factor)
    return {k: (np.array(v, dtype=object if k in text_columns else float)) for k, v in out.items()}, [
        n for n, _ in rows
    ]


def _is_data_line(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _read_table(
    path: str | Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    one_of: tuple[str, ...] = (),
    text_columns: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], dict, np.ndarray]:
    """Read any supported layout; return (columns, metadata, source line numbers)."""
    p, lines = _read_lines(path)
    lower = [line.strip().lower() for line in lines]
    wanted = required + one_of + optional
    if any(s.startswith(_OCEAN_BEGIN) for s in lower):
        return _read_ocean(p, lines, lower, required)
    if any(s == _LVM_END or s.startswith(_LVM_END) for s in lower):
        return _read_lvm(p, lines, lower, required, one_of, optional)

    # CSV (canonical or instrument export with preamble): find the header row
    candidates = [(i, line) for i, line in enumerate(lines) if _is_data_line(line)]
    first_idx, first_line = candidates[0]
    header_idx, mapping, delimiter = None, None, None
    for i, line in candidates[:_HEADER_SEARCH_LINES]:
        d = _guess_delimiter(line)
        found: dict[str, tuple[int, float]] = {}
        for j, cell in enumerate(_split(line, d)):
            r = _resolve(cell, [w for w in wanted if w not in found])
            if r is not None:
                found[r[0]] = (j, r[1])
        if all(n in found for n in required) and (not one_of or any(n in found for n in one_of)):
            header_idx, mapping, delimiter = i, found, d
            break
    if header_idx is None:
        d = _guess_delimiter(first_line)
        cells = [c.strip() for c in _split(first_line, d)]
        have = {r[0] for c in cells if (r := _resolve(c, wanted))}
        missing = [n for n in required if n not in have]
        if not missing and one_of:
            missing = [" or ".join(one_of)]
        raise InputError(
            f"{p}, line {first_idx + 1}: missing column '{missing[0]}' in header {','.join(cells)!r}"
            f" (expected columns: {','.join(required + (('|'.join(one_of),) if one_of else ()))})"
        )
    header_cells = [c.strip() for c in _split(lines[header_idx], delimiter)]
    rows = [(i + 1, line) for i, line in enumerate(lines) if i > header_idx and _is_data_line(line)]
    # semicolon-separated CSV is the decimal-comma convention (e.g. "600,5;1,25")
    data, linenos = _parse_rows(p, rows, mapping, delimiter, decimal_comma=delimiter == ";", text_columns=text_columns)
    preamble = [line for line in lines[:header_idx] if line.strip()]
    fmt = "csv" if header_idx == first_idx else "csv-with-preamble"
    meta = {"path": str(p), "format": fmt, "header": header_cells, "preamble": preamble}
    meta.update(_key_values(preamble))
    return data, meta, np.array(linenos)


def _key_values(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        s = line.strip().lstrip("#").strip()
        for sep in (":", "\t", ","):
            if sep in s:
                k, v = s.split(sep, 1)
                k, v = k.strip(), v.strip()
                v = v.strip(",").strip() or v  # trailing CSV commas, but keep a lone "," value
                if k and v and len(k) < 60 and k not in ("path", "format", "header", "preamble"):
                    out.setdefault(k, v)
                break
    return out


def _read_ocean(p: Path, lines: list[str], lower: list[str], required: tuple[str, ...]):
    begin = next(i for i, s in enumerate(lower) if s.startswith(_OCEAN_BEGIN))
    end = next((i for i, s in enumerate(lower) if i > begin and s.startswith(_OCEAN_END)), len(lines))
    rows = [(i + 1, lines[i]) for i in range(begin + 1, end) if lines[i].strip()]
    if not rows:
        raise InputError(f"{p}, line {begin + 1}: no spectral data after '>>>>>Begin Spectral Data<<<<<'")
    delimiter = "\t" if "\t" in rows[0][1] else None
    decimal_comma = delimiter is not None and "," in rows[0][1] and "." not in rows[0][1]
    columns = {name: (k, 1.0) for k, name in enumerate(required)}
    data, linenos = _parse_rows(p, rows, columns, delimiter, decimal_comma)
    meta = {"path": str(p), "format": "oceanview", "decimal_comma": decimal_comma}
    meta.update(_key_values(lines[:begin]))
    return data, meta, np.array(linenos)


def _read_lvm(p, lines, lower, required, one_of, optional):
    last = max(i for i, s in enumerate(lower) if s.startswith(_LVM_END))
    header_kv = _key_values([line for line in lines[:last] if _LVM_END not in line.lower()])
    decimal_comma = header_kv.get("Decimal_Separator", ".") == ","
    body = [(i, line) for i, line in enumerate(lines) if i > last and line.strip()]
    if not body:
        raise InputError(f"{p}, line {last + 1}: no data after '***End_of_Header***'")
    names_idx, names_line = body[0]
    cells = names_line.split("\t")
    first_is_names = any(c.strip() and not _looks_numeric(c, decimal_comma) for c in cells)
    rows = [(i + 1, line) for i, line in body[1:]] if first_is_names else [(i + 1, line) for i, line in body]
    if not rows:
        raise InputError(f"{p}: no data rows")
    wanted = required + one_of + optional
    mapping: dict[str, tuple[int, float]] = {}
    if first_is_names:
        for j, c in enumerate(cells):
            r = _resolve(c, [w for w in wanted if w not in mapping])
            if r is not None:
                mapping[r[0]] = (j, r[1])
    by_position = not (all(n in mapping for n in required) and (not one_of or any(n in mapping for n in one_of)))
    if by_position:
        sample = rows[0][1].split("\t")
        numeric = [j for j, c in enumerate(sample) if c.strip() and _looks_numeric(c, decimal_comma)]
        order = required + (one_of[:1] if one_of else ())
        if len(numeric) < len(order):
            raise InputError(
                f"{p}, line {rows[0][0]}: expected {len(order)} numeric columns "
                f"({','.join(order)}), found {len(numeric)}"
            )
        mapping = {name: (numeric[k], 1.0) for k, name in enumerate(order)}
    data, linenos = _parse_rows(p, rows, mapping, "\t", decimal_comma)
    meta = {"path": str(p), "format": "lvm", "columns_by_position": by_position, "decimal_comma": decimal_comma}
    meta.update(header_kv)
    return data, meta, np.array(linenos)


def _looks_numeric(cell: str, decimal_comma: bool) -> bool:
    s = cell.strip().replace(",", ".") if decimal_comma else cell.strip()
    try:
        float(s)
    except ValueError:
        return False
    return True


def _require_increasing(p: Path, data: dict, name: str, linenos: np.ndarray, minimum: int = 2) -> None:
    x = data[name]
    if x.size < minimum:
        raise InputError(f"{p}: need at least {minimum} data rows, found {x.size}")
    bad = np.nonzero(np.diff(x) <= 0)[0]
    if bad.size:
        k = bad[0] + 1
        raise InputError(
            f"{p}, line {linenos[k]}, column '{name}': values must increase strictly ({x[k]:g} follows {x[k - 1]:g})"
        )


def _require_nonnegative(p: Path, data: dict, name: str, linenos: np.ndarray, mask=None) -> None:
    x = data[name]
    bad = x < 0 if mask is None else (x < 0) & mask
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(f"{p}, line {linenos[k]}, column '{name}': negative value {x[k]:g} is impossible here")


def read_spectrum(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read an emission/PL/EL spectrum: columns ``wavelength_nm`` (strictly increasing) and
    ``intensity`` (arbitrary units, may be slightly negative after dark subtraction).

    Accepts canonical CSV, OceanView/SpectraSuite text and LabVIEW .lvm (see module docstring).
    """
    data, meta, ln = _read_table(path, ("wavelength_nm", "intensity"))
    p = Path(path)
    _require_increasing(p, data, "wavelength_nm", ln, minimum=3)
    _require_nonnegative(p, data, "wavelength_nm", ln)
    return data, meta


def read_jvl(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a J-V-L sweep: ``voltage_V``, ``current_mA`` and one of ``photocurrent_A`` or
    ``luminance_cd_m2``.

    A negative device current at a positive voltage is rejected (an LED cannot source
    current in forward bias; it signals a sign convention or wiring error).
    """
    data, meta, ln = _read_table(path, ("voltage_V", "current_mA"), one_of=("photocurrent_A", "luminance_cd_m2"))
    p = Path(path)
    if data["voltage_V"].size < 2:
        raise InputError(f"{p}: need at least 2 data rows, found {data['voltage_V'].size}")
    _require_nonnegative(p, data, "current_mA", ln, mask=data["voltage_V"] > 0)
    return data, meta


def read_trpl(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a TCSPC decay: ``time_ns`` (strictly increasing, uniform step), ``counts`` (>= 0)
    and optionally ``irf`` (>= 0, same time axis)."""
    data, meta, ln = _read_table(path, ("time_ns", "counts"), optional=("irf",))
    p = Path(path)
    _require_increasing(p, data, "time_ns", ln, minimum=8)
    step = np.diff(data["time_ns"])
    bad = np.nonzero(np.abs(step - np.median(step)) > 1e-3 * np.median(step))[0]
    if bad.size:
        raise InputError(
            f"{p}, line {ln[bad[0] + 1]}, column 'time_ns': time step not uniform (TCSPC channels expected)"
        )
    _require_nonnegative(p, data, "counts", ln)
    if "irf" in data:
        _require_nonnegative(p, data, "irf", ln)
    return data, meta


def read_absorbance(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read an absorbance spectrum: ``wavelength_nm`` (strictly increasing), ``absorbance``."""
    data, meta, ln = _read_table(path, ("wavelength_nm", "absorbance"))
    _require_increasing(Path(path), data, "wavelength_nm", ln, minimum=5)
    _require_nonnegative(Path(path), data, "wavelength_nm", ln)
    return data, meta


def read_lifetime(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read an operational-lifetime trace: ``time_h`` (strictly increasing), ``luminance_cd_m2`` (>= 0)."""
    data, meta, ln = _read_table(path, ("time_h", "luminance_cd_m2"))
    _require_increasing(Path(path), data, "time_h", ln, minimum=3)
    _require_nonnegative(Path(path), data, "luminance_cd_m2", ln)
    return data, meta


def read_batch(path: str | Path, column: str = "eqe_percent") -> tuple[dict[str, np.ndarray], dict]:
    """Read a table of devices: ``device`` (text) and a figure column (default ``eqe_percent``,
    which must lie in [0, 100])."""
    data, meta, ln = _read_table(path, ("device", column), text_columns=("device",))
    p = Path(path)
    _require_nonnegative(p, data, column, ln)
    if column == "eqe_percent" and (data[column] > 100).any():
        k = int(np.argmax(data[column] > 100))
        raise InputError(f"{p}, line {ln[k]}, column 'eqe_percent': {data[column][k]:g} exceeds 100 %")
    return data, meta


def read_responsivity(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a photodiode responsivity curve: ``wavelength_nm`` (increasing), ``responsivity_A_per_W`` (>= 0)."""
    data, meta, ln = _read_table(path, ("wavelength_nm", "responsivity_A_per_W"))
    _require_increasing(Path(path), data, "wavelength_nm", ln)
    _require_nonnegative(Path(path), data, "responsivity_A_per_W", ln)
    return data, meta


def read_image(path: str | Path) -> tuple[np.ndarray, dict]:
    """Read a TEM image (PNG/TIFF/...) with scikit-image as a 2-D float array in [0, 1]."""
    from skimage import io as skio
    from skimage.color import rgb2gray, rgba2rgb
    from skimage.util import img_as_float

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    try:
        with warnings.catch_warnings():  # imageio plugin deprecation chatter while probing formats
            warnings.simplefilter("ignore", DeprecationWarning)
            img = skio.imread(str(p))
    except Exception as exc:  # noqa: BLE001 - any decoder failure is bad input
        raise InputError(f"{p}: cannot read image ({exc.__class__.__name__}: {exc})") from None
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
