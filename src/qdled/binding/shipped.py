"""The shipped binding energies (``qdled/binding/data/binding_energies.json``).

The file holds "runs": each the output of one ``qdled bind --recompute ... --write-runs``
command, with that exact command, the settings, the values [eV] and the full results
(energies, charges, distances). ``binding_energies()`` returns the run matching the
requested settings without any quantum-chemistry call.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from qdled.errors import InputError

SHIPPED_FILE = "binding_energies.json"


def run_id(cluster_n: int, mode: str) -> str:
    """Name of a run in the shipped file, e.g. ``"relaxed_n1"``."""
    return f"{mode}_n{cluster_n}"


def load_shipped(path: str | os.PathLike | None = None, file_name: str = SHIPPED_FILE) -> dict:
    """The shipped record ``file_name`` of the package's data (``path`` overrides it); empty runs if absent."""
    if path is None:
        f = resources.files("qdled.binding").joinpath("data", file_name)
        text = f.read_text(encoding="utf-8") if f.is_file() else None
    else:
        text = Path(path).read_text(encoding="utf-8") if Path(path).is_file() else None
    if text is None:
        return {"runs": {}}
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise InputError(f"shipped binding file {path or file_name} is not valid JSON: {exc}") from None
    record.setdefault("runs", {})
    return record


def shipped_values(cluster_n: int, mode: str, path: str | os.PathLike | None = None) -> dict[str, float] | None:
    """{ligand: eV} of the shipped run with these settings, or None if there is none."""
    run = load_shipped(path)["runs"].get(run_id(cluster_n, mode))
    return None if run is None else {k: float(v) for k, v in run["binding_energies_eV"].items()}


def add_run(path: str | os.PathLike, results: list, command: str, *, force: bool = False) -> Path:
    """Merge a run (list of BindingResult with equal settings) into the file at ``path``.

    An existing file is only rewritten with ``force`` (runs with other settings are kept).
    """
    from qdled.io.atomic import write_text_atomic

    if not results:
        raise InputError("no results to write")
    first = results[0].settings
    if any((r.settings.cluster_n, r.settings.mode) != (first.cluster_n, first.mode) for r in results):
        raise InputError("all results of one run must share cluster_n and mode")
    record = load_shipped(path)
    record["description"] = (
        "Ligand binding energies [eV] on a CsPbI3 cluster site with GFN2-xTB (tblite), "
        "produced by qdled.binding; see the command of each run."
    )
    record["runs"][run_id(first.cluster_n, first.mode)] = {
        "command": command,
        "generated_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "binding_energies_eV": {r.ligand: round(r.binding_energy_eV, 4) for r in results},
        "results": {r.ligand: r.to_dict() for r in results},
    }
    record["runs"] = dict(sorted(record["runs"].items()))
    return write_text_atomic(path, json.dumps(record, indent=1) + "\n", force=force)
