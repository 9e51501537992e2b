from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from warning.tokens import Signer, TokenError, load_secret

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_round_trip() -> None:
    signer = Signer(b"s" * 32)
    token = signer.sign("unsubscribe", {"email": "a@example.com"}, NOW + dt.timedelta(days=30))
    assert signer.verify(token, "unsubscribe", NOW) == {"email": "a@example.com"}


@pytest.mark.parametrize(
    ("mutate", "purpose", "at", "message"),
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "u", NOW, "signature"),
        (lambda t: "x" + t, "u", NOW, "signature"),
        (lambda t: t, "feedback", NOW, "not for 'feedback'"),
        (lambda t: t, "u", NOW + dt.timedelta(days=2), "expired"),
        (lambda t: t.split(".")[0], "u", NOW, "signature"),
    ],
)
def test_refused(mutate: object, purpose: str, at: dt.datetime, message: str) -> None:
    signer = Signer(b"s" * 32)
    token = signer.sign("u", {"x": 1}, NOW + dt.timedelta(days=1))
    with pytest.raises(TokenError, match=message):
        signer.verify(mutate(token), purpose, at)  # type: ignore[operator]


def test_other_secret_refused() -> None:
    token = Signer(b"a" * 32).sign("u", {}, NOW + dt.timedelta(days=1))
    with pytest.raises(TokenError):
        Signer(b"b" * 32).verify(token, "u", NOW)


def test_secret_from_env_or_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TBTWARN_SECRET", raising=False)
    first = load_secret(tmp_path)
    assert load_secret(tmp_path) == first and len(first) == 64
    assert (tmp_path / "secret").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("TBTWARN_SECRET", "from-the-environment-0123456789")
    assert load_secret(tmp_path) == b"from-the-environment-0123456789"
