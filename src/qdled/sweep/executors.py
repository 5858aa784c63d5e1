"""Where chunks run: serially, on a local process pool (default), or on a ``dask.distributed`` cluster.

All three expose ``map_unordered(fn, items) -> iterator of (item, result)`` so the runner does not
care which one it has.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator


class SerialExecutor:
    """Run chunks one after another in this process."""

    name = "serial"

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[tuple[Any, Any]]:
        for item in items:
            yield item, fn(item)

    def close(self) -> None:
        pass


class PoolExecutor:
    """A local ``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes."""

    name = "local"

    def __init__(self, workers: int | None = None):
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(max_workers=self.workers)

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[tuple[Any, Any]]:
        from concurrent.futures import as_completed

        futures = {self._pool.submit(fn, item): item for item in items}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A ``dask.distributed`` client: ``address`` of a scheduler, or ``"local"`` for a new LocalCluster."""

    name = "dask"

    def __init__(self, address: str, workers: int | None = None):
        from distributed import Client, LocalCluster

        self._cluster = None
        if address == "local":
            import dask

            # Dask's default MALLOC_TRIM_THRESHOLD_ for workers fixes glibc's mmap threshold at 128 kB, so
            # every NumPy temporary of the vectorised optics (~0.5 MB) is mmap'ed and page-faulted afresh:
            # 2.4x slower chunks than in a process pool. Keep glibc's adaptive default, as the pool has.
            with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                self._cluster = LocalCluster(
                    n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
                )
            self.client = Client(self._cluster)
            # fresh worker processes import qdled and load the optical-constant database once, here,
            # rather than inside the first chunk (a forked process pool inherits them from this process)
            self.client.run(warm_up)
        else:
            try:
                self.client = Client(address, timeout="10s")
            except (OSError, TimeoutError) as exc:  # no scheduler there: bad input, not a crash
                from qdled.errors import InputError

                raise InputError(f"--scheduler {address}: cannot connect ({exc.__class__.__name__})") from None

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        items = list(items)
        futures = self.client.map(fn, items, pure=False)
        index = {f.key: item for f, item in zip(futures, items, strict=False)}
        try:
            for fut in as_completed(futures):
                yield index[fut.key], fut.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def warm_up() -> None:
    """Import the evaluators and load the built-in stack's materials (run once on each new worker)."""
    import qdled.optics.sweep  # noqa: F401
    import qdled.sweep.targets  # noqa: F401
    from qdled.io.stack import default_stack
    from qdled.optics import EL_PEAK_NM

    default_stack().layer_indices([EL_PEAK_NM])


def make_executor(scheduler: str | None = None, workers: int | None = None):
    """``None`` -> local process pool; ``"serial"``; ``"local"`` -> LocalCluster; ``tcp://...`` -> that scheduler.

    ``workers`` (default: all cores) must be >= 1."""
    if workers is not None and workers < 1:
        from qdled.errors import InputError

        raise InputError(f"workers must be >= 1, got {workers}")
    most = 4 * (os.cpu_count() or 1)  # CPU-bound chunks: more processes only compete and cost ~150 MB each
    if workers is not None and workers > most and scheduler in (None, "local"):
        from qdled.errors import InputError

        raise InputError(f"workers must be <= {most} (4 per core) for a local pool, got {workers}")
    if scheduler is None:
        return PoolExecutor(workers)
    if scheduler == "serial":
        return SerialExecutor()
    if scheduler != "local" and "://" not in scheduler:
        from qdled.errors import InputError

        raise InputError(
            f"--scheduler must be 'serial', 'local' or a scheduler address such as tcp://HOST:8786, got {scheduler!r}"
        )
    return DaskExecutor(scheduler, workers)
