"""Health, backup, JSON logs, and the whole pipeline on every storage backend."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import WriteConfig, save_demo_exporters
from warning.cli.main import main
from warning.clock import FixedClock
from warning.exceptions import BackupError
from warning.logs import JsonFormatter
from warning.pipeline import run_once
from warning.runtime import Runtime
from warning.service.backup import backup_database
from warning.service.daemon import build_web_app
from warning.service.health import check_health
from warning.storage.schema import alerts, notifications, outbox


async def _import_demo(rt: Runtime) -> None:
    await save_demo_exporters(rt)


async def _count(rt: Runtime, table: sa.Table) -> int:
    async with rt.db.begin() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_pipeline_on_every_backend_then_healthy(runtime: Runtime, clock: FixedClock) -> None:
    before = await check_health(runtime)
    assert before.database and not before.healthy
    assert before.problems == ["source sample: never collected successfully"]

    await _import_demo(runtime)
    summary = await run_once(runtime)
    assert summary.ok and summary.queued > 0 and summary.delivery.sent == summary.queued
    assert await _count(runtime, notifications) == 115
    again = await run_once(runtime)
    assert again.queued == 0 and await _count(runtime, outbox) == summary.queued

    report = await check_health(runtime)
    assert report.healthy, report.problems
    assert report.sources[0].last_success_at == clock.now().isoformat()
    assert (report.outbox_pending, report.outbox_failed) == (0, 0)

    clock.advance(dt.timedelta(hours=4))  # three one-hour intervals without a collection
    stale = await check_health(runtime)
    assert stale.problems == ["source sample: no successful collection since 2026-11-24T02:00:00+00:00"]


async def test_healthz_endpoint(runtime: Runtime) -> None:
    async with TestClient(TestServer(build_web_app(runtime))) as client:
        response = await client.get("/healthz")
        body = await response.json()
    assert response.status == 503
    assert body["healthy"] is False and body["database"] is True
    assert body["sources"] == [
        {"name": "sample", "last_success_at": None, "consecutive_failures": 0, "last_error": None}
    ]
    await run_once(runtime)
    async with TestClient(TestServer(build_web_app(runtime))) as client:
        response = await client.get("/healthz")
        body = await response.json()
    assert response.status == 200 and body["healthy"] is True


def test_health_command_exit_codes(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TBTWARN_NOW", "2026-07-01T00:00:00+00:00")
    cfg = str(write_config())
    assert main(["--config", cfg, "health"]) == 1
    assert "problem: source sample: never collected successfully" in capsys.readouterr().out
    assert main(["--config", cfg, "run", "--once"]) == 0
    assert main(["--config", cfg, "health", "--json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") :])
    assert report["healthy"] is True and report["sources"][0]["name"] == "sample"


def test_health_command_database_unreachable(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(extra="")
    text = cfg.read_text(encoding="utf-8").replace(
        "sqlite+aiosqlite:///var/test.db", "postgresql+asyncpg://nobody:x@127.0.0.1:9/none"
    )
    cfg.write_text(text, encoding="utf-8")
    assert main(["--config", str(cfg), "health"]) == 1
    assert "database or file error" in capsys.readouterr().err


@pytest.mark.sqlite_only
async def test_backup_while_a_writer_holds_a_transaction(runtime: Runtime, tmp_path: Path) -> None:
    await _import_demo(runtime)
    await run_once(runtime)
    db_file = Path(str(sa.engine.make_url(runtime.config.database_url).database))
    # Another process's write in flight: the backup holds what was committed.
    writer = sqlite3.connect(db_file)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM alerts")
    try:
        size = await backup_database(runtime.config.database_url, tmp_path / "copy.db")
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("SELECT count(*) FROM notifications").fetchone()[0] == 115
        assert copy.execute("SELECT count(*) FROM alerts").fetchone()[0] == await _count(runtime, alerts) > 0
    finally:
        copy.close()
    assert size == (tmp_path / "copy.db").stat().st_size


async def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="PostgreSQL: back it up with pg_dump"):
        await backup_database("postgresql+asyncpg://u@localhost/tbt", tmp_path / "x.dump")
    with pytest.raises(BackupError, match="no database file"):
        await backup_database(f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.db")


def test_json_log_lines_carry_the_extra_fields() -> None:
    record = logging.LogRecord("tbtwarn.daemon", logging.INFO, __file__, 1, "job %s started", ("x",), None)
    record.event = "job_start"
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "job x started" and data["event"] == "job_start"
    assert data["level"] == "INFO" and data["logger"] == "tbtwarn.daemon"
