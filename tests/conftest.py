"""Test-wide set-up: no network (only loopback), non-interactive matplotlib."""

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


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory):
    """One real ``qdled reproduce`` run shared by the report tests (cached binding energies)."""
    from qdled.report.pipeline import reproduce

    out = tmp_path_factory.mktemp("report") / "qdled-report"
    reproduce(out)
    return out
