"""Wall time of ``qdled reproduce`` (cached binding energies) per stage, and of ``qdled --help``.

Targets (issues): the whole report in under 2 minutes on 2 cores; ``qdled --help`` under 1 s.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qdled.report.pipeline import reproduce


def main() -> None:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qdled.cli.main", "--help"], check=True, capture_output=True)
    print(f"qdled --help: {time.perf_counter() - t0:.2f} s (target < 1 s)")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = reproduce(Path(tmp) / "report")
        total = time.perf_counter() - t0
    for stage, dt in res.provenance["stage_runtime_s"].items():
        print(f"  stage {stage:10s} {dt:6.2f} s")
    print(f"qdled reproduce: {total:.1f} s (target < 120 s), {len(res.rows)} table rows")


if __name__ == "__main__":
    main()
