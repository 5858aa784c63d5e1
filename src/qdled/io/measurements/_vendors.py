"""Instrument exports whose layout a generic table reader gets wrong, recognised by their content.

Each parser returns a :class:`~qdled.io.measurements._table.Table` whose header names the columns by
quantity and unit (``time (ns)``, ``wavelength (nm)``, ``counts``, ``intensity``), with the vendor's curve
names kept in ``Table.names`` so that ``--column`` can pick a curve by the name the instrument gave it.

* **HORIBA TCSPC channel export** (``Item name: Decay``, ``Time calibration: 2.743484E-02ns/ch``, then a
  ``Chan  Data`` table). The first column is a channel number, not a time: time = channel x calibration
  (channel 1 at one calibration step, as LifeFit's time/intensity export of the same decay has it).
  A ``Chan`` table without a time calibration is refused rather than read as nanoseconds.
* **Edinburgh Instruments** F980 (FLS980) and Fluoracle ASCII exports (tab or comma): a key/value block
  (``Labels``, ``Type``, ``Start``, ``Stop``, ``Step``, ``XAxis``/``Xaxis``, ``YAxis``/``Yaxis``, settings),
  one value per curve, a blank line, then ``x, curve 1, curve 2 ...`` rows without a header. The axes are
  named by ``XAxis``/``YAxis``; a bare ``Wavelength`` is in nm (Fluoracle scans in nm); curves are named
  by ``Labels``.
* **HORIBA FluorEssence** text exports: three header rows (short names such as ``A``/``S1cR1c``, long
  names such as ``Wavelength``/``S1c / R1c``, units such as ``nm``/``CPS / MicroAmps``), optionally
  labelled in a first column (``Short Name``, ``Long Name``, ``Units``, ``SourceName``, ``CycleNumber``,
  ``TimeStamp``) with a row index before the data. Columns come as (wavelength, signal) pairs or as one
  wavelength column and several signals. The default signal is the corrected ratio ``S1c / R1c`` (then
  ``S1 / R1``, ``S1c``, ``S1``); the reference detector ``R1`` (a current) is not an emission signal.

References
----------
Format descriptions are taken from the exports themselves (real files in ``tests/fixtures/analysis/real``,
see ``PROVENANCE.md`` there) and from the readers of two open projects that read them: LifeFit
(F. D. Steffen et al., Phys. Chem. Chem. Phys. 18, 29045 (2016); ``read_decay``, "Horiba" format) and
RAFT by E. V. Péan (``EdinstFile``, ``FluorEssenceFile``); no code is shared with either.
"""

from __future__ import annotations

import re
from pathlib import Path

from qdled.errors import InputError
from qdled.io.measurements._table import Table, _find_block, is_number

__all__ = ["vendor_table"]

_TIME_TO_NS = {"ps": 1e-3, "ns": 1.0, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9}
_CALIBRATION = re.compile(
    r"^\s*time\s+calibration\s*:\s*(?P<v>[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*(?P<u>[pnuµμm]?s)\s*/\s*ch",
    re.IGNORECASE,
)
_EDINST_KEYS = {"labels", "type", "start", "stop", "step", "xaxis", "yaxis"}
_FLUORESSENCE_ROWS = ("short name", "long name", "units", "sourcename", "cyclenumber", "timestamp")
# default FluorEssence signal, best first: corrected emission over corrected reference, then raw
_FLUORESSENCE_PREFERENCE = ("s1c/r1c", "s1/r1", "s1c", "s1")


def vendor_table(p: Path, lines: list[str]) -> Table | None:
    """The table of a recognised vendor export, or None (then the generic reader applies)."""
    for parser in (_horiba_tcspc, _edinburgh, _fluoressence):
        t = parser(p, lines)
        if t is not None:
            return t
    return None


def _cells(line: str) -> list[str]:
    return line.split()


def _horiba_tcspc(p: Path, lines: list[str]) -> Table | None:
    head = next((i for i, s in enumerate(lines) if (_cells(s)[:1] or [""])[0].lower() == "chan"), None)
    if head is None:
        return None
    names = _cells(lines[head])
    if len(names) < 2 or not all(re.fullmatch(r"[A-Za-z][\w .-]*", n) for n in names):
        return None
    cal = [(i, _CALIBRATION.match(s)) for i, s in enumerate(lines[:head])]
    cal = [(i, m) for i, m in cal if m]
    if not cal:
        raise InputError(
            f"{p}, line {head + 1}: a '{lines[head].strip()}' channel table without a 'Time calibration: ... ns/ch' "
            "line above it; the channel width is unknown (add it, or export time instead of channel numbers)"
        )
    k, m = cal[-1]
    step_ns = float(m.group("v")) * _TIME_TO_NS[m.group("u").lower().replace("μ", "µ")]
    if not step_ns > 0:
        raise InputError(f"{p}, line {k + 1}: time calibration {m.group('v')} {m.group('u')}/ch must be positive")
    rows = []
    prev = None
    for i in range(head + 1, len(lines)):
        s = lines[i].strip()
        if not s:
            if rows:
                break
            continue
        cells = _cells(s)
        if not is_number(cells[0], False) or not re.fullmatch(r"[+-]?\d+", cells[0]):
            raise InputError(f"{p}, line {i + 1}, column 'Chan': channel number expected, found {cells[0]!r}")
        chan = int(cells[0])
        if prev is not None and chan != prev + 1:
            raise InputError(
                f"{p}, line {i + 1}, column 'Chan': channel {chan} follows {prev} (channels must be consecutive)"
            )
        prev = chan
        rows.append((i + 1, [repr(chan * step_ns), *cells[1:]]))
    if not rows:
        raise InputError(f"{p}, line {head + 1}: no data rows after '{lines[head].strip()}'")
    meta = _key_values(lines[:head], ":")
    meta.update(ns_per_channel=step_ns, time_from=f"channel x {step_ns:g} ns (Time calibration, line {k + 1})")
    header = ["time (ns)", "counts"] + [f"{n}" for n in names[2:]]
    return Table(
        path=p,
        fmt="horiba-tcspc",
        rows=rows,
        header=header,
        header_line=head + 1,
        names=[(), *[(n,) for n in names[1:]]],
        meta=meta,
    )


def _key_values(lines: list[str], sep: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        if sep in line:
            k, v = line.split(sep, 1)
            if k.strip() and v.strip():
                out.setdefault(k.strip(), v.strip())
    return out


def _edinburgh(p: Path, lines: list[str]) -> Table | None:
    first = next((i for i, s in enumerate(lines[:40]) if re.match(r"^labels[\t,]", s.strip("\ufeff"), re.I)), None)
    if first is None:
        return None
    delim = "\t" if "\t" in lines[first] else ","
    block: dict[str, list[str]] = {}
    i = first
    while i < len(lines) and lines[i].strip():
        cells = [c.strip() for c in lines[i].rstrip("\r\n").split(delim)]
        if is_number(cells[0], delim != ","):
            break
        block.setdefault(cells[0].lower(), cells[1:])
        i += 1
    if not {"labels", "xaxis", "yaxis"} <= set(block) or len(set(block) & _EDINST_KEYS) < 5:
        return None
    while i < len(lines) and not lines[i].strip():
        i += 1
    rows = []
    for j in range(i, len(lines)):
        s = lines[j].rstrip("\r\n")
        if not s.strip():
            if rows:
                break
            continue
        cells = [c.strip() for c in s.split(delim)]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells or not is_number(cells[0], delim != ","):
            break
        rows.append((j + 1, cells))
    if not rows:
        raise InputError(f"{p}, line {i + 1}: no data rows after the Edinburgh Instruments header block")
    ncurves = max(len(c) for _, c in rows) - 1
    labels = list(block["labels"])[:ncurves]
    labels += [""] * (ncurves - len(labels))
    x = block["xaxis"][0] if block["xaxis"] else ""
    y = block["yaxis"][0] if block["yaxis"] else ""
    header = [x or "x", *([y or "value"] * ncurves)]
    meta = {_EDINST_CASE.get(k, k): (v[0] if v else "") for k, v in block.items()}
    meta["curves"] = labels
    if first > 0 and lines[first - 1].strip() == "" and any(s.strip() for s in lines[:first]):
        meta["title"] = next(s.strip() for s in lines[:first] if s.strip())
    return Table(
        path=p,
        fmt="edinburgh",
        rows=rows,
        header=header,
        header_line=first + 1,
        delimiter=delim,
        decimal_comma=False,
        names=[(), *[(lab,) if lab else () for lab in labels]],
        preamble=[s for s in lines[:i] if s.strip()],
        meta=meta,
    )


_EDINST_CASE = {k: k.capitalize() for k in _EDINST_KEYS} | {"xaxis": "XAxis", "yaxis": "YAxis"}


def _fluoressence(p: Path, lines: list[str]) -> Table | None:
    if not any("\t" in s for s in lines[:10]):
        return None
    found = _find_block(lines, 0)
    if found is None:
        return None
    start, end, delim = found
    if delim != "\t":
        return None
    above = []
    k = start - 1
    while k >= 0 and lines[k].strip() and len(above) < 8:
        above.insert(0, (k, [c.strip() for c in lines[k].rstrip("\r\n").split("\t")]))
        k -= 1
    labelled = {cells[0].lower(): cells[1:] for _, cells in above if cells and cells[0].lower() in _FLUORESSENCE_ROWS}
    if "units" in labelled and "long name" in labelled:
        rows_by_label, offset = labelled, 1
        header_line = next(i for i, c in above if c[0].lower() == "units") + 1
    elif len(above) == 3 and len({len(c) for _, c in above}) == 1 and all(" " not in c for c in above[0][1]):
        # short names (single tokens: A, S1cR1c), long names, units -- all with one cell per column
        rows_by_label = {"short name": above[0][1], "long name": above[1][1], "units": above[2][1]}
        offset, header_line = 0, above[-1][0] + 1
    else:
        return None
    units, long = rows_by_label["units"], rows_by_label["long name"]
    x_cols = [j for j, (n, u) in enumerate(zip(long, units, strict=False)) if n.lower().startswith("wavelength") and u]
    if not x_cols or x_cols[0] != 0:
        return None
    rows = []
    for i in range(start, end + 1):
        s = lines[i].strip()
        if not s:
            continue
        cells = [c.strip() for c in lines[i].rstrip("\r\n").split("\t")][offset:]
        rows.append((i + 1, cells))
    ncols = max(len(c) for _, c in rows)
    header, names, sources = [], [], []
    short = rows_by_label.get("short name", [])
    source = rows_by_label.get("sourcename", [])
    for j in range(ncols):
        n = long[j] if j < len(long) else ""
        u = units[j] if j < len(units) else ""
        src = source[j] if j < len(source) and source[j] else n
        sources.append(src)
        if j in x_cols:
            header.append(f"wavelength ({u})")
            names.append(())
            continue
        if re.search(r"cps|counts", u, re.I):
            header.append("intensity")
        else:  # a reference-detector current (R1, MicroAmps) is not an emission signal
            header.append(f"{src or 'signal'} ({u})" if u else (src or "signal"))
        # names --column accepts: short name, source, long name (a time stamp in a time series); last one shown
        names.append(tuple(dict.fromkeys(x for x in (short[j] if j < len(short) else "", src, n) if x)))
    default = None
    for want in _FLUORESSENCE_PREFERENCE:
        default = next((j for j in range(ncols) if header[j] == "intensity" and _norm(sources[j]) == want), None)
        if default is not None:
            break
    meta = {"units_row": units[:ncols], "long_names": long[:ncols]}
    return Table(
        path=p,
        fmt="fluoressence",
        rows=rows,
        header=header,
        header_line=header_line,
        delimiter="\t",
        names=names,
        default_column=default,
        column_numbers={j + 1 + offset: j for j in range(ncols)} if offset else None,
        preamble=[s for s in lines[:start] if s.strip()],
        meta=meta,
    )


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()
