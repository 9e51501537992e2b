"""``make run`` on the default config.toml, once per test session: its demo clock,
the bundled sample and demo register, its .eml files, and the web app over its
database (signed with the tests' secret, as the emails were)."""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import ROOT, SAMPLE
from tests.web.conftest import SECRET
from warning.cli.main import main
from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime
from warning.tokens import Signer
from warning.web.app import create_app

Client = TestClient[web.Request, web.Application]


def demo_now() -> dt.datetime:
    """The default config's demo clock."""
    now = load_config(ROOT / "config.toml").demo.now
    assert now is not None, "config.toml has a [demo] now"
    return now


def write_demo_config(folder: Path) -> Path:
    """The repository's config.toml, unchanged but for the sample's absolute path."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert 'path = "feeds/data/wto_sample.jsonl"' in text
    path = folder / "config.toml"
    path.write_text(
        text.replace('path = "feeds/data/wto_sample.jsonl"', f'path = "{SAMPLE}"'), encoding="utf-8"
    )
    return path


def make_run(config: Path) -> None:
    """What the Makefile's ``run`` target does, through the CLI entry point."""
    cfg = str(config)
    for args in (
        ["init"],
        ["import", "exporters", str(ROOT / "warning" / "data" / "demo_exporters.csv")],
        ["import", "exposure", str(ROOT / "warning" / "data" / "demo_exposure.csv")],
        ["run", "--once"],
    ):
        assert main(["--config", cfg, *args]) == 0, args


@dataclass(frozen=True)
class Email:
    path: Path
    to: str
    subject: str
    text: str
    html: str


def read_emails(outbox: Path) -> list[Email]:
    out = []
    for path in sorted(outbox.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        text, html = msg.get_body(("plain",)), msg.get_body(("html",))
        assert text is not None and html is not None
        out.append(Email(path, str(msg["To"]), str(msg["Subject"]), text.get_content(), html.get_content()))
    return out


PAGE_LINK = re.compile(r"https?://[^/\s\"]+(/exporter/notifications/\d+\?token=[^\s\"<]+)")


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where ``make run`` ran on the default config (its demo clock, no TBTWARN_NOW)."""
    folder = tmp_path_factory.mktemp("demo-run")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TBTWARN_NOW", raising=False)
        mp.setenv("TBTWARN_SECRET", SECRET.decode())
        make_run(write_demo_config(folder))
    return folder


@pytest.fixture
def demo_emails(demo_folder: Path) -> list[Email]:
    return read_emails(demo_folder / "var" / "outbox")


@pytest.fixture
async def demo_rt(demo_folder: Path, tmp_path: Path) -> AsyncIterator[Runtime]:
    """A runtime on a copy of the demo run's database, at the demo clock's moment."""
    config = write_demo_config(tmp_path)
    (tmp_path / "var").mkdir(exist_ok=True)
    shutil.copy(demo_folder / "var" / "tbtwarn.db", tmp_path / "var" / "tbtwarn.db")
    rt = await Runtime.open(load_config(config), FixedClock(demo_now()))
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
async def demo_client(demo_rt: Runtime) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(demo_rt, Signer(SECRET)))) as client:
        yield client
