"""A failed reliability test must not leave its daemon running (it would load the machine
for every later test): whatever a test started is killed when it ends. A test
that takes ``folder`` runs on SQLite and, when ``TBTWARN_TEST_PG_URL`` is set,
again on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.backends import BACKENDS, backend
from tests.reliability.harness import STARTED


@pytest.fixture(params=BACKENDS)
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The daemon's folder; its data in SQLite there, or in a fresh PostgreSQL database."""
    folder = tmp_path / "daemon"
    folder.mkdir()
    with backend(request.param, folder):
        yield folder
        reap()  # before the database goes: a failed test's daemon is still connected


@pytest.fixture(autouse=True)
def _reap_daemons() -> Iterator[None]:
    yield
    reap()


def reap() -> None:
    """Kill every daemon a test started that still runs."""
    while STARTED:
        daemon = STARTED.pop()
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait(timeout=10)
