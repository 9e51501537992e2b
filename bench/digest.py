"""Benchmark: compose and render digests for 10,000 subscribers over 200
notifications, then deliver 5,000 of them to a local aiosmtpd (in its own
process), against a plain smtplib loop that opens a connection per message.

    .venv/bin/python bench/digest.py [--subscribers 10000] [--notifications 200]
        [--deliver 5000] [--baseline 1500] [--security starttls|none]

With ``--security starttls`` (the default, as relays on port 587 require) the
sink requires STARTTLS with a throw-away self-signed certificate, and both
senders negotiate TLS: once per connection.

Prints the figures; both send rates are measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
from warning.storage.schema import alerts, exporters  # noqa: E402
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


def start_server(port: int, tls: tuple[Path, Path] | None) -> subprocess.Popen[str]:
    """aiosmtpd in its own process, so it does not share the benchmark's CPU time slice."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port), *map(str, tls or ())],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise SystemExit("the SMTP sink did not start")
    return proc


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


def baseline(port: int, messages: list[tuple[str, bytes]], cert: Path | None) -> float:
    """Seconds for a plain smtplib loop opening one connection per message."""
    context = ssl.create_default_context(cafile=str(cert)) if cert else None
    start = time.perf_counter()
    for recipient, data in messages:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.example") as client:
            if context is not None:
                client.starttls(context=context)
            client.sendmail("tbt@zone.example.org", [recipient], data)
    return time.perf_counter() - start


async def run(args: argparse.Namespace, folder: Path, port: int, cert: Path | None) -> None:
    config = folder / "config.toml"
    tls = f'security = "starttls"\nca_file = "{cert}"\n' if cert else ""
    config.write_text(
        'database_url = "sqlite+aiosqlite:///var/bench.db"\n'
        '[delivery]\ntransport = "smtp"\nsender = "TBT <tbt@zone.example.org>"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_second = 0\n'
        f"connections = {args.connections}\n{tls}",
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
        print(f"outbox write: {queued} messages with their deliveries in {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        outcome = await deliver_pending(rt)
        send_s = time.perf_counter() - t0
        ours = outcome.sent / send_s
        print(
            f"tbtwarn smtp transport: {outcome.sent} sent, {outcome.failed} failed "
            f"in {send_s:.2f} s ({ours:.0f} msg/s)"
        )
        async with rt.db.begin() as conn:
            sample = [
                (m.recipient, m.message) for m in await list_messages(conn, "sent", limit=args.baseline)
            ]
    finally:
        await rt.close()
    runs = [baseline(port, sample[i::3], cert) / len(sample[i::3]) for i in range(3)]
    plain = 1 / statistics.median(runs)
    print(f"security: {'starttls' if cert else 'none'}; tbtwarn used {args.connections} connections")
    print("load average (1, 5, 15 min; the machine is shared): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"plain smtplib, a connection per message: {len(sample)} sent, median {plain:.0f} msg/s")
    print(f"send rate ratio: {ours / plain:.1f}x (target >= 5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--notifications", type=int, default=200)
    parser.add_argument("--deliver", type=int, default=5_000)
    parser.add_argument("--baseline", type=int, default=1_500, help="messages for the plain loop")
    parser.add_argument("--security", choices=("starttls", "none"), default="starttls")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        tls = make_certificate(Path(folder)) if args.security == "starttls" else None
        server = start_server(port, tls)
        try:
            asyncio.run(run(args, Path(folder), port, tls[0] if tls else None))
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
