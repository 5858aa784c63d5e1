"""Shared pieces of the CLI: JSON output, plot output, option types."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, Optional

import typer

JsonOpt = typer.Option(False, "--json", help="Print one JSON object on stdout and nothing else.")
PlotOpt = typer.Option(None, "--plot", help="Write a figure to this file (PNG, SVG or PDF).")
ForceOpt = typer.Option(False, "--force", help="Overwrite existing output files.")


def _clean(obj: Any) -> Any:
    """Make numpy scalars/arrays JSON-serialisable and NaN -> None."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, np.generic):
        return _clean(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def print_json(obj: dict) -> None:
    """Print ``obj`` as one JSON object on stdout."""
    sys.stdout.write(json.dumps(_clean(obj), indent=None) + "\n")


def print_table(title: str, rows: dict[str, Any]) -> None:
    """Print a two-column rich table of name -> value."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in _clean(rows).items():
        if isinstance(v, float):
            v = f"{v:.4g}"
        table.add_row(str(k), str(v))
    Console().print(table)


def check_plot(path: Optional[Path], force: bool = False) -> None:
    """Check a ``--plot`` path before the computation (format, no file in the way)."""
    if path is not None:
        from qdled.io.atomic import check_figure_path

        check_figure_path(path, force=force)


def save_plot(fig, path: Optional[Path], force: bool = False) -> None:
    """Save ``fig`` to ``path`` atomically (refusing to overwrite without ``force``)."""
    if path is None:
        return
    from qdled.io.atomic import save_figure

    save_figure(fig, path, force=force)
