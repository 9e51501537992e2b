"""One set of numbers: for every week of the sample, the dashboard, the digest
page, the officials' email and the reports count the same notifications at the
same levels (as exporters receive them, the officials' changes applied), joint
notifications once, undated ones apart (issue 18)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from notifications.compose import iso_week
from notifications.officials import render_report, weekly_report
from tests.web.conftest import SignIn
from warning.reports.data import parse_period
from warning.reports.run import make_report
from warning.review.edits import Edit, apply_edit
from warning.review.numbers import LEVEL_KEYS, week_numbers
from warning.runtime import Runtime
from warning.storage.schema import alerts, notifications

Client = TestClient[web.Request, web.Application]
EMAIL_LEVELS = {"red": "Red", "orange": "Orange", "yellow": "Yellow", "blue": "Blue", "none": "No level"}


def dashboard_levels(html: str) -> dict[str, int]:
    svg = html[html.index('id="chart-levels"') :]
    svg = svg[: svg.index("</svg>")]
    found = re.findall(r'class="bar-(\w+)"></rect>\s*<text[^>]*class="chart-value">(\d+)<', svg)
    return {key: int(n) for key, n in found}


def email_levels(text: str) -> dict[str, int]:
    return {
        key: int(re.search(rf" {label}: (\d+) \(", text).group(1))  # type: ignore[union-attr]
        for key, label in EMAIL_LEVELS.items()
    }


async def _weeks(rt: Runtime) -> list[dt.date]:
    async with rt.db.begin() as conn:
        days = (await conn.execute(sa.select(notifications.c.distribution_date).distinct())).scalars()
        mondays = {d - dt.timedelta(days=d.weekday()) for d in days if d is not None}
    return sorted(mondays)


async def test_dashboard_digest_page_and_email_agree_every_week(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    await sign_in(client, "official")
    await _review_some(web_rt)
    weeks = await _weeks(web_rt)
    assert len(weeks) > 20
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for monday in weeks:
        week = iso_week(monday)
        async with web_rt.db.begin() as conn:
            numbers = await week_numbers(conn, monday, web_rt.config.zone.timezone)
        report = await weekly_report(web_rt, week, "en")
        _, text, _ = render_report(report)
        dashboard = await (await client.get(f"/dashboard?week={monday.isoformat()}")).text()
        page = await (await client.get(f"/digest?week={week}")).text()
        total = re.search(r'id="week-total">(\d+)<', dashboard)
        assert total is not None and int(total.group(1)) == numbers.total == report.total, week
        assert f'id="digest-total">{numbers.total}<' in page, week
        assert f"This week: {numbers.total} " in text, week
        assert dashboard_levels(dashboard) == numbers.by_level, week
        assert email_levels(text) == numbers.by_level, week
        # A joint notification is one measure: member rows add up to the total.
        assert sum(r.count for r in report.by_member) == numbers.total or len(report.by_member) == 10, week
        assert sum(numbers.by_level[k] for k in LEVEL_KEYS) == numbers.total, week
        for m in numbers.measures:
            assert m.distribution_date is not None
            by_month[m.distribution_date.strftime("%Y-%m")][m.level_key] += 1
    # The reports count the same measures at the same levels, month by month.
    for month, counts in sorted(by_month.items()):
        made = await make_report(web_rt, parse_period(month))
        levels: Counter[str] = Counter()
        for row in made.by_type:
            levels.update(row.by_level)
        assert made.total == sum(counts.values()), month
        assert +levels == counts, month


async def _review_some(rt: Runtime) -> None:
    """Officials' changes, so that every count must read levels as exporters receive them:
    one notification held back from everyone, one alert raised to red."""
    async with rt.db.begin() as conn:
        first, second = (
            await conn.execute(
                sa.select(alerts.c.notification_id, alerts.c.exporter_id)
                .join(notifications, notifications.c.id == alerts.c.notification_id)
                .where(notifications.c.distribution_date.is_not(None), alerts.c.level != "red")
                .order_by(alerts.c.notification_id.desc())
                .limit(2)
            )
        ).all()
        by = "official@zone.example.gov.cn"
        await apply_edit(
            conn, Edit(first.notification_id, None, "suppress", reason="duplicate"), by, rt.now()
        )
        level = Edit(second.notification_id, second.exporter_id, "level", level="red", reason="ban")
        await apply_edit(conn, level, by, rt.now())


async def test_joint_notification_counts_once_and_unmatched_has_no_level(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    await sign_in(client, "official")
    monday = dt.date(2026, 6, 15)  # the EAC's joint notification G/TBT/N/BDI/786 and a US one
    async with web_rt.db.begin() as conn:
        numbers = await week_numbers(conn, monday, web_rt.config.zone.timezone)
    joint = [m for m in numbers.measures if len(m.member_codes) > 1]
    assert len(joint) == 1 and numbers.by_member[joint[0].members] == 1
    dashboard = await (await client.get("/dashboard?week=2026-06-15")).text()
    assert dashboard.count('class="bar-member"') == len(numbers.by_member)
    unmatched = [m for m in numbers.measures if not m.alerts]
    assert unmatched and all(m.level is None for m in unmatched)
    assert numbers.by_level["none"] == len(unmatched)
    report = await weekly_report(web_rt, "2026-W25")
    assert report.total == numbers.total and report.undated == len(numbers.undated)
