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
            self._cluster = LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self._cluster)
        else:
            self.client = Client(address)

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


def make_executor(scheduler: str | None = None, workers: int | None = None):
    """``None`` -> local process pool; ``"serial"``; ``"local"`` -> LocalCluster; ``tcp://...`` -> that scheduler."""
    if scheduler is None:
        return PoolExecutor(workers)
    if scheduler == "serial":
        return SerialExecutor()
    return DaskExecutor(scheduler, workers)
