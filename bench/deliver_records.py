"""The delivery run's own cost per message: claims and ``sent`` records alone.

Stores ``--messages`` small messages in a fresh SQLite outbox and delivers them
over ``--connections`` transports that accept every message at once (no SMTP,
no files), so what is measured is what ``notifications.deliver`` adds per
message: claiming it, and recording it ``sent`` before its connection starts
another (issue 14). Prints the sender's CPU and the rate, per turn and their
medians; run it on the code before and after a change, in turns, and note the
machine's load (printed).

    .venv/bin/python bench/deliver_records.py [--messages 2000] [--connections 4] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifications.deliver import deliver_pending  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.runtime import Runtime  # noqa: E402
from warning.storage.outbox import NewMessage, OutboxMessage, enqueue_many  # noqa: E402

NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


class Accepting:
    """A transport that takes every message at once."""

    async def deliver(self, message: OutboxMessage) -> None:
        await asyncio.sleep(0)

    async def was_delivered(self, message: OutboxMessage) -> bool | None:
        return None

    async def close(self) -> None:
        return None


async def turn(messages: int, connections: int) -> tuple[float, float]:
    """One delivery of ``messages``: (CPU ms per message, messages per second)."""
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text(
            f'database_url = "sqlite+aiosqlite:///{folder}/bench.db"\n'
            f'[delivery]\ntransport = "outbox"\noutbox_dir = "{folder}/outbox"\n',
            encoding="utf-8",
        )
        rt = await Runtime.open(load_config(config), FixedClock(NOW))
        try:
            new = [
                NewMessage(f"k{n}", f"r{n}@example.com", "digest", "s", b"x" * 2000, None)
                for n in range(messages)
            ]
            async with rt.db.begin() as conn:
                await enqueue_many(conn, new, rt.now())
            cpu, wall = time.process_time(), time.perf_counter()
            outcome = await deliver_pending(rt, [Accepting() for _ in range(connections)])
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            await rt.close()
    assert outcome.sent == messages, outcome
    return 1000 * cpu / messages, messages / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(
        "load average (1, 5, 15 min; the machine is shared): " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    turns = [asyncio.run(turn(args.messages, args.connections)) for _ in range(args.repeats)]
    cpu = [c for c, _ in turns]
    rate = [r for _, r in turns]
    print(
        f"{args.messages} messages over {args.connections} connections: "
        f"median {statistics.median(cpu):.2f} ms CPU per message "
        f"(turns: {', '.join(f'{c:.2f}' for c in cpu)}), "
        f"median {statistics.median(rate):.0f} msg/s (turns: {', '.join(f'{r:.0f}' for r in rate)})"
    )


if __name__ == "__main__":
    main()
