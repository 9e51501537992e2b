"""A digest shows the ``[digest] full_items`` most urgent alerts in full, lists
the next ``brief_items`` one line each and counts the rest with a link to the
contact's alerts page: every alert is carried by the email, once."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from notifications.digest import urgency
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import HOSTILE_TITLE, notification, parse, seed
from warning.storage.schema import alerts, deliveries, subscriptions

TODAY = dt.date(2026, 11, 24)  # the tests' fixed clock


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html


def _emails(folder: Path) -> dict[str, EmailMessage]:
    found = [parse(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
    return {str(m["To"]): m for m in found}


async def _five(make_runtime: MakeRuntime, full_items: int, brief_items: int = 80) -> dict[str, EmailMessage]:
    rt = await make_runtime(extra=f"[digest]\nfull_items = {full_items}\nbrief_items = {brief_items}\n")
    await seed(
        rt,
        [
            (notification("G/TBT/N/USA/1", comment_deadline=dt.date(2027, 3, 1)), "blue"),
            (notification("G/TBT/N/USA/2", title=HOSTILE_TITLE), "yellow"),
            (notification("G/TBT/N/USA/3", comment_deadline=dt.date(2026, 12, 5)), "orange"),
            (notification("G/TBT/N/USA/4"), "red"),
            (notification("G/TBT/N/USA/5", comment_deadline=dt.date(2026, 1, 5)), "blue"),
        ],
    )
    assert await compose_digests(rt) == 3
    assert (await deliver_pending(rt)).sent == 3
    mine = deliveries.join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
    async with rt.db.begin() as conn:
        carried = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(mine)
                .where(subscriptions.c.email == "en@qilu.example.com")
            )
        ).scalar_one()
        total = (await conn.execute(sa.select(sa.func.count()).select_from(alerts))).scalar_one()
    assert total == 10 and carried == 5  # every alert of the contact is carried, brief or not
    return _emails(rt.config.delivery.outbox_dir)


async def test_the_most_urgent_in_full_and_the_rest_briefly_gravest_first(make_runtime: MakeRuntime) -> None:
    emails = await _five(make_runtime, full_items=2)
    message = emails["en@qilu.example.com"]
    assert message["Subject"] == "TBT early warning: 5 foreign measures concerning your products"
    text, html = _parts(message)
    assert "The 2 most urgent of these 5 are shown in full; 3 more are listed briefly at the end." in text
    assert "least urgent" not in text and "on your alerts page" not in text
    # Every email links to all the contact's alerts and to the subscription settings.
    assert "All your alerts: https://tbt.example.org/exporter/alerts\n" in text
    assert "Subscription settings: https://tbt.example.org/exporter\n" in text
    full, brief = text.split("=== 3 more measures concerning your products, in brief")
    # In full: the red and the orange, each with its feedback links and reasons.
    assert "G/TBT/N/USA/4" in full and "G/TBT/N/USA/3" in full
    assert full.count("Relevant to us: ") == 2 and full.count("Why this concerns you") == 2
    # Briefly: yellow (25 days to the enquiry point), the open blue (92), the closed blue; each once.
    symbols = [brief.index(s) for s in ("G/TBT/N/USA/2", "G/TBT/N/USA/1", "G/TBT/N/USA/5")]
    assert symbols == sorted(symbols)
    assert "\n- [Yellow] G/TBT/N/USA/2 · United States of America · " in brief
    assert "\n- [Blue] G/TBT/N/USA/1 · " in brief and "2026-01-05 (closed)" in brief
    assert (
        "Relevant to us" not in brief and brief.count("https://tbt.example.org/exporter/notifications/") == 3
    )
    assert [n for n in range(1, 6) if f"G/TBT/N/USA/{n}" in full] == [3, 4]  # none in both
    # A feed's markup in a brief line is text, never HTML.
    assert "<script>" not in html and "&lt;script&gt;alert(" in html
    assert html.count("/feedback?token=") == 2 * 2  # relevant + not relevant, for the two in full

    zh_text, _ = _parts(emails["zh@luyuan.example.com"])
    assert "以下5项中最紧急的2项详细列出，另有3项在文末简要列出。" in zh_text
    assert "另有3项涉及贵企业产品的措施" in zh_text and "[黄色] G/TBT/N/USA/2" in zh_text


async def test_past_the_brief_lines_the_rest_are_counted_with_the_alerts_page(
    make_runtime: MakeRuntime,
) -> None:
    emails = await _five(make_runtime, full_items=1, brief_items=2)
    text, html = _parts(emails["en@qilu.example.com"])
    assert "The most urgent of these 5 is shown in full; 2 more are listed briefly" in text
    assert "The 2 least urgent are on your alerts page only." in text
    full, rest = text.split("=== 2 more measures concerning your products, in brief")
    brief, unlisted = rest.split("… and 2 more, less urgent: every alert sent to you is on your alerts page:")
    assert "G/TBT/N/USA/3" in full  # orange, the soonest enquiry-point date
    assert "G/TBT/N/USA/4" in brief and "G/TBT/N/USA/2" in brief  # red, yellow
    assert "G/TBT/N/USA/1" not in text and "G/TBT/N/USA/5" not in text  # the two blue: counted only
    assert unlisted.strip().startswith("https://tbt.example.org/exporter/alerts")
    assert 'href="https://tbt.example.org/exporter/alerts"' in html
    zh_text, _ = _parts(emails["zh@luyuan.example.com"])
    assert "紧急程度最低的2项请在预警页面查看。" in zh_text


async def test_full_items_zero_shows_every_alert_in_full(make_runtime: MakeRuntime) -> None:
    text, _ = _parts((await _five(make_runtime, full_items=0))["en@qilu.example.com"])
    assert text.count("Relevant to us: ") == 5 and "in brief" not in text


def test_urgency_orders_open_by_enquiry_days_then_level_then_no_deadline_then_closed() -> None:
    # (level, days left to the WTO deadline, days left to the enquiry point's date)
    keys = {
        "blue, enquiry date passed, WTO open in 2": urgency("blue", 2, -3),
        "blue open, 1 day to the enquiry point": urgency("blue", 6, 1),
        "red open, 20 days": urgency("red", 25, 20),
        "orange open, 20 days": urgency("orange", 25, 20),
        "red no deadline": urgency("red", None, None),
        "orange no deadline": urgency("orange", None, None),
        "red closed last year": urgency("red", -300, -305),
        "orange closed yesterday": urgency("orange", -1, -6),
        "orange closed last year": urgency("orange", -300, -305),
    }
    assert sorted(keys, key=keys.__getitem__) == list(keys)
