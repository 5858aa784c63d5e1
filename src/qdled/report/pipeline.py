"""``qdled reproduce``: run every stage on the paper's defaults and write the report directory.

The chain is binding -> synthesis -> dots -> optics -> device, for both recipes of the paper
(OA/OAm control and NSA-NH4PF6). Each stage is a function ``stage(ctx) -> StageOutput`` in
:mod:`qdled.report.stages`; ``ctx`` carries earlier stages' results forward (data flows one way).

The output directory is written atomically: everything goes to a temporary sibling that
replaces the old report only when complete, so an interrupted run leaves the previous report
intact. A directory that is not a previous qdled report is never replaced without ``force``.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from qdled.errors import InputError
from qdled.report.table import Row

MARKER = ".qdled-report"


@dataclass
class StageOutput:
    """What a stage adds to the report: table rows, figures (id, caption, matplotlib figure), notes."""

    rows: list[Row] = field(default_factory=list)
    figures: list[tuple[str, str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportResult:
    """The finished report: its directory, table and provenance."""

    out_dir: Path
    rows: tuple[Row, ...]
    provenance: dict
    not_modelled: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        return {
            "table": [r.to_dict() for r in self.rows],
            "not_modelled": list(self.not_modelled),
            "provenance": self.provenance,
            "out_dir": str(self.out_dir),
        }


def _not_modelled(rows: list[Row]) -> list[dict]:
    """The paper's headline values that no stage produced a row for (listed, never silently dropped)."""
    from qdled.io.paper import paper_values

    done = {r.key for r in rows}
    return [
        {"key": k, "paper": v.value, "unit": v.unit, "source": v.source}
        for k, v in paper_values().items()
        if k not in done
    ]


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a directory")
    if not out.parent.is_dir():  # like mkdir without -p: a typo in the path is not a reason to create directories
        why = "is not a directory" if out.parent.exists() else "does not exist"
        raise InputError(f"--out {out}: directory {out.parent} {why}")
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()) and not force:
        raise InputError(f"--out {out} exists and is not a qdled report; pass --force to replace it")


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def reproduce(
    out_dir: str | os.PathLike = "qdled-report",
    *,
    force: bool = False,
    recompute_binding: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ReportResult:
    """Run the whole chain and write ``out_dir/index.html``, ``results.json`` and ``figures/``.

    Parameters
    ----------
    out_dir : directory to write (replaced atomically if it is a previous qdled report).
    force : replace ``out_dir`` even if it is not a previous qdled report.
    recompute_binding : recompute ligand binding energies with tblite instead of the shipped cache.
    progress : called with each stage's name before it runs (the CLI drives a progress bar).
    """
    import matplotlib

    matplotlib.use("Agg")
    import qdled
    from qdled.report.html import render_html
    from qdled.report.stages import STAGES

    out = Path(out_dir).resolve()
    _check_target(out, force)
    t0 = time.time()
    ctx: dict[str, Any] = {"recompute_binding": recompute_binding}
    rows: list[Row] = []
    figures: list[tuple[str, str, bytes]] = []
    notes: list[str] = []
    timings: dict[str, float] = {}
    for name, stage in STAGES:
        if progress is not None:
            progress(name)
        ts = time.time()
        result = stage(ctx)
        timings[name] = round(time.time() - ts, 3)
        rows += result.rows
        notes += result.notes
        figures += [(fid, cap, _png(fig)) for fid, cap, fig in result.figures]

    not_modelled = _not_modelled(rows)
    if not_modelled:
        notes.append(
            "Paper values without a model counterpart yet: "
            + "; ".join(f"{d['key']} = {d['paper']:g} {d['unit']} ({d['source']})" for d in not_modelled)
            + "."
        )
    provenance = {
        "qdled_version": qdled.__version__,
        "python": platform.python_version(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runtime_s": round(time.time() - t0, 2),
        "inputs": {
            "stack": "built-in li2024",
            "recipes": ["li2024-control", "li2024-nsa-pf6"],
            "binding": "recomputed with tblite" if recompute_binding else "shipped cache",
        },
        "stage_runtime_s": timings,
        "paper": "Li et al., Nat. Commun. 15, 5696 (2024), doi:10.1038/s41467-024-50022-8",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        (tmp / "figures").mkdir()
        for fid, _cap, png in figures:
            (tmp / "figures" / f"{fid}.png").write_bytes(png)
        result_obj = ReportResult(out, tuple(rows), provenance, tuple(not_modelled))
        (tmp / "results.json").write_text(json.dumps(result_obj.to_dict(), indent=2), encoding="utf-8")
        (tmp / "index.html").write_text(render_html(rows, figures, provenance, notes), encoding="utf-8")
        (tmp / MARKER).write_text(f"qdled {qdled.__version__}\n", encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return result_obj
