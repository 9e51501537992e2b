"""Benchmark: compose and render digests for 10,000 subscribers over 200
notifications, then deliver 5,000 of them to a local aiosmtpd (in its own
process), against a plain smtplib loop that opens a connection per message.

    .venv/bin/python bench/digest.py [--subscribers 10000] [--notifications 200]
        [--deliver 5000] [--baseline 500] [--repeats 3] [--security starttls|none]
        [--connections 4] [--batch-size 10] [--sink-processes 1] [--stock-sink]

With ``--security starttls`` (the default, as relays on port 587 require) the
sink requires STARTTLS with a throw-away self-signed certificate, and both
senders negotiate TLS: once per connection.

The sink (bench/smtp_sink.py) is aiosmtpd, reading DATA in one piece unless
``--stock-sink``, in ``--sink-processes`` processes accepting from one socket;
both senders send to the same sink.

Prints the figures; both send rates are measured in the same run, in turns
(ours, then the plain loop, ``--repeats`` times) so that load from other
processes on the machine falls on both; the medians and their ratio are
reported, with the CPU time per message of the sender and of the sink.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifications.compose import plan, write  # noqa: E402
from notifications.deliver import deliver_pending  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.runtime import Runtime  # noqa: E402
from warning.storage.exporters import load_exporters  # noqa: E402
from warning.storage.notifications import upsert_notification  # noqa: E402
from warning.storage.outbox import list_messages  # noqa: E402
from warning.storage.schema import alerts, exporters, outbox  # noqa: E402
from warning.storage.subscriptions import sync_from_register  # noqa: E402
from warning.symbols import parse_symbols  # noqa: E402
from warning.types import LEVELS, Notification  # noqa: E402

NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
MEMBERS = ("USA", "EU", "KEN", "JPN", "KOR", "BRA", "IDN", "SAU", "UGA", "CHL")
CODES = ("330499", "950300", "841510", "401110", "040210", "721310", "901890", "380891", "871160", "220299")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1 (openssl)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Sink:
    """aiosmtpd in its own processes (bench/smtp_sink.py), so it does not share the
    benchmark's CPU time slice; its own process group, killed as one."""

    def __init__(self, port: int, tls: tuple[Path, Path] | None, processes: int, stock: bool) -> None:
        self.stock = stock
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port), *map(str, tls or ()),
             "--processes", str(processes), *(["--stock"] if stock else [])],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        ready, *pids = self.proc.stdout.readline().split()
        if ready != "ready":
            self.stop()
            raise SystemExit("the SMTP sink did not start")
        self.pids = [int(p) for p in pids]

    def cpu_seconds(self) -> float:
        """User and system CPU time of all the sink's processes so far."""
        total = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@dataclass
class Turn:
    """One measured send: messages per second, and CPU milliseconds per message."""

    rate: float
    sender_ms: float
    sink_ms: float


async def measure(sink: Sink, count: int, send: Callable[[], Awaitable[Any]]) -> tuple[Any, Turn]:
    """Run ``send`` (which sends ``count`` messages); returns its result and the Turn."""
    wall, cpu, sink_cpu = time.perf_counter(), time.process_time(), sink.cpu_seconds()
    result = await send()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sink_cpu = sink.cpu_seconds() - sink_cpu
    return result, Turn(count / wall, 1000 * cpu / count, 1000 * sink_cpu / count)


async def seed(rt: Runtime, subscribers: int, n_notes: int, rng: random.Random) -> int:
    """Exporters with one contact each, notifications, and their alerts; returns alerts."""
    async with rt.db.begin() as conn:
        note_ids = []
        for i in range(n_notes):
            member = MEMBERS[i % len(MEMBERS)]
            symbols = parse_symbols([f"G/TBT/N/{member}/{1000 + i}"])
            n = Notification(
                key=symbols[0].text,
                symbols=symbols,
                area="TBT",
                member_codes=(member,),
                member_name=member,
                notification_type="Regular notification",
                title=f"Technical regulation {i} on <products> & labelling requirements",
                products="Cosmetics, toys, household appliances",
                comment_deadline=dt.date(2026, 12, 1) + dt.timedelta(days=i % 60),
                hs_codes=(CODES[i % len(CODES)],),
                links=(f"https://docs.wto.org/doc/{i}.pdf",),
                source_name="bench",
                source_id=str(i),
            )
            nid, _ = await upsert_notification(conn, n, NOW)
            note_ids.append((nid, n.hs_codes[0]))
        await conn.execute(
            sa.insert(exporters),
            [
                {
                    "name": f"Exporter {i:05d}",
                    "language": "zh" if i % 3 else "en",
                    "emails": [f"contact{i:05d}@exporter.example.com"],
                    "hs_codes": [CODES[i % len(CODES)][:4]],
                    "markets": ["*"],
                    "updated_at": NOW,
                }
                for i in range(subscribers)
            ],
        )
        stored = await load_exporters(conn)
        await sync_from_register(conn, stored, NOW)
        rows = []
        for exporter_id, exporter in stored:
            for nid, code in note_ids:
                if code.startswith(exporter.hs_codes[0]) and rng.random() < 0.3:
                    rows.append(
                        {
                            "notification_id": nid,
                            "exporter_id": exporter_id,
                            "matches": [
                                {"hs_code": code, "level": 6, "score": 0.9, "method": "b", "evidence": "b"}
                            ],
                            "level": rng.choice(LEVELS),
                            "reasons": [{"code": "urgency", "en": "Deadline near", "zh": "评议期即将截止"}],
                            "created_at": NOW,
                        }
                    )
        await conn.execute(sa.insert(alerts), rows)
    return len(rows)


def baseline(port: int, messages: list[tuple[str, bytes]], cert: Path | None) -> None:
    """A plain smtplib loop opening one connection per message (STARTTLS if ``cert``)."""
    context = ssl.create_default_context(cafile=str(cert)) if cert else None
    for recipient, data in messages:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.example") as client:
            if context is not None:
                client.starttls(context=context)
            client.sendmail("tbt@zone.example.org", [recipient], data)


async def resend_all(rt: Runtime) -> None:
    """Put the sent messages back to pending, for the next turn of the benchmark."""
    async with rt.db.begin() as conn:
        await conn.execute(
            sa.update(outbox).where(outbox.c.status == "sent").values(status="pending", sent_at=None)
        )


def summary(name: str, turns: list[Turn]) -> float:
    rate = statistics.median(t.rate for t in turns)
    print(
        f"{name}: median {rate:.0f} msg/s (turns: {', '.join(f'{t.rate:.0f}' for t in turns)}); "
        f"CPU per message: sender {statistics.median(t.sender_ms for t in turns):.2f} ms, "
        f"sink {statistics.median(t.sink_ms for t in turns):.2f} ms"
    )
    return rate


async def compare(rt: Runtime, args: argparse.Namespace, sink: Sink, port: int, cert: Path | None) -> None:
    """Our transport and the plain loop in turns; prints both medians and the ratio."""
    ours: list[Turn] = []
    plain: list[Turn] = []
    sample: list[tuple[str, bytes]] = []
    for turn in range(args.repeats):
        if turn:
            await resend_all(rt)
        outcome, measured = await measure(sink, args.deliver, lambda: deliver_pending(rt))
        if outcome.sent != args.deliver or outcome.failed:
            raise SystemExit(f"tbtwarn sent {outcome.sent} of {args.deliver}: {outcome.errors[:3]}")
        ours.append(measured)
        if not sample:
            async with rt.db.begin() as conn:
                sent = await list_messages(conn, "sent", limit=args.baseline * args.repeats, bodies=True)
            sample = [(m.recipient, m.message) for m in sent]
        part = sample[turn :: args.repeats]

        async def plain_loop(part: list[tuple[str, bytes]] = part) -> None:
            baseline(port, part, cert)

        plain.append((await measure(sink, len(part), plain_loop))[1])
    print(
        f"security: {'starttls' if cert else 'none'}; tbtwarn used {args.connections} connections, "
        f"batch_size {rt.config.smtp.batch_size}; sink: aiosmtpd in {len(sink.pids)} process(es), "
        f"{'its own line-by-line DATA' if sink.stock else 'DATA read in one piece'}"
    )
    print("load average (1, 5, 15 min; the machine is shared): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    our_rate = summary(f"tbtwarn smtp transport, {args.deliver} messages per turn", ours)
    plain_rate = summary(f"plain smtplib, a connection per message, {len(part)} per turn", plain)
    ratios = [o.rate / p.rate for o, p in zip(ours, plain, strict=True)]
    print(
        f"send rate ratio: {our_rate / plain_rate:.1f}x (median of turn ratios "
        f"{statistics.median(ratios):.1f}x: {', '.join(f'{r:.1f}' for r in ratios)}; target >= 5x)"
    )


async def run(args: argparse.Namespace, folder: Path, sink: Sink, port: int, cert: Path | None) -> None:
    config = folder / "config.toml"
    tls = f'security = "starttls"\nca_file = "{cert}"\n' if cert else ""
    config.write_text(
        'database_url = "sqlite+aiosqlite:///var/bench.db"\n'
        '[delivery]\ntransport = "smtp"\nsender = "TBT <tbt@zone.example.org>"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_second = 0\n'
        f"connections = {args.connections}\nbatch_size = {args.batch_size}\n{tls}",
        encoding="utf-8",
    )
    os.environ.setdefault("TBTWARN_SECRET", "bench-secret-of-at-least-16-bytes")
    rt = await Runtime.open(load_config(config), FixedClock(NOW))
    try:
        n_alerts = await seed(rt, args.subscribers, args.notifications, random.Random(6))
        print(f"seeded {args.subscribers} subscribers, {args.notifications} notifications, {n_alerts} alerts")
        t0 = time.perf_counter()
        composed = await plan(rt, ("daily",))
        render_s = time.perf_counter() - t0
        print(
            f"compose+render: {len(composed)} digests in {render_s:.2f} s "
            f"({len(composed) / render_s:.0f} digests/s; target 10,000 in < 20 s)"
        )
        t0 = time.perf_counter()
        queued = await write(rt, composed[: args.deliver])
        del composed
        print(f"outbox write: {queued} messages with their deliveries in {time.perf_counter() - t0:.2f} s")
        await compare(rt, args, sink, port, cert)
    finally:
        await rt.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--notifications", type=int, default=200)
    parser.add_argument("--deliver", type=int, default=5_000)
    parser.add_argument("--baseline", type=int, default=500, help="messages per turn of the plain loop")
    parser.add_argument("--repeats", type=int, default=3, help="turns of each sender")
    parser.add_argument("--security", choices=("starttls", "none"), default="starttls")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=10, help="[smtp] batch_size (the default: 10)")
    parser.add_argument("--sink-processes", type=int, default=1, help="aiosmtpd processes of the sink")
    parser.add_argument("--stock-sink", action="store_true", help="aiosmtpd's own DATA loop")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        tls = make_certificate(Path(folder)) if args.security == "starttls" else None
        sink = Sink(port, tls, args.sink_processes, args.stock_sink)
        try:
            asyncio.run(run(args, Path(folder), sink, port, tls[0] if tls else None))
        finally:
            sink.stop()


if __name__ == "__main__":
    main()
