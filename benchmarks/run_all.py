"""Run every benchmark in this folder (``make bench``): scripts directly, pytest-benchmark files with pytest."""

import pathlib
import runpy
import subprocess
import sys

here = pathlib.Path(__file__).parent
for script in sorted(here.glob("bench_*.py")):
    print(f"== {script.name}", flush=True)
    if "def test_" in script.read_text(encoding="utf-8"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(script),
                "-q",
                "-p",
                "no:cacheprovider",
                "-o",
                "addopts=",
                "--benchmark-enable",
            ],
            check=True,
        )
        continue
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name="__main__")
