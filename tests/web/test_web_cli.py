"""``tbtwarn users`` and ``tbtwarn feed-url`` through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DEMO_EXPORTERS, WriteConfig
from warning.cli.main import main
from warning.tokens import Signer, load_secret


def test_users_add_and_list(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(write_config())
    monkeypatch.setenv("TBTWARN_NOW", "2026-06-17T02:00:00+00:00")
    monkeypatch.setenv("STAFF_PW", "a long enough password")
    assert (
        main(
            [
                "--config",
                cfg,
                "users",
                "add",
                "Li.Wei@Zone.example",
                "--role",
                "official",
                "--password-env",
                "STAFF_PW",
            ]
        )
        == 0
    )
    assert "added li.wei@zone.example (official)" in capsys.readouterr().out
    assert (
        main(
            [
                "--config",
                cfg,
                "users",
                "add",
                "li.wei@zone.example",
                "--role",
                "admin",
                "--password-env",
                "STAFF_PW",
            ]
        )
        == 1
    )
    assert "already exists" in capsys.readouterr().err
    assert (
        main(
            [
                "--config",
                cfg,
                "users",
                "add",
                "x@zone.example",
                "--role",
                "admin",
                "--password-env",
                "UNSET_VAR",
            ]
        )
        == 1
    )
    assert "UNSET_VAR is not set" in capsys.readouterr().err
    monkeypatch.setenv("SHORT_PW", "short")
    assert (
        main(
            [
                "--config",
                cfg,
                "users",
                "add",
                "y@zone.example",
                "--role",
                "admin",
                "--password-env",
                "SHORT_PW",
            ]
        )
        == 1
    )
    assert "8 characters" in capsys.readouterr().err
    assert main(["--config", cfg, "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "li.wei@zone.example\tofficial\tzh\tnever signed in" in out and "1 staff accounts" in out


def test_feed_url_is_signed_for_the_exporter(
    write_config: WriteConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import datetime as dt

    cfg = str(write_config())
    monkeypatch.setenv("TBTWARN_NOW", "2026-06-17T02:00:00+00:00")
    monkeypatch.delenv("TBTWARN_SECRET", raising=False)
    assert main(["--config", cfg, "import", "exporters", str(DEMO_EXPORTERS)]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "feed-url", "济南鲁缘化妆品有限公司"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://127.0.0.1:8080/feeds/exporter/") and url.endswith(".atom")
    token = url.rsplit("/", 1)[1].removesuffix(".atom")
    data = Signer(load_secret(tmp_path / "var")).verify(
        token, "exporter-feed", dt.datetime(2026, 6, 18, tzinfo=dt.UTC)
    )
    assert isinstance(data["exporter"], int)
    assert main(["--config", cfg, "feed-url", "Nobody Ltd"]) == 1


def test_serve_answers_and_stops_with_its_workers(write_config: WriteConfig, tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    cfg = str(write_config())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"TBTWARN_NOW": "2026-06-17T02:00:00+00:00"}
    command = [sys.executable, "-m", "warning.cli.main", "--config", cfg, "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", "2"], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert server.stdout is not None
        assert "web app on" in server.stdout.readline()
        for _ in range(4):  # connections spread over both processes; each answers
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as page:
                assert page.status == 200 and "Sign in" in page.read().decode()
                assert page.headers["X-Frame-Options"] == "DENY"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    with socket.socket() as probe:  # the worker left with its parent: nothing listens any more
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT leftovers
        probe.bind(("127.0.0.1", port))
        probe.listen()


@pytest.mark.parametrize(
    "address", ["bad-email", "two@@zone.example", "no-dot@zone", "a b@zone.example", "ctl\x01@zone.example"]
)
def test_users_add_refuses_a_bad_email_in_one_line(
    address: str,
    write_config: WriteConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = str(write_config())
    monkeypatch.setenv("STAFF_PW", "a long enough password")
    command = ["--config", cfg, "users", "add", address, "--role", "admin", "--password-env", "STAFF_PW"]
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an email address" in err and "Traceback" not in err
    assert main(["--config", cfg, "users", "list"]) == 0
    assert "0 staff accounts" in capsys.readouterr().out
