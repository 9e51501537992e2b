"""A week of three ``tbtwarn run`` instances on one PostgreSQL database (issue 21's "done when").

Three daemons (started as the ``tbtwarn`` script starts them) share one
database, a loopback ePing API and an aiosmtpd server, on one scaled clock
(``TBTWARN_TIME_ORIGIN``: a simulated week lasts 98 real seconds). The
ePing API shows each notification from its distribution date on, ten a day;
contacts are immediate, daily or weekly; two officials get the weekly digest
and the monthly report. The job holder is killed (SIGKILL) twice: on the
week's third day while it classifies, and on the fourth to sixth while its
SMTP connections send a daily digest (the server kills it after storing a
message and before its 250: the documented crash window). The dead are not
restarted: the last two days are run by the one instance left.

At the end:

- every contact got each of its notifications as a single-instance run on the
  same data says (``run --once`` at the week's end: one email carrying each), no
  copy beyond the crash window (at most one per SMTP connection per kill, the
  same Message-ID arriving again), none lost;
- each scheduled digest ran once and went out once: seven daily digest runs,
  one weekly, one monthly report; one email per contact per daily digest run, one
  weekly digest per weekly contact, one officials' digest and report each.

The first kill spares an instance holding a digest job's lease; the second
falls while a daily digest is sent, after its emails were composed and
committed: the run counts as done (seven runs, not eight) and the outbox
recovers the emails. (A run killed while composing is made up: see
tests/warning/service/test_scheduler.py.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.reliability.backends import PgConnection, database_url, is_sqlite
from tests.reliability.harness import (
    ITEM_HEAD,
    ROOT,
    STARTED,
    SYMBOL,
    Daemon,
    Event,
    database,
    exporters_csv,
    mailed,
    recombination_base,
    step_started,
    write_config,
)
from tests.reliability.servers import FeedServer, MailServer, Route, eping_item

#: The week: Monday 29 June 2026, 02:00 UTC (10:00 in Shanghai), to the next Monday.
START = dt.datetime(2026, 6, 29, 2, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(days=7)
#: One scheduled day lasts 14 real seconds: longer than an instance's first
#: classification holds the shared-state lease (its classifier built on first
#: use: up to 10 s on a loaded two-core machine), so no digest slips a day.
SCALE = 14 / 86400
PER_DAY = 10
DAYS = 7
EXPORTERS = 36
OFFICIALS = ["official1@gov.example.cn", "official2@gov.example.cn"]
CONNECTIONS = 2
KILLS = 2
#: Daily digests at 20:00 in Shanghai (12:00 UTC), the week's seven evenings
#: only: the cron fires no eighth time while the test winds up.
#: Job leases of 10 real seconds: an instance stalled that long on a loaded
#: machine would lose its lease to another while still working (a dead one's
#: are taken over at once here: its process is gone, on the same machine).
SCHEDULE = 'daily_digest = "0 20 29,30,1,2,3,4,5 6,7 *"\ndispatch_minutes = 120\nlease_seconds = 10\n'
#: An email's claim lasts 600 scheduled seconds by default: 0.1 real second
#: here, shorter than a loaded machine may take to send it, so another
#: instance would send it again while it is still being sent. 30 real seconds.
CLAIM_SECONDS = round(30 / SCALE)
#: Where real seconds are the bound of a wait, never a measure.
PATIENCE = 240.0


def week_records() -> list[dict[str, Any]]:
    """``PER_DAY`` distinct notifications distributed on each day of the week,
    their comment deadlines far enough off that no level changes within it."""
    base = recombination_base()
    records = []
    for n in range(PER_DAY * DAYS):
        record = dict(base[n % len(base)])
        area, member = record["symbols"][0].split("/")[1], record["symbols"][0].split("/")[3]
        day = (START + dt.timedelta(days=n // PER_DAY)).date()
        record |= {
            "symbols": [f"G/{area}/N/{member}/{80000 + n}"],
            "record_id": 2_000_000 + n,
            "distribution_date": day.isoformat(),
            "comment_deadline": (day + dt.timedelta(days=90)).isoformat(),
        }
        records.append(record)
    return records


@dataclass
class DatedEping:
    """The ePing search API answering the date window asked for
    (``distributionDateFrom``/``To``), as the real one does: a notification
    appears once the daemon's clock reaches its distribution date."""

    records: list[dict[str, Any]]
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    async def answer(self, request: web.Request, release: asyncio.Event) -> web.StreamResponse:
        self.requests += 1
        self.statuses[200] += 1
        first = request.query.get("distributionDateFrom", "0000")
        last = request.query.get("distributionDateTo", "9999")
        shown = [r for r in self.records if first <= r["distribution_date"] <= last]
        size = int(request.query.get("pageSize", "100"))
        page = int(request.query.get("page", "1"))
        items = [eping_item(r) for r in shown[(page - 1) * size : page * size]]
        return web.json_response({"items": items, "totalCount": len(shown)})


#: What each instance runs: the ``tbtwarn`` script's ``warning.cli.entry`` once
#: its slow imports are done and the test has said when the week's clock starts
#: (one line on stdin, the ``TBTWARN_TIME_ORIGIN``): three cold starts took
#: from 3 to over 45 s on a loaded machine, and the week must not start before
#: the instances do.
WARM_START = """
import os, sys
from warning.cli import entry
import warning.cli.main, warning.service.daemon, warning.web.app
print("imported", flush=True)
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nobody reads the pipe from here on
os.environ["TBTWARN_TIME_ORIGIN"] = sys.stdin.readline().strip()
sys.argv = ["tbtwarn", "--config", sys.argv[1], "run", "--port", "0"]
sys.exit(entry.main())
"""


class WarmDaemon(Daemon):
    """A :class:`Daemon` started in two steps: imports, then ``tbtwarn run``
    on the clock given by :meth:`start_clock`."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        # Not Daemon.__init__: the same process, started through WARM_START.
        STARTED.append(self)
        self.config = config
        self.events: list[Event] = []
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WARM_START, str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ | env,
            cwd=ROOT,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def imported(self) -> None:
        assert self.proc.stdout is not None
        said = self.proc.stdout.readline().strip()  # empty if it died
        assert said == "imported", f"the instance did not start: {said!r} {self.events[-3:]}"

    def start_clock(self, origin: float) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{origin!r}\n")
        self.proc.stdin.close()


def now_of(origin: float) -> dt.datetime:
    """The daemons' scheduled time (the clock they share)."""
    return START + dt.timedelta(seconds=(time.time() - origin) / SCALE)


def safe_victim(conn: PgConnection | sqlite3.Connection, pid: int) -> bool:
    """Whether ``pid`` holds no digest or report job (see the module's docstring)."""
    held = conn.execute(
        "SELECT count(*) FROM job_leases WHERE pid = "
        f"{int(pid)} AND name IN ('job:daily-digest', 'job:weekly-digest', 'job:monthly-report')"
    ).fetchone()
    return held is not None and held[0] == 0


def sending_window(at: dt.datetime) -> bool:
    """When the mail server kills the instance sending: the fourth to sixth days."""
    return START + dt.timedelta(days=3) <= at < START + dt.timedelta(days=6)


@dataclass
class KillingMailbox:
    """aiosmtpd handler keeping each message it accepts; once ``armed``, within
    :func:`sending_window` it kills the instance sending a daily digest (the
    shared-state lease's holder) after storing a message and before answering
    250. A daily digest being sent was composed and committed: its job has
    nothing left to lose (see the module's docstring)."""

    origin: float = 0.0
    reader: PgConnection | None = None
    armed: bool = False
    received: list[tuple[str, bytes]] = field(default_factory=list)
    #: The instances killed (by the test too).
    killed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.extend((rcpt, envelope.content) for rcpt in envelope.rcpt_tos)
        if self.armed and self.reader is not None and sending_window(now_of(self.origin)):
            mid = str(message_from_bytes(envelope.content, policy=policy.default)["Message-ID"])
            try:
                row = self.reader.execute(
                    "SELECT o.kind, l.pid FROM outbox o, job_leases l"
                    f" WHERE o.message_id = '{mid}' AND l.name = 'shared-state'"
                ).fetchone()
            except Exception as exc:  # the test reports it (aiosmtpd would answer 451)
                self.errors.append(repr(exc))
                row = None
            if row is not None and row[0] == "daily":
                self.armed = False
                self.killed.append(int(row[1]))
                os.kill(int(row[1]), signal.SIGKILL)
        return "250 OK: queued"


class Week:
    """The instances running and the test's view of their shared clock."""

    def __init__(self, config: Path, killed: list[int]) -> None:
        env = {
            "TBTWARN_NOW": START.isoformat(),
            "TBTWARN_TIME_SCALE": repr(SCALE),
            "TBTWARN_SECRET": "one-secret-shared-by-the-instances",
        }
        self.killed = killed
        self.warming = [WarmDaemon(config, env) for _ in range(3)]
        self.daemons: list[Daemon] = []
        self.gone: list[Daemon] = []
        self.origin = 0.0

    def begin(self) -> None:
        """Start the week once the instances have done their imports."""
        for daemon in self.warming:
            daemon.imported()
        # The week starts a little after the instances are told (they still
        # open the database and plan); a digest due before one is ready is made up.
        self.origin = time.time() + 3
        for daemon in self.warming:
            daemon.start_clock(self.origin)
        self.daemons += self.warming

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
        """Wait until ``condition()`` holds, re-checking whenever an instance logs (or 50 ms pass)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what} (scheduled time {now_of(self.origin)}); "
                    f"{[d.events[-3:] for d in self.daemons]}"
                )
            for daemon in self.daemons:
                code = daemon.proc.poll()
                if code is not None and daemon.proc.pid not in self.killed:
                    raise AssertionError(f"an instance exited ({code}): {daemon.events[-5:]}")
                try:
                    daemon._queue.get(timeout=0.05 / len(self.daemons))
                except queue.Empty:
                    continue

    def kill(self, daemon: Daemon) -> None:
        self.killed.append(daemon.proc.pid)
        daemon.kill()

    def forget(self, pid: int) -> None:
        """The instance killed (``pid``) is gone; the others carry on."""
        (dead,) = [d for d in self.daemons if d.proc.pid == pid]
        dead.proc.wait(timeout=30)
        assert dead.proc.returncode == -signal.SIGKILL
        self.daemons.remove(dead)
        self.gone.append(dead)

    def count(self, match: Callable[[dict[str, Any]], bool]) -> int:
        return sum(d.count(match) for d in self.daemons + self.gone)


def job_started(job: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("event") == "job_start" and e.get("job") == job


def one_shot(config: Path, now: dt.datetime, *args: str) -> None:
    """A ``tbtwarn`` command in this process at ``now``."""
    from warning.cli.main import main

    previous = os.environ.get("TBTWARN_NOW")
    os.environ["TBTWARN_NOW"] = now.isoformat()
    try:
        assert main(["--config", str(config), *args]) == 0, args
    finally:
        if previous is None:
            del os.environ["TBTWARN_NOW"]
        else:
            os.environ["TBTWARN_NOW"] = previous


async def set_up_week(config: Path) -> None:
    """Make a third of the contacts each immediate, daily and weekly (as
    ``tbtwarn subscriptions set`` does, in one go), and record every job as
    known from the week's start, so a run due while the instances are still
    starting is made up at once, not skipped."""
    from dataclasses import replace

    from warning.clock import FixedClock
    from warning.config import load_config
    from warning.runtime import Runtime
    from warning.service.daemon import Daemon as Service
    from warning.storage.exporters import load_exporters
    from warning.storage.subscriptions import load_subscriptions, save_choices, sync_from_register

    rt = await Runtime.open(load_config(config), FixedClock(START))
    try:
        async with rt.db.begin() as conn:
            await sync_from_register(conn, await load_exporters(conn), rt.now())
            for stored in await load_subscriptions(conn, active_only=False):
                n = int(stored.subscription.email[1:5])
                new = replace(stored.subscription, frequency=("immediate", "daily", "weekly")[n % 3])
                await save_choices(conn, stored, new, rt.now(), active=True)
        await Service(rt).plan()
    finally:
        await rt.close()


def sources(url: str) -> str:
    return f'[[sources]]\nname = "eping"\nkind = "eping"\nurl = "{url}"\ninterval_minutes = 120\n'


def smtp(port: int) -> str:
    return (
        '[delivery]\ntransport = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_second = 0\n'
        f"connections = {CONNECTIONS}\ntimeout_seconds = 30\nlease_seconds = {CLAIM_SECONDS}\n"
    )


def week_config(folder: Path, url: str, port: int) -> Path:
    """The week's config, and its register of exporters to import."""
    officials = ", ".join(f'"{o}"' for o in OFFICIALS)
    extra = f"\n[digest]\nofficials = [{officials}]\nfull_items = 0\n"
    (folder / "exporters.csv").write_text(exporters_csv(EXPORTERS), encoding="utf-8")
    return write_config(folder, sources(url), extra=extra, schedule=SCHEDULE, delivery=smtp(port))


def reference(folder: Path, url: str) -> dict[str, list[set[str]]]:
    """What one instance sends for the week's notifications: ``run --once`` at its end."""
    folder.mkdir()
    (folder / "exporters.csv").write_text(exporters_csv(EXPORTERS), encoding="utf-8")
    config = write_config(folder, sources(url), schedule="")
    one_shot(config, START, "import", "exporters", str(folder / "exporters.csv"), "--skip-bad")
    one_shot(config, END, "run", "--once")
    return mailed(folder / "var" / "outbox")


def settled(folder: Path, origin: float) -> Callable[[], bool]:
    """The week over, every notification alerted, every alert and digest mailed."""

    def check() -> bool:
        if now_of(origin) < END:
            return False
        with database(folder) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM notifications),"
                " (SELECT count(*) FROM notifications"
                "  WHERE classified_hash IS NULL OR classified_hash <> content_hash),"
                " (SELECT count(*) FROM alerts a WHERE NOT EXISTS"
                "  (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id)),"
                " (SELECT count(*) FROM outbox WHERE status != 'sent'),"
                " (SELECT count(*) FROM outbox WHERE kind = 'weekly')"
            ).fetchone()
        return row is not None and tuple(row[:4]) == (PER_DAY * DAYS, 0, 0, 0) and row[4] > 0

    return check


def test_three_instances_through_a_week_with_two_kills(tmp_path: Path, folder: Path) -> None:
    if is_sqlite(folder):
        pytest.skip("several instances need PostgreSQL (TBTWARN_TEST_PG_URL)")
    mailbox = KillingMailbox()
    routes: dict[str, Route] = {"/eping": DatedEping(week_records())}
    with FeedServer(routes) as feed, MailServer(mailbox) as mail:  # type: ignore[arg-type]
        config = week_config(folder, feed.url("/eping"), mail.port)
        week = Week(config, mailbox.killed)  # importing while the test prepares
        want = reference(tmp_path / "reference", feed.url("/eping"))
        one_shot(config, START, "import", "exporters", str(folder / "exporters.csv"), "--skip-bad")
        asyncio.run(set_up_week(config))
        mailbox.reader = PgConnection(database_url(folder))
        try:
            week.begin()
            mailbox.origin = week.origin
            week.wait(
                lambda: all(d.count(lambda e: e.get("event") == "daemon_ready") for d in week.daemons),
                "the three instances started",
            )
            run_the_week(week, folder, mailbox)
        finally:
            mailbox.reader.close()
        for daemon in week.daemons:
            code, _ = daemon.stop(signal.SIGTERM)
            assert code == 0
        received = list(mailbox.received)
    check_mail(folder, received, want)
    check_digests(folder, week)


def run_the_week(week: Week, folder: Path, mailbox: KillingMailbox) -> None:
    # Kill 1: on the third day, the instance classifying (it holds the collection's lease).
    third_day = START + dt.timedelta(days=2, hours=2)
    week.wait(lambda: now_of(week.origin) >= third_day, "the week's third day")
    seen = {d.proc.pid: len(d.events) for d in week.daemons}
    victims: list[Daemon] = []

    def classifying() -> bool:
        for d in week.daemons:
            if any(step_started("classify")(e) for e in d.events[seen[d.proc.pid] :]):
                with database(folder) as conn:
                    if safe_victim(conn, d.proc.pid):
                        victims.append(d)
                        return True
                seen[d.proc.pid] = len(d.events)
        return False

    week.wait(classifying, "an instance classifying")
    week.kill(victims[0])
    week.forget(victims[0].proc.pid)
    # Kill 2: later in the week, by the mail server, within a daily digest.
    mailbox.armed = True
    week.wait(
        lambda: len(mailbox.killed) == KILLS,
        f"the mail server killing the instance sending {mailbox.errors[-1:]}",
    )
    week.forget(mailbox.killed[-1])
    week.wait(settled(folder, week.origin), "the week over and everything mailed")


def check_mail(folder: Path, received: list[tuple[str, bytes]], want: dict[str, list[set[str]]]) -> None:
    """Every contact got each of its notifications once (crash-window copies aside); nothing lost."""
    with database(folder) as conn:
        outbox = {
            str(m): (str(r), str(k))
            for m, r, k in conn.execute("SELECT message_id, recipient, kind FROM outbox")
        }
    arrived: Counter[tuple[str, str]] = Counter()
    symbols: dict[str, dict[str, set[str]]] = {}
    for rcpt, data in received:
        message = message_from_bytes(data, policy=policy.default)
        mid = str(message["Message-ID"])
        arrived[(rcpt, mid)] += 1
        body = message.get_body(("plain",))
        assert body is not None, mid
        if rcpt not in OFFICIALS:
            heads = ITEM_HEAD.findall(body.get_content())  # type: ignore[attr-defined]
            symbols.setdefault(rcpt, {})[mid] = {s for head in heads for s in SYMBOL.findall(head)}
    lost = [m for m, (r, _) in outbox.items() if (r, m) not in arrived]
    copies = sum(n - 1 for n in arrived.values())
    print(f"\n{len(outbox)} messages, {sum(arrived.values())} arrived, {copies} copies, {len(lost)} lost")
    assert not lost, lost[:5]
    assert {m for _, m in arrived} <= set(outbox), "only the outbox's messages arrive"
    assert copies <= CONNECTIONS * KILLS, "more copies than one per SMTP connection per kill"
    assert set(symbols) == set(want)
    for rcpt, by_message in symbols.items():
        each = [s for found in by_message.values() for s in found]
        assert len(each) == len(set(each)), f"{rcpt} got a notification in two emails"
        assert set(each) == {s for email in want[rcpt] for s in email}, rcpt


def check_digests(folder: Path, week: Week) -> None:
    """Each scheduled digest ran once, and each contact got each daily digest run's email once."""
    runs = sorted(
        START
        + dt.timedelta(seconds=(dt.datetime.fromisoformat(str(e["ts"])).timestamp() - week.origin) / SCALE)
        for d in week.daemons + week.gone
        for e in d.events
        if job_started("daily-digest")(e)
    )
    assert len(runs) == DAYS, f"daily digest runs at {runs}"
    assert week.count(job_started("weekly-digest")) == 1
    assert week.count(job_started("monthly-report")) == 1
    with database(folder) as conn:
        rows = [
            (str(r), str(k), c if isinstance(c, dt.datetime) else dt.datetime.fromisoformat(str(c)))
            for r, k, c in conn.execute("SELECT recipient, kind, created_at FROM outbox")
        ]
    # A digest composed late is labelled with the day it was composed (a run
    # delayed past midnight in Shanghai names the next day): each email is
    # told to its run by when it was queued, on the clock the instances share.
    daily = Counter(
        (r, max(n for n, run in enumerate(runs) if run <= c.replace(tzinfo=dt.UTC)))
        for r, kind, c in rows
        if kind == "daily"
    )
    assert daily and max(daily.values()) == 1, "a contact got two emails from one daily digest run"
    weekly = Counter(r for r, kind, _ in rows if kind == "weekly")
    assert weekly and set(weekly.values()) == {1}
    officials = Counter((r, kind) for r, kind, _ in rows if r in OFFICIALS)
    assert set(officials.values()) == {1} and len(officials) == 2 * len(OFFICIALS), officials
