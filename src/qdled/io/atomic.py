"""Atomic, non-clobbering writes of output files and directories."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from qdled.errors import InputError


def check_parent_dir(path: str | os.PathLike) -> Path:
    """Refuse an output path whose directory does not exist (no directory is ever created for it).

    Like ordinary Unix tools (``cp``, ``tar -f``), a typo in an output path is an error rather
    than a reason to create a directory tree; the message names the missing directory.
    """
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"{p}: directory {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"{p}: {parent} is not a directory")
    return p


def check_new_file(path: str | os.PathLike, *, force: bool = False) -> Path:
    """Check an output file path before any work: its directory exists, it is not a directory, and no
    file is in the way unless ``force``; return the path."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a directory, expected a file path")
    if p.exists() and not force:
        raise InputError(f"{p} exists; pass --force to overwrite it")
    return check_parent_dir(p)


@contextmanager
def atomic_path(path: str | os.PathLike, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    An exception inside the block leaves any previous file untouched and removes the
    temporary file. ``force`` is needed to replace an existing file. The directory must exist
    (see :func:`check_parent_dir`); callers that own a directory (a cache) create it themselves.
    """
    target = check_new_file(path, force=force)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions of a new file
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(path: str | os.PathLike, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


#: Figure formats written by :func:`save_figure` (file suffixes).
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_figure_path(path: str | os.PathLike, *, force: bool = False) -> Path:
    """Check a figure path before any work: a supported suffix and no file in the way (unless ``force``)."""
    p = Path(path)
    if p.suffix.lower() not in FIGURE_SUFFIXES:
        raise InputError(f"figure file {p} must end in one of {', '.join(FIGURE_SUFFIXES)}")
    return check_new_file(p, force=force)


def save_figure(fig, path: str | os.PathLike, *, force: bool = False, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically, format from the file suffix."""
    p = check_figure_path(path, force=force)
    with atomic_path(p, force=force) as tmp:
        fig.savefig(tmp, dpi=dpi, format=p.suffix.lstrip(".") or "png", bbox_inches="tight")
    return p
