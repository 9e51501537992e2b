"""A failed reliability test must not leave its daemon running (it would load the machine
for every later test): whatever a test started is killed when it ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.harness import STARTED


@pytest.fixture(autouse=True)
def _reap_daemons() -> Iterator[None]:
    yield
    while STARTED:
        daemon = STARTED.pop()
        if daemon.proc.poll() is None:
            daemon.proc.kill()
            daemon.proc.wait(timeout=10)
