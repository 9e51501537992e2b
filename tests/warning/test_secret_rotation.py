"""Rotating ``TBTWARN_SECRET``: links already emailed keep working while the
previous secret is kept (verification only), and a secret changed without it
is reported in one line at start."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from urllib.parse import urlparse

import pytest
from aiohttp.test_utils import TestClient, TestServer

from notifications.links import Links
from warning.runtime import Runtime
from warning.tokens import Signer, TokenError, service_signer
from warning.web.app import create_app

NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
OLD = "old-secret-0123456789abcdef0123"
NEW = "new-secret-0123456789abcdef0123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TBTWARN_SECRET", "TBTWARN_SECRET_PREVIOUS", "TBTWARN_SECRET_PREVIOUS_UNTIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("warning.tokens._warned", set(), raising=False)


def test_previous_secret_verifies_but_never_signs() -> None:
    old_token = Signer(OLD.encode()).sign("feedback", {"a": 1}, NOW + dt.timedelta(days=30))
    rotated = Signer(NEW.encode(), [OLD.encode()])
    assert rotated.verify(old_token, "feedback", NOW) == {"a": 1}
    new_token = rotated.sign("feedback", {"a": 2}, NOW + dt.timedelta(days=30))
    assert Signer(NEW.encode()).verify(new_token, "feedback", NOW) == {"a": 2}
    with pytest.raises(TokenError, match="signature"):
        Signer(OLD.encode()).verify(new_token, "feedback", NOW)


def test_grace_period_ends(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old_token = Signer(OLD.encode()).sign("feedback", {"a": 1}, NOW + dt.timedelta(days=300))
    monkeypatch.setenv("TBTWARN_SECRET", NEW)
    monkeypatch.setenv("TBTWARN_SECRET_PREVIOUS", OLD)
    monkeypatch.setenv("TBTWARN_SECRET_PREVIOUS_UNTIL", "2027-03-01")
    signer = service_signer(tmp_path, NOW)
    assert signer.verify(old_token, "feedback", dt.datetime(2027, 2, 28, 23, tzinfo=dt.UTC)) == {"a": 1}
    with pytest.raises(TokenError, match="signature"):
        signer.verify(old_token, "feedback", dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    monkeypatch.setenv("TBTWARN_SECRET_PREVIOUS_UNTIL", "next spring")
    with pytest.raises(TokenError, match="TBTWARN_SECRET_PREVIOUS_UNTIL must be a date"):
        service_signer(tmp_path, NOW)


def test_a_changed_secret_is_reported_once_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "secret").write_text(OLD + "\n")
    monkeypatch.setenv("TBTWARN_SECRET", NEW)
    with caplog.at_level(logging.WARNING, logger="tbtwarn.tokens"):
        service_signer(tmp_path, NOW)
        service_signer(tmp_path, NOW)
    [record] = caplog.records
    message = record.getMessage()
    assert "\n" not in message
    assert f"TBTWARN_SECRET differs from the secret in {tmp_path / 'secret'}" in message
    assert "TBTWARN_SECRET_PREVIOUS" in message and OLD not in message and NEW not in message
    caplog.clear()
    # Kept as the previous secret, or the same secret: nothing to report.
    monkeypatch.setattr("warning.tokens._warned", set(), raising=False)
    with caplog.at_level(logging.WARNING, logger="tbtwarn.tokens"):
        monkeypatch.setenv("TBTWARN_SECRET_PREVIOUS", OLD)
        service_signer(tmp_path, NOW)
        monkeypatch.delenv("TBTWARN_SECRET_PREVIOUS")
        monkeypatch.setenv("TBTWARN_SECRET", OLD)
        service_signer(tmp_path, NOW)
    assert caplog.records == []


async def test_emailed_links_survive_a_rotation_with_the_previous_secret(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    var = runtime.config.base_dir / "var"
    var.mkdir(exist_ok=True)
    (var / "secret").write_text(OLD)  # what signed the links before the rotation
    emailed = Links("http://x", Signer(OLD.encode()), runtime.now(), dt.timedelta(days=90))
    url = urlparse(emailed.unsubscribe(1, "a@example.com"))
    path = f"{url.path}?{url.query}"
    monkeypatch.setenv("TBTWARN_SECRET", NEW)

    async def status() -> int:
        async with TestClient(TestServer(create_app(runtime))) as client:
            return (await client.get(path)).status

    assert await status() == 400  # rotated without keeping the old secret: the link is dead
    monkeypatch.setenv("TBTWARN_SECRET_PREVIOUS", OLD)
    assert await status() == 200
