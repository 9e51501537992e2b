"""Network sources misbehaving around the running daemon, over many
collection cycles: real HTTP servers on 127.0.0.1 serve a healthy ePing
API, an RSS feed that flaps between 503 and 200, an ePing API that answers
garbage and a feed that hangs. The healthy source is never held up; each
flapping item is stored once; garbage is kept and quarantined; health names
the failing sources; nothing is lost or mailed twice."""

from __future__ import annotations

import datetime as dt
import json
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import (
    Daemon,
    Event,
    assert_nothing_lost_or_twice,
    database,
    exporters_csv,
    job_finished,
    quiescent,
    recombined,
    reference_run,
    scalar,
    start_with_exporters,
    write_config,
)
from tests.reliability.servers import (
    EpingPages,
    FeedServer,
    Flapping,
    Hanging,
    Rotating,
    Route,
    eping_item,
    rss_feed,
)
from tests.reliability.test_faults import healthz
from warning.cli.main import main

EXPORTERS = exporters_csv(30)
#: Notifications the healthy source has at the start, and how many appear later.
GOOD_FIRST, GOOD_LATER = 24, 16
FLAPPING = 30
#: Timeouts of one second; the retry back-off runs on the scaled clock.
COLLECT = (
    "\n[collect]\ntotal_timeout_seconds = 1\nconnect_timeout_seconds = 1\nretries = 1\n"
    "backoff_base_seconds = 1\n"
)


def records(count: int, start: int) -> list[dict[str, Any]]:
    return [json.loads(line) for line in recombined(count, start=start)]


def garbage_replies() -> list[tuple[bytes, str, str]]:
    """(body, declared type, expected quarantine reason) of each garbage answer."""
    page = json.dumps({"items": [eping_item(r) for r in records(3, 700)], "totalCount": 3}).encode()
    feed = rss_feed(records(3, 700))
    html = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    return [
        (page[: len(page) // 2], "application/json", "page 1: not JSON: "),
        (feed[: len(feed) // 2], "application/json; charset=utf-8", "page 1: not JSON: Expecting value"),
        (html, "text/html", "page 1: expected JSON, got an HTML page (text/html)"),
        (b'{"statusCode": 401, "message": "Access denied"}', "application/json", "no 'items' list"),
    ]


def source(name: str, kind: str, url: str, extra: str = "") -> str:
    return f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nurl = "{url}"\ninterval_minutes = 1\n{extra}\n'


def finished_while_hanging(events: list[Event], other: str) -> int:
    """How many ``other`` jobs finished while a collection of the hanging
    source was under way (from its start to its end, each run: the span
    stretches with the machine's load as the other jobs do, where a fixed
    two-second window would not)."""
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    begin: dt.datetime | None = None
    for e in events:
        if e.get("event") == "job_start" and e.get("job") == "collect:hang":
            begin = dt.datetime.fromisoformat(e["ts"])
        elif begin is not None and job_finished("collect:hang")(e):
            spans.append((begin, dt.datetime.fromisoformat(e["ts"])))
            begin = None
    return sum(
        1
        for e in events
        if job_finished(other)(e)
        and any(start <= dt.datetime.fromisoformat(e["ts"]) < end for start, end in spans)
    )


def test_http_sources_hang_send_garbage_and_flap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good_records, flap_records = records(GOOD_FIRST + GOOD_LATER, 0), records(FLAPPING, 1000)
    good = EpingPages(good_records[:GOOD_FIRST])
    flap = Flapping(flap_records, period=3, step=10)
    garbage = Rotating([(body, kind) for body, kind, _ in garbage_replies()])
    hang = Hanging(rss_feed(flap_records[:3]))
    feed_all = Rotating([(rss_feed(flap_records), "application/rss+xml")])
    routes: dict[str, Route] = {
        "/good": good,
        "/flap": flap,
        "/garbage": garbage,
        "/hang": hang,
        "/flap-all": feed_all,
    }
    with FeedServer(routes) as server:
        sources = (
            source("good", "eping", server.url("/good"), "page_size = 10")
            + source("flap", "rss", server.url("/flap"))
            + source("garbage", "eping", server.url("/garbage"))
            + source("hang", "rss", server.url("/hang"))
        )
        folder = tmp_path / "daemon"
        folder.mkdir()
        config = write_config(folder, sources, extra=COLLECT)
        start_with_exporters(folder, config, EXPORTERS)
        daemon = Daemon(config)
        port = int(daemon.wait_event(lambda e: e.get("event") == "daemon_ready", "start")["port"])
        daemon.wait_until(lambda: daemon.count(job_finished("collect:good")) >= 3, "the good source thrice")
        good.records.extend(good_records[GOOD_FIRST:])  # new notifications appear at the source
        daemon.wait_until(lambda: flap.shown == FLAPPING, "every flapping item shown once up", timeout=60)
        total = GOOD_FIRST + GOOD_LATER + FLAPPING
        daemon.wait_settled(quiescent(folder, total), "every notification stored, alerted and mailed")
        daemon.wait_until(
            lambda: daemon.count(job_finished("collect:garbage")) >= 2 * len(garbage.replies),
            "each garbage answer twice",
        )
        daemon.wait_until(lambda: daemon.count(job_finished("collect:hang")) >= 2, "the hanging source twice")

        # The hanging source never held up the others: while it waited out
        # its timeouts (two attempts a run), the healthy one went on.
        assert hang.requests >= 4
        assert finished_while_hanging(daemon.events, "collect:good") >= 2
        assert finished_while_hanging(daemon.events, "dispatch") >= 1
        # The flapping source failed on 503s, with retries, in several cycles and recovered.
        flap_runs = [e for e in daemon.events if job_finished("collect:flap")(e)]
        assert (
            sum(
                "HTTP 503 Service Unavailable (gave up after 2 attempts)" in (e["error"] or "")
                for e in flap_runs
            )
            >= 3
        )
        assert sum(e["error"] is None for e in flap_runs) >= FLAPPING // 10

        status, health = healthz(port)
        assert status == 503 and health["database"] is True
        assert "source hang: never collected successfully" in health["problems"]
        assert "source garbage: never collected successfully" in health["problems"]
        state = {s["name"]: s for s in health["sources"]}
        assert "timed out (gave up after 2 attempts)" in state["hang"]["last_error"]
        assert state["garbage"]["last_error"].startswith("page 1: ")
        assert state["garbage"]["consecutive_failures"] >= 2 * len(garbage.replies)
        assert state["good"]["consecutive_failures"] == 0 and state["good"]["last_success_at"]
        assert state["flap"]["last_success_at"] and "HTTP 503" in state["flap"]["last_error"]
        # The command reads the same report (in-process: a second interpreter costs seconds).
        assert main(["--config", str(config), "health"]) == 1
        out = capsys.readouterr().out
        assert "problem: source hang: never collected successfully" in out
        assert "source good: last success 2026-" in out

        # Stops in time although the hanging source's request is still open.
        code, took = daemon.stop(signal.SIGTERM)
        assert code == 0 and took < 10

        with database(folder) as conn:
            # Each flapping item stored once, from the one payload per version of the feed.
            flap_keys = [
                r[0]
                for r in conn.execute(
                    "SELECT n.key FROM notification_sources s"
                    " JOIN notifications n ON n.id = s.notification_id WHERE s.source_name = 'flap'"
                )
            ]
            assert sorted(flap_keys) == sorted(r["symbols"][0] for r in flap_records)
            # Garbage: each answer kept once, byte for byte, and quarantined once with its reason.
            kept = conn.execute(
                "SELECT r.payload, q.reason, q.position FROM raw_records r"
                " JOIN quarantine q ON q.raw_id = r.id WHERE r.source_name = 'garbage'"
            ).fetchall()
        assert scalar(folder, "SELECT count(*) FROM raw_records WHERE source_name = 'flap'") == FLAPPING // 10
        quarantined = scalar(folder, "SELECT count(*) FROM quarantine WHERE source_name = 'garbage'")
        assert quarantined == len(kept) == len(garbage.replies)
        by_payload = {bytes(payload): (reason, position) for payload, reason, position in kept}
        for body, _, reason in garbage_replies():
            assert reason in by_payload[body][0] and by_payload[body][1] == "document", by_payload.get(body)

        reference_sources = source("good", "eping", server.url("/good"), "page_size = 10") + source(
            "flap", "rss", server.url("/flap-all")
        )
        reference = reference_run(tmp_path / "reference", reference_sources, EXPORTERS)
    assert_nothing_lost_or_twice(folder, reference)
