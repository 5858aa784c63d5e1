"""Reader for angle-resolved measurement files (orientation and emission-zone fits).

Two layouts, detected from the content:

* **long CSV** -- a header row naming the columns ``angle_deg``, ``intensity`` and optionally
  ``wavelength_nm`` and ``polarisation`` (``p``/``s``; for EL also ``sum``), then one row per point;
* **wide matrix** (as goniometer spectrometers write it) -- the first row holds the wavelengths [nm] (its first
  cell is a label or empty), every following row an angle [deg] then the intensities at those wavelengths.

Comma, tab or semicolon separated; ``#`` starts a comment line. Errors name the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qdled.errors import InputError

_COLUMNS = ("angle_deg", "wavelength_nm", "intensity", "polarisation")


def _cells(line: str) -> list[str]:
    for d in ("\t", ",", ";"):
        if d in line:
            return [c.strip().strip('"') for c in line.split(d)]
    return line.split()


def _number(p: Path, lineno: int, cell: str, what: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise InputError(f"{p}, line {lineno}: {what} {cell!r} is not a number") from None
    if not np.isfinite(v):
        raise InputError(f"{p}, line {lineno}: {what} {cell!r} is not finite")
    return v


def read_angle_resolved(path) -> dict:
    """Read a long or wide angle-resolved file.

    Returns
    -------
    dict with ``angle_deg``, ``intensity``, ``wavelength_nm`` (None if the file has no wavelengths),
    ``polarisation`` (None if absent) as 1-D arrays of one row per point, and ``layout`` ("long"/"wide").
    """
    from qdled.io.text import read_text

    p = Path(path)
    text = read_text(p)
    rows = [
        (i + 1, _cells(line))
        for i, line in enumerate(text.splitlines())
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(rows) < 2:
        raise InputError(f"{p}: needs a header row and at least one data row")
    head_no, head = rows[0]
    names = [h.lower() for h in head]
    if "angle_deg" in names and "intensity" in names:
        out = _long(p, names, rows[1:])
    else:
        out = _wide(p, head_no, head, rows[1:])
    ang = out["angle_deg"]
    if np.any((ang < 0) | (ang >= 90)):
        k = int(np.argmax((ang < 0) | (ang >= 90)))
        raise InputError(f"{p}: angle_deg must be in [0, 90), found {ang[k]:g}")
    if out["wavelength_nm"] is not None and np.any(out["wavelength_nm"] <= 0):
        raise InputError(f"{p}: wavelength_nm must be > 0")
    return out


def _long(p: Path, names: list[str], rows) -> dict:
    unknown = [n for n in names if n not in _COLUMNS]
    if unknown:
        raise InputError(f"{p}: unknown column(s) {unknown}; expected {', '.join(_COLUMNS)}")
    col = {n: i for i, n in enumerate(names)}
    data = {n: [] for n in names}
    for lineno, cells in rows:
        if len(cells) != len(names):
            raise InputError(f"{p}, line {lineno}: expected {len(names)} values, found {len(cells)}")
        for n in names:
            cell = cells[col[n]]
            if n == "polarisation":
                v = cell.lower()
                if v not in ("p", "s", "sum"):
                    raise InputError(f"{p}, line {lineno}: polarisation must be p, s or sum, got {cell!r}")
                data[n].append(v)
            else:
                data[n].append(_number(p, lineno, cell, n))
    return {
        "angle_deg": np.array(data["angle_deg"]),
        "intensity": np.array(data["intensity"]),
        "wavelength_nm": np.array(data["wavelength_nm"]) if "wavelength_nm" in data else None,
        "polarisation": np.array(data["polarisation"]) if "polarisation" in data else None,
        "layout": "long",
    }


def _wide(p: Path, head_no: int, head: list[str], rows) -> dict:
    if len(head) < 2:
        raise InputError(
            f"{p}, line {head_no}: header must name angle_deg,intensity (long CSV) or list wavelengths (wide matrix)"
        )
    wl = np.array([_number(p, head_no, c, "wavelength") for c in head[1:]])
    angles, values = [], []
    for lineno, cells in rows:
        if len(cells) != len(head):
            raise InputError(f"{p}, line {lineno}: expected {len(head)} values (angle + {len(wl)}), found {len(cells)}")
        angles.append(_number(p, lineno, cells[0], "angle"))
        values.append([_number(p, lineno, c, "intensity") for c in cells[1:]])
    a = np.array(angles)
    v = np.array(values)  # (n_angle, n_wl)
    return {
        "angle_deg": np.repeat(a, wl.size),
        "wavelength_nm": np.tile(wl, a.size),
        "intensity": v.ravel(),
        "polarisation": None,
        "layout": "wide",
    }


def write_long_csv(path, angle_deg, intensity, wavelength_nm=None, polarisation=None, *, force: bool = False):
    """Write rows in the long layout atomically (refusing to overwrite without ``force``)."""
    from qdled.io.atomic import write_text_atomic

    cols = ["angle_deg"] + (["wavelength_nm"] if wavelength_nm is not None else []) + ["intensity"]
    cols += ["polarisation"] if polarisation is not None else []
    lines = [",".join(cols)]
    for i in range(len(angle_deg)):
        row = [f"{angle_deg[i]:g}"] + ([f"{wavelength_nm[i]:g}"] if wavelength_nm is not None else [])
        row += [f"{intensity[i]:.8g}"] + ([str(polarisation[i])] if polarisation is not None else [])
        lines.append(",".join(row))
    return write_text_atomic(path, "\n".join(lines) + "\n", force=force)


__all__ = ["read_angle_resolved", "write_long_csv"]
