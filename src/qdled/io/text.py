"""Decoding of text files written by other software: one place, used by every reader.

Lab software writes text in a handful of encodings. Accepted, detected from the bytes:

* UTF-8, with or without a byte-order mark (BOM);
* UTF-16 (little or big endian) with a BOM, as Windows programs write ("Unicode" in Notepad/Excel), and
  UTF-16 without a BOM when every other byte of ASCII text is zero;
* for measurement files only (``legacy_8bit=True``): a single-byte Windows-1252 file (older instrument
  software writes ``µs`` or ``°C`` that way), accepted only when it decodes to printable text -- no control
  characters other than tab, CR and LF.

Anything else (random bytes, a binary file given as text) raises :class:`~qdled.errors.InputError` with one
line naming the file. TOML files (stacks, recipes) are UTF-8 by the TOML specification; UTF-16 and a BOM are
tolerated, 8-bit legacy encodings are not.

References
----------
The Unicode Standard, version 15.0, section 23.8 (byte-order mark); TOML v1.0.0 ("a TOML file must be a valid
UTF-8 encoded Unicode document").
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from qdled.errors import InputError

__all__ = ["decode_text", "read_text", "load_toml_file"]

#: Largest text file read [bytes]: instrument exports are kB to a few MB (a 65536-channel TRPL histogram
#: ~1 MB); 256 MiB leaves room for large spectral maps while a device file or disk image is refused.
MAX_TEXT_BYTES = 256 * 2**20

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when ASCII text was written as UTF-16 without a BOM, else None."""
    sample = raw[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode_text(raw: bytes, source: str | Path, *, legacy_8bit: bool = False) -> str:
    """Decode the bytes of a text file (see module docstring); ``source`` names the file in errors."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", raw
    else:
        encoding, body = _looks_utf16_without_bom(raw) or "utf-8", raw
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        text = None
        if legacy_8bit and encoding == "utf-8":
            try:
                text = body.decode("cp1252")
            except UnicodeDecodeError:
                text = None
    if text is None or _CONTROL.search(text):
        kinds = "UTF-8, UTF-16" + (" or Windows-1252 text" if legacy_8bit else " text")
        raise InputError(f"{source}: not a text file in a supported encoding ({kinds} expected)")
    return text


def read_text(path: str | Path, *, legacy_8bit: bool = False) -> str:
    """Read and decode a text file; a missing path, a directory or undecodable bytes give one line naming it."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a file")
    if not p.exists():
        raise InputError(f"{p}: no such file")
    try:
        with p.open("rb") as fh:  # bounded: /dev/zero or a disk image must not exhaust the memory
            raw = fh.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if len(raw) > MAX_TEXT_BYTES:
        raise InputError(f"{p}: larger than {MAX_TEXT_BYTES // 2**20} MiB, not a stack, recipe or measurement file")
    return decode_text(raw, p, legacy_8bit=legacy_8bit)


def load_toml_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML file (UTF-8, or UTF-16 with a BOM); missing, empty, undecodable or malformed files give
    one :class:`InputError` line naming the file."""
    import tomllib

    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: empty file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: malformed TOML: {exc}") from None
