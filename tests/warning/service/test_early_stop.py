"""SIGTERM while ``tbtwarn run`` is still starting (importing, migrating) is a clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

TBTWARN = Path(sys.executable).parent / "tbtwarn"


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (``SigCgt`` in /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_sigterm_during_start_up_exits_0_without_starting(write_config: Callable[..., Path]) -> None:
    config = write_config()
    proc = subprocess.Popen(
        [str(TBTWARN), "--config", str(config), "run", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The first moment a stop can be honoured: the handler is in place.
        # The imports, the config and the migrations (seconds) are still ahead.
        deadline = time.monotonic() + 30
        while not catches_sigterm(proc.pid):
            assert proc.poll() is None and time.monotonic() < deadline, "tbtwarn never caught SIGTERM"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "tbtwarn running" not in err and "Traceback" not in err
