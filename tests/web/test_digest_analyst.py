"""The officials' digest preview and the analysts' pages, in-process."""

from __future__ import annotations

import re

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn, email_of
from warning.runtime import Runtime
from warning.storage.notifications import upsert_notification
from warning.storage.reviews import get_review
from warning.storage.rules import load_rules, rule_history
from warning.storage.schema import notifications, product_matches
from warning.symbols import parse_symbol
from warning.types import Notification

Client = TestClient[web.Request, web.Application]
WEEK = "2026-W25"


def require_review(rt: Runtime) -> None:
    """Turn on ``[digest] review_required`` for this runtime."""
    digest = rt.config.digest.model_copy(update={"review_required": True})
    rt.config = rt.config.model_copy(update={"digest": digest})


async def test_digest_without_review_hides_approval(client: Client, sign_in: SignIn) -> None:
    csrf = await sign_in(client, "official")
    html = await (await client.get(f"/digest?week={WEEK}")).text()
    assert 'id="approval-controls"' not in html and 'id="digest-approve"' not in html
    assert "apply to the next" in html or "下一封邮件" in html
    response = await client.post("/digest/approve", data={"csrf_token": csrf, "week": WEEK})
    assert response.status == 400


async def test_digest_preview_chart_and_approve(client: Client, web_rt: Runtime, sign_in: SignIn) -> None:
    require_review(web_rt)
    csrf = await sign_in(client, "official")
    page = await client.get(f"/digest?week={WEEK}")
    html = await page.text()
    assert page.status == 200 and 'id="digest-preview"' in html
    assert f'src="/digest/chart.png?week={WEEK}"' in html
    assert "&lt;script&gt;" in html or "<script>document" not in html  # feed text stays escaped
    chart = await client.get(f"/digest/chart.png?week={WEEK}")
    assert chart.content_type == "image/png" and (await chart.read()).startswith(b"\x89PNG")
    assert (await client.get("/digest?week=2026-27")).status == 400
    response = await client.post(
        "/digest/approve", data={"csrf_token": csrf, "week": WEEK}, allow_redirects=False
    )
    assert response.status == 303
    async with web_rt.db.begin() as conn:
        review = await get_review(conn, WEEK)
    assert review is not None and review.status == "approved"
    assert review.approved_by == email_of("official")
    assert "digest-done" in await (await client.get(response.headers["Location"])).text()


async def test_digest_send_queues_and_delivers(client: Client, web_rt: Runtime, sign_in: SignIn) -> None:
    csrf = await sign_in(client, "official")
    response = await client.post("/digest/send", data={"csrf_token": csrf, "week": WEEK})
    assert response.status == 200
    assert re.search(r'id="digest-done">[^<]*\d', await response.text())


UNIQUE = "quokka-grooming brushes"


async def _add_target(rt: Runtime) -> int:
    async with rt.db.begin() as conn:
        n = Notification(
            key="G/TBT/N/AUS/4242",
            symbols=(parse_symbol("G/TBT/N/AUS/4242"),),
            area="TBT",
            member_codes=("AUS",),
            member_name="Australia",
            notification_type="Regular notification",
            title=f"Safety of {UNIQUE}",
            description="",
            products=UNIQUE,
        )
        await upsert_notification(conn, n, rt.now())
        return int(
            (
                await conn.execute(sa.select(notifications.c.id).where(notifications.c.key == n.key))
            ).scalar_one()
        )


async def test_rule_preview_then_save_makes_the_notification_match(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    target = await _add_target(web_rt)
    csrf = await sign_in(client, "analyst")
    form = {"csrf_token": csrf, "action": "add", "phrases": "quokka-grooming brush", "hs_codes": "4202"}
    bad = await client.post("/analyst/rules/preview", data=form | {"hs_codes": "9977"})
    assert bad.status == 400 and "9977" in await bad.text()
    preview = await client.post("/analyst/rules/preview", data=form)
    html = await preview.text()
    assert preview.status == 200 and 'id="evaluation-change"' in html
    # The figures in words with two decimals, as on the evaluation page.
    table = html.split('id="evaluation-change"', 1)[1].split("</table>", 1)[0]
    assert "Right chapter in the top three" in table and "chapter_top3" not in table
    assert re.search(r"<td>[01]\.\d\d</td>", table) and not re.search(r"\d\.\d{3}", table)
    row = re.search(
        rf'href="/notifications/{target}">G/TBT/N/AUS/4242</a>.*?class="gained">([^<]*)<', html, re.S
    )
    assert row is not None and "4202" in row[1]
    async with web_rt.db.begin() as conn:
        assert await load_rules(conn) == []  # a preview stores nothing
    saved = await client.post("/analyst/rules/save", data=form, allow_redirects=False)
    assert saved.status == 303
    async with web_rt.db.begin() as conn:
        rules = await load_rules(conn)
        history = await rule_history(conn)
        codes = set(
            await conn.scalars(
                sa.select(product_matches.c.hs_code).where(product_matches.c.notification_id == target)
            )
        )
    assert [r.phrases for r in rules] == [("quokka-grooming brush",)]
    assert history[-1].author == email_of("analyst")
    assert "4202" in codes
    # Removing it previews the loss.
    removal = await client.post(
        "/analyst/rules/preview", data={"csrf_token": csrf, "action": "remove", "rule_id": str(rules[0].id)}
    )
    assert re.search(r'class="lost">[^<]*4202', await removal.text())


async def test_evaluation_feedback_mappings_pages(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "analyst")
    evaluation = await (await client.get("/analyst/evaluation")).text()
    assert re.search(r"<th>Right chapter first</th>(<td>[01]\.\d\d</td>){4}</tr>", evaluation)
    assert 'id="feedback"' in await (await client.get("/analyst/feedback")).text()
    mappings = await (await client.get("/analyst/mappings")).text()
    assert 'id="ics"' in mappings and "[[sectors]]" in mappings


async def test_reclassify_runs_in_the_background_with_progress(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    csrf = await sign_in(client, "analyst")
    response = await client.post("/analyst/reclassify", data={"csrf_token": csrf}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/analyst/reclassify")).text()
    assert 'http-equiv="refresh"' in page or "reclassify-start" in page
    from warning.web.analyst import STATE

    job = client.app[STATE].reclassify
    assert job is not None and job.task is not None
    await job.task
    page = await (await client.get("/analyst/reclassify")).text()
    assert 'http-equiv="refresh"' not in page
    assert job.total > 0 and job.done == job.total
    assert re.search(rf"{job.total}\D", page)
