"""Test-wide set-up: no network (only loopback), non-interactive matplotlib."""

import contextlib
import os
import socket

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and (host.startswith("127.") or host in ("localhost", "::1", ""))
        or self.family == socket.AF_UNIX
    ):
        return _real_connect(self, address)
    raise OSError(f"network access attempted in a test: {address!r}")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """qdled needs no network at run time: any non-loopback connection fails the test."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@contextlib.contextmanager
def _exclusive(lock_path):
    """An exclusive lock on ``lock_path``, held by one process at a time (xdist workers are processes)."""
    import fcntl  # POSIX; the test suite runs on Linux and macOS

    with open(lock_path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory):
    """One real ``qdled reproduce`` run per test session (cached binding energies), shared by the report tests.

    Under pytest-xdist every worker is its own process with its own session fixtures: the first worker to get
    here runs ``reproduce`` into the base temporary directory all workers share (the parent of each worker's
    own), under a file lock; the others wait for the lock and reuse the finished report.
    """
    from qdled.report.pipeline import MARKER, reproduce

    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: an ordinary session fixture
        out = tmp_path_factory.mktemp("report") / "qdled-report"
        reproduce(out)
        return out
    shared = tmp_path_factory.getbasetemp().parent  # the same directory for every worker of this session
    out = shared / "qdled-report"
    with _exclusive(shared / "qdled-report.lock"):
        if not (out / MARKER).exists():
            reproduce(out)
    return out
