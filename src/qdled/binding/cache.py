"""On-disk cache of binding results, keyed by a hash of every input that defines them.

One JSON file per result, ``<cache dir>/binding/<sha256>.json``; the cache directory is
``$QDLED_CACHE_DIR`` or ``~/.cache/qdled``. Written atomically, so an interrupted run
never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The binding cache directory: ``path``, else ``$QDLED_CACHE_DIR``, else ``~/.cache/qdled``."""
    root = Path(path) if path is not None else Path(os.environ.get("QDLED_CACHE_DIR", Path.home() / ".cache" / "qdled"))
    return root / "binding"


def cache_key(inputs: dict) -> str:
    """SHA-256 of the canonical JSON form of ``inputs``."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def load_cached(key: str, path: str | os.PathLike | None = None) -> dict | None:
    """The stored result for ``key``, or None if absent or unreadable."""
    f = cache_dir(path) / f"{key}.json"
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store_cached(key: str, result: dict, path: str | os.PathLike | None = None) -> Path:
    """Store ``result`` under ``key`` (atomic replace); returns the file."""
    from qdled.io.atomic import write_text_atomic

    f = cache_dir(path) / f"{key}.json"
    f.parent.mkdir(parents=True, exist_ok=True)  # the cache is qdled's own directory (user outputs never mkdir)
    return write_text_atomic(f, json.dumps(result, indent=1, sort_keys=True), force=True)
