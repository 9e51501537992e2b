"""Fixtures of the web tests: the bundled sample run through the pipeline once,
copied per test, with staff of every role and a hostile notification."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Browser, async_playwright
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import SAMPLE, save_demo_exporters
from warning.clock import FixedClock
from warning.config import load_config
from warning.pipeline import run_once
from warning.responses.attachments import store
from warning.runtime import Runtime
from warning.storage.applications import insert_application, update_application
from warning.storage.concerns import insert_attachment, insert_concern
from warning.storage.notifications import upsert_notification
from warning.storage.raw import quarantine_record, record_source_result
from warning.storage.responses import ensure_response_file
from warning.storage.schema import alerts
from warning.storage.sessions import create_session
from warning.storage.users import add_user
from warning.symbols import parse_symbol
from warning.tokens import Signer
from warning.types import Application, ConcernInput, Notification, RecordError, Role
from warning.web.app import create_app
from warning.web.security import SESSION_COOKIE, Session, encode_session, hash_password, new_session

#: Wednesday of the week of the sample's latest notification (2026-06-15).
WEB_NOW = dt.datetime(2026, 6, 17, 2, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
SECRET = b"web-tests-secret-0123456789abcdef"
ROLES: tuple[Role, ...] = ("official", "analyst", "admin")
HOSTILE_TITLE = "<script>document.title='pwned'</script> Toys & <b>bold</b>"
HOSTILE_KEY = "G/TBT/N/USA/9999"

#: Debian's chromium, never a downloaded one, with the flags the brief gives.
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_PRESENT = CHROMIUM.exists()


def email_of(role: str) -> str:
    return f"{role}@zone.example.gov.cn"


def write_web_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        'database_url = "sqlite+aiosqlite:///var/web.db"\n'
        f'[[sources]]\nname = "sample"\nkind = "file"\npath = "{SAMPLE}"\n'
        '[delivery]\ntransport = "outbox"\noutbox_dir = "var/outbox"\n',
        encoding="utf-8",
    )
    return path


async def _one_concern(conn: AsyncConnection, rt: Runtime) -> None:
    """A company's concern with one attached PDF (concern and attachment #1, issue 19)."""
    first = (await conn.execute(sa.select(alerts).order_by(alerts.c.id).limit(1))).one()
    concern = ConcernInput(
        first.notification_id,
        first.exporter_id,
        "contact@example.cn",
        ("3304",),
        ("KEN",),
        None,
        None,
        None,
        None,
        "Accept EN test reports",
        "en",
    )
    # Stored directly, no receipt email: the outbox stays as the other tests expect it.
    file, _ = await ensure_response_file(conn, first.notification_id, None, rt.now())
    concern_id = await insert_concern(conn, file.id, concern, rt.now())
    digest = store(rt.config.responses.attachments_dir, b"%PDF-1.7 study")
    await insert_attachment(
        conn,
        concern_id,
        filename="study.pdf",
        content_type="application/pdf",
        size=14,
        sha256=digest,
        now=rt.now(),
    )


async def _populate(config_path: Path) -> None:
    rt = await Runtime.open(load_config(config_path), FixedClock(WEB_NOW))
    try:
        await save_demo_exporters(rt)
        await run_once(rt)
        async with rt.db.begin() as conn:
            hostile = Notification(
                key=HOSTILE_KEY,
                symbols=(parse_symbol(HOSTILE_KEY),),
                area="TBT",
                member_codes=("USA",),
                member_name="United States <img src=x onerror=alert(1)>",
                notification_type="Regular notification",
                title=HOSTILE_TITLE,
                description="<script>alert('description')</script> zebra-unique-word",
                products="toys",
                distribution_date=dt.date(2026, 6, 16),
                comment_deadline=dt.date(2026, 7, 1),
                links=("javascript:alert(1)", "https://example.org/doc.pdf"),
            )
            await upsert_notification(conn, hostile, rt.now())
            # Warning levels come from issue 5; give the first alerts levels and reasons.
            ids = [r.id for r in await conn.execute(sa.select(alerts.c.id).order_by(alerts.c.id))]
            for alert_id, level in zip(ids, ("red", "orange", "yellow"), strict=False):
                reasons = [{"code": "urgency", "en": f"{level} reason <i>", "zh": f"{level}理由"}]
                await conn.execute(
                    sa.update(alerts).where(alerts.c.id == alert_id).values(level=level, reasons=reasons)
                )
            bad = RecordError("sample", "line 7", "field 'symbols': missing", "<script>raw()</script>")
            await quarantine_record(conn, bad, None, rt.now())
            await record_source_result(conn, "eping", rt.now(), error="HTTP 503 from <server>")
            # One sign-up waiting for an official (application #1).
            waiting = Application(
                "示例出口有限公司", "91350100M000100Y43", "王芳", "wang@example.cn", "zh", ("3304",), ("KEN",)
            )
            application_id = await insert_application(conn, waiting, "n", rt.now(), rt.now())
            await update_application(conn, application_id, rt.now(), status="verified", link_nonce=None)
            await _one_concern(conn, rt)
            hashed = await asyncio.to_thread(hash_password, PASSWORD)
            for role in ROLES:
                await add_user(conn, email_of(role), hashed, role, rt.now())
    finally:
        await rt.close()


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A populated database built once per session (copied by each test)."""
    folder = tmp_path_factory.mktemp("web-template")
    asyncio.run(_populate(write_web_config(folder)))
    return folder / "var" / "web.db"


@pytest.fixture
async def web_rt(web_template: Path, tmp_path: Path) -> AsyncIterator[Runtime]:
    config_path = write_web_config(tmp_path)
    (tmp_path / "var").mkdir(exist_ok=True)
    shutil.copy(web_template, tmp_path / "var" / "web.db")
    shutil.copytree(web_template.parent / "attachments", tmp_path / "var" / "attachments")
    rt = await Runtime.open(load_config(config_path), FixedClock(WEB_NOW))
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
def web_app(web_rt: Runtime) -> web.Application:
    return create_app(web_rt, Signer(SECRET))


@pytest.fixture
async def client(web_app: web.Application) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(web_app)) as test_client:
        yield test_client


@dataclass
class SignIn:
    """Puts a valid session cookie for a role in a test client, with its server-side
    session row (password checks have their own tests)."""

    rt: Runtime

    async def __call__(self, client: TestClient[web.Request, web.Application], role: Role) -> str:
        """Sign in as ``role``; returns the session's CSRF token."""
        from warning.storage.users import get_user_by_email

        async with self.rt.db.begin() as conn:
            user = await get_user_by_email(conn, email_of(role))
        assert user is not None
        session = await self.stored(new_session(self.rt.now(), dt.timedelta(hours=1), user.id))
        self._put(client, session)
        return session.csrf

    async def stored(self, session: Session) -> Session:
        """Record a signed-in session's server-side row, as sign-in does."""
        assert session.session_id is not None
        async with self.rt.db.begin() as conn:
            await create_session(
                conn,
                session.session_id,
                now=self.rt.now(),
                expires_at=session.expires_at,
                user_id=session.user_id,
                exporter_email=session.exporter_email,
            )
        return session

    def _put(self, client: TestClient[web.Request, web.Application], session: Session) -> None:
        # Same origin as the server's own Set-Cookie, so it replaces an anonymous session.
        client.session.cookie_jar.update_cookies(
            {SESSION_COOKIE: encode_session(Signer(SECRET), session)}, response_url=client.make_url("/")
        )

    async def anonymous(self, client: TestClient[web.Request, web.Application]) -> str:
        """An anonymous session (no user); returns its CSRF token."""
        session = new_session(self.rt.now(), dt.timedelta(hours=1))
        self._put(client, session)
        return session.csrf

    async def exporter(self, client: TestClient[web.Request, web.Application], email: str) -> str:
        """An exporter contact's session (as the emailed link gives); returns its CSRF token."""
        session = await self.stored(new_session(self.rt.now(), dt.timedelta(hours=1), exporter_email=email))
        self._put(client, session)
        return session.csrf


@pytest.fixture
def sign_in(web_rt: Runtime) -> SignIn:
    return SignIn(web_rt)


SignInFn = Callable[..., object]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium for one test (closed after it)."""
    assert CHROMIUM_PRESENT, "chromium is missing: run `make browser` (apt-get install chromium)"
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield launched
        finally:
            await launched.close()
