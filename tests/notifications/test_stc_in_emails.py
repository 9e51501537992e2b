"""A measure raised as a specific trade concern at the TBT Committee (issue 19)
says so in one line of every email that shows it, in the reader's language."""

from __future__ import annotations

from email.message import EmailMessage

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import notification, parse, seed
from warning.storage.responses import add_stc_mark

STC_URL = "https://eping.wto.org/en/TradeConcerns/details?imsId=812"


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html


async def test_emails_show_the_stc_mark(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    ids = await seed(rt, [(notification("G/TBT/N/USA/1"), "red"), (notification("G/TBT/N/USA/2"), "orange")])
    async with rt.db.begin() as conn:
        await add_stc_mark(
            conn, ids["G/TBT/N/USA/1"], stc_number="812", url=STC_URL, marked_by="o", now=rt.now()
        )
    await compose_digests(rt)
    await deliver_pending(rt)
    emails = [parse(p.read_bytes()) for p in sorted(rt.config.delivery.outbox_dir.glob("*.eml"))]
    assert emails
    for message in emails:
        text, html = _parts(message)
        assert text.count("STC") == 1 and STC_URL in text  # the marked measure only
        assert html.count(">STC 812<") == 1
        assert ("特别贸易关注 812" in text) or ("specific trade concern 812" in text)
