"""Sweep throughput: a 10,000-stack sweep of the default device at 628 nm on 1 and 2 workers.

Prints points per second for each worker count and the scaling efficiency
(rate with N workers / (N x rate with 1 worker)). ``--n`` makes it smaller for a quick look.
"""

import argparse
import tempfile
import time
from pathlib import Path

from qdled.io.stack import default_stack
from qdled.sweep import SweepSpec, parse_vary, run_sweep
from qdled.sweep.executors import make_executor


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000, help="number of stacks (a square grid is used)")
    ap.add_argument("--chunk", type=int, default=100)
    args = ap.parse_args()
    side = int(round(args.n**0.5))
    step_qd, step_etl = 60.0 / (side - 1), 80.0 / (side - 1)
    spec = SweepSpec(
        kind="stack",
        base_toml=default_stack().to_toml(),
        axes=(parse_vary(f"QD.thickness_nm=10:70:{step_qd}"), parse_vary(f"PO-T2T.thickness_nm=10:90:{step_etl}")),
        targets=("eqe_ceiling", "outcoupled"),
        chunk_size=args.chunk,
    )
    n_points = len(spec.points())
    rates = {}
    for workers in (1, 2):
        ex = make_executor(None, workers)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run_sweep(spec, Path(tmp) / "b.nc", executor=ex)
            dt = time.perf_counter() - t0
        ex.close()
        rates[workers] = n_points / dt
        print(f"{n_points} stacks, {workers} worker(s): {dt:.1f} s, {rates[workers]:.1f} points/s", flush=True)
    print(f"scaling efficiency on 2 workers: {rates[2] / (2 * rates[1]):.2f}")


if __name__ == "__main__":
    main()
