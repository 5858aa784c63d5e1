"""Sweep throughput: a 10,000-stack sweep of the default device at 628 nm on 1 and 2 workers.

Prints points per second for the local process pool on 1 and 2 workers, the scaling efficiency
(rate with 2 workers / (2 x rate with 1 worker)) and the same sweep on a Dask LocalCluster with
2 workers (``qdled sweep --scheduler local``) as a ratio to the process pool. Targets (issue
#21): >= 170 points/s on 2 workers (10,000 stacks in < 60 s), efficiency >= 0.9, Dask within
10 % of the pool. ``--n`` makes it smaller for a quick look; ``--repeat`` runs the whole set
several times (the machine is shared: the best of the repeats is the least disturbed).
"""

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from qdled.io.stack import default_stack
from qdled.sweep import SweepSpec, parse_vary, run_sweep
from qdled.sweep.executors import make_executor


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _rate(spec, scheduler, workers) -> tuple[float, float]:
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    ex = make_executor(scheduler, workers)
    if scheduler == "local":  # cluster start-up and worker warm-up: a fixed cost, reported apart
        print(f"Dask LocalCluster start-up ({workers} workers, warmed up): {time.perf_counter() - t0:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run_sweep(spec, Path(tmp) / "b.nc", executor=ex)
            dt = time.perf_counter() - t0
    finally:
        ex.close()
    cpu = _children_cpu() - cpu0  # CPU time of the worker processes (reaped at close)
    n_points = len(spec.points())
    print(
        f"{n_points} stacks, {scheduler or 'pool'}, {workers} worker(s): {dt:.1f} s, {n_points / dt:.1f} points/s "
        f"(worker CPU {cpu:.1f} s, load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return n_points / dt, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000, help="number of stacks (a square grid is used)")
    ap.add_argument("--chunk", type=int, default=128, help="stacks per chunk (solved in batches of 64)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-dask", action="store_true")
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
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    best: dict = {}
    cpu: dict = {}
    for _ in range(args.repeat):
        runs = [(None, 1), (None, 2)] + ([] if args.no_dask else [("local", 2)])
        for scheduler, workers in runs:
            rate, seconds = _rate(spec, scheduler, workers)
            best[(scheduler, workers)] = max(best.get((scheduler, workers), 0.0), rate)
            cpu[(scheduler, workers)] = min(cpu.get((scheduler, workers), float("inf")), seconds)
    r1, r2 = best[(None, 1)], best[(None, 2)]
    print(f"best: pool 1 worker {r1:.1f} points/s, 2 workers {r2:.1f} points/s")
    print(f"scaling efficiency on 2 workers: {r2 / (2 * r1):.2f}")
    # with free cores the wall-clock efficiency equals the CPU-time ratio (work added by parallelism)
    print(f"CPU-time ratio 1 worker / 2 workers: {cpu[(None, 1)] / cpu[(None, 2)]:.2f}")
    if not args.no_dask:
        print(f"Dask LocalCluster / process pool (2 workers): {best[('local', 2)] / r2:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (2 cores)")


if __name__ == "__main__":
    main()
