"""Text -> table: finds the numeric data block of an instrument export by its content.

The data block is the longest run of lines whose cells are all numbers (tab, semicolon, comma or
whitespace separated; decimal commas accepted unless the separator is a comma). The header is the
non-blank line just above it (Becker & Hickl ``*BLOCK n ( Time[ns] No_of_photons )`` lines included);
the line above a header with as many cells is kept as labels (Cary sample names). Lines after the
block are a trailer (Cary/Shimadzu method blocks, ``>>>>>End Spectral Data<<<<<``, ``*END``). A later
run of numeric lines with the block's layout means the data were interrupted by a bad line, which is
kept so that the column conversion can name it.

Failing a block of all-number lines, a block of delimited lines with text in the same columns on every line
(a bias-mode ``CV``/``CC`` column, a time stamp) under a header with as many cells is taken; its text columns
are named in ``meta['text_columns']`` and only the numeric columns a reader asks for are converted.

Vendor layouts with their numbers outside a table are recognised first: PicoQuant PicoHarp/TimeHarp
histogram ASCII (``#ns/channel`` then ``#counts``; each curve keeps its own channel width) and LabVIEW
``.lvm`` (``***End_of_Header***``), then the exports of :mod:`._vendors` (HORIBA TCSPC channel tables,
Edinburgh Instruments, HORIBA FluorEssence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qdled.errors import InputError
from qdled.io.text import read_text

_DELIMS = ("\t", ";", ",", None)
_BH_BLOCK = re.compile(r"^\*BLOCK\s+\d+\s*\((?P<names>.*)\)\s*$", re.IGNORECASE)
_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$", re.IGNORECASE)


@dataclass
class Table:
    """A parsed text table: string cells of the data rows, with what surrounds them."""

    path: Path
    fmt: str
    rows: list[tuple[int, list[str]]]  # (1-based line number, cells)
    header: list[str] | None = None
    header_line: int | None = None
    labels: list[str] | None = None
    delimiter: str | None = None
    decimal_comma: bool = False
    preamble: list[str] = field(default_factory=list)
    trailer_lines: int = 0
    meta: dict = field(default_factory=dict)
    # vendor tables: names the instrument gave each column (matched by ``column``), the value column to use
    # when none is given, and file column number (1-based, as the user counts) -> index in ``rows``
    names: list[tuple[str, ...]] | None = None
    default_column: int | None = None
    column_numbers: dict[int, int] | None = None


def _split(line: str, delim: str | None) -> list[str]:
    cells = line.split(delim) if delim else line.split()
    return [c.strip().strip('"').strip() for c in cells]


def is_number(cell: str, decimal_comma: bool) -> bool:
    if not _NUM.match(cell):
        return False
    return decimal_comma or "," not in cell


def to_float(cell: str, decimal_comma: bool) -> float:
    return float(cell.replace(",", ".") if decimal_comma else cell)


def _classify(line: str, text_columns: int) -> tuple[str | None, int] | None:
    """(delimiter, number of cells) if every cell is numeric (the first ``text_columns`` may be text)."""
    s = line.strip()
    if not s or s.startswith("#"):
        return None
    for d in _DELIMS:
        if d is not None and d not in s:
            continue
        cells = _split(s, d)
        while cells and cells[-1] == "":
            cells.pop()
        body = cells[text_columns:]
        if len(cells) <= text_columns or not any(body):
            continue
        if all(c == "" or is_number(c, d != ",") for c in body):
            return d, len(cells)
    return None


def _transparent(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _key_values(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        s = line.strip().lstrip("#*").strip()
        m = re.match(r"^(?P<k>[^:\t,]{1,60}?)\s*(:|\t|,|\s{2,})\s*(?P<v>.*?)[\s,]*$", s)
        if m and m.group("v") and m.group("k").strip():
            out.setdefault(m.group("k").strip(), m.group("v"))
    return out


def _find_block(lines: list[str], text_columns: int) -> tuple[int, int, str | None] | None:
    """(first index, last index, delimiter) of the data block, or None."""
    runs: list[list] = []  # [start, end, delim, ncells, nrows]
    cur = None
    for i, line in enumerate(lines):
        c = _classify(line, text_columns)
        if c is None:
            if _transparent(line) and cur is not None:
                continue
            cur = None
            continue
        if cur is not None and cur[2] == c[0]:
            cur[1], cur[3], cur[4] = i, max(cur[3], c[1]), cur[4] + 1
        else:
            cur = [i, i, c[0], c[1], 1]
            runs.append(cur)
    if not runs:
        return None
    best = max(runs, key=lambda r: (r[4], -r[0]))
    start, end, delim, ncells = best[0], best[1], best[2], best[3]
    # a later run with the same layout: the block was interrupted by a bad line; take it in
    for r in runs:
        if r[0] > end and r[2] == delim and r[3] == ncells:
            end = r[1]
    # a following line with the block's layout and a numeric first cell is a bad data row, not a trailer
    for i in range(end + 1, len(lines)):
        if _transparent(lines[i]):
            continue
        cells = _split(lines[i].strip(), delim)
        if delim is not None and len(cells) == ncells and is_number(cells[0], delim != ","):
            end = i
            continue
        break
    return start, end, delim


def _find_mixed_block(lines: list[str]) -> tuple[int, int, str, tuple[int, ...]] | None:
    """(first index, last index, delimiter, text positions) of the longest run of delimited lines (tab,
    semicolon or comma; at least 3 cells, at least 2 of them numbers) whose text cells sit in the same columns
    on every line, under a header line with as many cells, more than two of them text; None if none has 2 rows
    or more."""
    best = None
    for d in ("\t", ";", ","):
        cur = None
        for i, line in enumerate(lines):
            s = line.strip()
            layout = None
            if s and not s.startswith("#") and d in s:
                cells = _split(s, d)
                while cells and cells[-1] == "":
                    cells.pop()
                text = tuple(j for j, c in enumerate(cells) if c and not is_number(c, d != ","))
                nums = sum(1 for c in cells if c and is_number(c, d != ","))
                if len(cells) >= 3 and nums >= 2 and text:
                    layout = (len(cells), text)
            if layout is None:
                if not s and cur is not None:
                    continue
                cur = None
                continue
            if cur is not None and cur[3] == layout:
                cur[1], cur[4] = i, cur[4] + 1
            else:
                cur = [i, i, d, layout, 1]
                h = i - 1
                while h >= 0 and not lines[h].strip():
                    h -= 1
                head = _split(lines[h].strip(), d) if h >= 0 else []
                while head and head[-1] == "":
                    head.pop()
                cur.append(len(head) == layout[0] and sum(1 for c in head if c and not is_number(c, d != ",")) > 2)
            if cur[5] and cur[4] >= 2 and (best is None or cur[4] > best[4]):
                best = list(cur)
    if best is None:
        return None
    return best[0], best[1], best[2], best[3][1]


def _header_cells(line: str, delim: str | None, ncells: int) -> list[str] | None:
    s = line.strip()
    m = _BH_BLOCK.match(s)
    if m:
        return m.group("names").split()
    if s.startswith(">>>>>") or s.startswith("*"):
        return None
    s = s.lstrip("#").strip()
    if delim is None:
        cells = [c.strip() for c in re.split(r"\t|\s{2,}", s) if c.strip()]
        if len(cells) < min(2, ncells):
            cells = s.split()
    else:
        cells = _split(s, delim)
    raw = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    if not cells or (len(cells) < 2 and ncells > 1) or len(cells) > ncells + 1:
        return None
    if sum(1 for c in cells if c and not is_number(c, delim != ",")) == 0:
        return None
    return raw


def parse_table(path: str | Path, *, text_columns: int = 0) -> Table:
    """Read ``path`` and locate its data block, header, labels, preamble and trailer."""
    p = Path(path)
    text = read_text(p, legacy_8bit=True)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(f"{p}: empty file")
    lower = [line.strip().lower() for line in lines]
    if any(s in ("#ns/channel", "#ns/bin") for s in lower) and "#counts" in lower:
        return _picoquant(p, lines, lower)
    if any(s.startswith("***end_of_header***") for s in lower):
        return _lvm(p, lines, lower)
    from qdled.io.measurements._vendors import vendor_table  # imports this module

    vendor = vendor_table(p, lines)
    if vendor is not None:
        return vendor
    begin = next((i for i, s in enumerate(lower) if s.startswith(">>>>>begin")), None)
    block = _find_block(lines, text_columns)
    text_positions: tuple[int, ...] = ()
    if begin is None and (block is None or block[1] == block[0]):
        mixed = _find_mixed_block(lines)
        if mixed is not None:
            block, text_positions = mixed[:3], mixed[3]
    if begin is not None and (block is None or block[0] < begin):
        raise InputError(f"{p}, line {begin + 1}: no spectral data after '>>>>>Begin Spectral Data<<<<<'")
    if block is None:
        first = next(i for i, s in enumerate(lower) if s)
        raise InputError(f"{p}: no data rows (no line of numbers found; line {first + 1} is {lines[first].strip()!r})")
    start, end, delim = block
    rows = []
    for i in range(start, end + 1):
        if _transparent(lines[i]):
            continue
        cells = _split(lines[i].strip(), delim)
        while cells and cells[-1] == "":
            cells.pop()
        rows.append((i + 1, cells))
    ncells = max(len(c) for _, c in rows)
    decimal_comma = delim != "," and any(
        "," in c for _, cells in rows[:50] for j, c in enumerate(cells) if j >= text_columns and j not in text_positions
    )
    header = header_line = labels = None
    h = start - 1
    while h >= 0 and not lines[h].strip():
        h -= 1
    if h >= 0 and begin is None:
        cells = _header_cells(lines[h], delim, ncells)
        if cells is not None:
            header, header_line = cells, h + 1
            g = h - 1
            while g >= 0 and not lines[g].strip():
                g -= 1
            if g >= 0 and delim is not None:
                above = _split(lines[g].strip(), delim)
                x_like = [j for j, c in enumerate(cells) if c.lower().startswith(("wavelength", "time", "wl"))]
                named = [j for j, c in enumerate(above) if c]
                if len(above) == len(cells) and named and set(named) <= set(x_like):
                    labels = above  # Cary: sample names above each wavelength column
    pre_end = (header_line - 1) if header_line else start
    preamble = [line for line in lines[: max(pre_end - (1 if labels else 0), 0)] if line.strip()]
    kind = "csv" if delim in (",", ";") else "text"
    plain = all(line.strip().startswith("#") for line in preamble)
    fmt = "oceanview" if begin is not None else (kind if plain else f"{kind}-with-preamble")
    if any(s == "xydata" for s in lower[:start]):
        fmt = "jasco"
    elif header and _BH_BLOCK.match(lines[header_line - 1].strip()):
        fmt = "becker-hickl-asc"
    elif labels is not None:
        fmt = "cary"
    meta = _key_values(preamble)
    if text_positions:
        meta["text_columns"] = [header[j] if header and j < len(header) else f"column {j + 1}" for j in text_positions]
    return Table(
        path=p,
        fmt=fmt,
        rows=rows,
        header=[c for c in header] if header else None,
        header_line=header_line,
        labels=labels,
        delimiter=delim,
        decimal_comma=decimal_comma,
        preamble=preamble,
        trailer_lines=sum(1 for line in lines[end + 1 :] if line.strip()),
        meta=meta,
    )


def _picoquant(p: Path, lines: list[str], lower: list[str]) -> Table:
    """PicoHarp/TimeHarp (``#ns/channel``) or HydraHarp (``#ns/bin``) histogram ASCII: the channel width of each
    curve, then ``#counts`` and one column per curve.

    Curves may have different channel widths (one export can hold a 512 ps and a 4 ps histogram), so each
    curve gets its own time column: table columns are ``time, curve 1, time, curve 2, ...``; ``column`` N
    (as counted in the file) is curve N, and ``curve N`` names it too.
    """
    k = next(i for i, s in enumerate(lower) if s in ("#ns/channel", "#ns/bin"))
    res_cells = lines[k + 1].split() if k + 1 < len(lines) else []
    try:
        res = [to_float(c, True) for c in res_cells]
    except ValueError:
        res = []
    if not res or min(res) <= 0:
        raise InputError(f"{p}, line {k + 2}: expected the channel width (ns) after '{lines[k].strip()}'")
    c0 = lower.index("#counts")
    raw = []
    for i in range(c0 + 1, len(lines)):
        s = lines[i].strip()
        if not s:
            continue
        if s.startswith("#"):
            break
        raw.append((i + 1, s.split()))
    if not raw:
        raise InputError(f"{p}, line {c0 + 1}: no counts after '#counts'")
    ncurves = max(len(c) for _, c in raw)
    if len(res) < ncurves:
        raise InputError(
            f"{p}, line {k + 2}: {len(res)} channel width(s) for {ncurves} curves; every curve needs its width"
        )
    rows = []
    for n, (lineno, cells) in enumerate(raw):
        row: list[str] = []
        for j, c in enumerate(cells):
            row += [repr(n * res[j]), c]
        rows.append((lineno, row))
    header, names = [], []
    for j in range(ncurves):
        header += ["time (ns)", "counts" if j == 0 else f"curve {j + 1}"]
        names += [(), (f"curve {j + 1}",)]
    meta = {
        "ns_per_channel": res[0],
        "ns_per_channel_by_curve": res[:ncurves],
        "title": lines[0].strip().lstrip("#").strip(),
    }
    return Table(
        path=p,
        fmt="picoquant-ascii",
        rows=rows,
        header=header,
        header_line=c0 + 1,
        meta=meta,
        names=names,
        column_numbers={j + 1: 2 * j + 1 for j in range(ncurves)},
    )


def _lvm(p: Path, lines: list[str], lower: list[str]) -> Table:
    """LabVIEW measurement file: header blocks closed by '***End_of_Header***', channel names, tab data."""
    last = max(i for i, s in enumerate(lower) if s.startswith("***end_of_header***"))
    meta = _key_values([line for line in lines[:last] if "***end_of_header***" not in line.lower()])
    sep = next((line.split("\t")[1:2] for line in lines[:last] if line.lower().startswith("decimal_separator")), [])
    decimal_comma = bool(sep) and sep[0].strip() == ","
    body = [(i, line) for i, line in enumerate(lines) if i > last and line.strip()]
    if not body:
        raise InputError(f"{p}, line {last + 1}: no data after '***End_of_Header***'")
    names = body[0][1].split("\t")
    first_is_names = any(c.strip() and not is_number(c.strip(), decimal_comma) for c in names)
    data = body[1:] if first_is_names else body
    if not data:
        raise InputError(f"{p}: no data rows after the channel names on line {body[0][0] + 1}")
    rows = [(i + 1, [c.strip() for c in line.split("\t")]) for i, line in data]
    header = [c.strip() for c in names] if first_is_names else None
    return Table(
        path=p,
        fmt="lvm",
        rows=rows,
        header=header,
        header_line=body[0][0] + 1 if first_is_names else None,
        delimiter="\t",
        decimal_comma=decimal_comma,
        meta=meta,
    )
