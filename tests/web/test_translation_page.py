"""The staff notification page in the reader's language, and corrections of translations."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn, email_of
from tests.web.translation_helpers import english_notification, next_digest_of_new_contact
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications
from warning.storage.schema import notifications
from warning.storage.translation_tables import translations
from warning.storage.translations import save_translations, source_hash
from warning.types import Translation

Client = TestClient[web.Request, web.Application]
ZH = {"Accept-Language": "zh-CN"}


async def test_untranslated_text_is_labelled_and_the_form_is_offered(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    nid, title = await english_notification(web_rt)
    await sign_in(client, "official")
    html = await (await client.get(f"/notifications/{nid}", headers=ZH)).text()
    assert title in html and "尚无译文，以下为原文" in html
    assert f'action="/notifications/{nid}/translations"' in html and 'name="csrf_token"' in html
    assert 'id="translate-title-zh"' in html and 'id="translate-title-en"' not in html  # already English
    en = await (await client.get(f"/notifications/{nid}", headers={"Accept-Language": "en"})).text()
    assert "not yet translated" not in en  # an English reader reads it as notified


async def test_a_machine_translation_is_labelled_with_the_original_one_click_away(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    nid, title = await english_notification(web_rt)
    async with web_rt.db.begin() as conn:
        row = Translation(
            nid,
            "title",
            "zh",
            "机器译出的标题",
            "en",
            source_hash(title),
            "machine",
            "openai/m",
            web_rt.now(),
        )
        await save_translations(conn, [row])
    await sign_in(client, "analyst")
    html = await (await client.get(f"/notifications/{nid}", headers=ZH)).text()
    assert '<span id="notification-title" lang="zh">机器译出的标题</span>' in html
    assert 'id="notification-title-label">机器翻译</span>' in html
    assert '<details class="original" id="notification-title-original">' in html and title in html
    assert "openai/m" in html  # who made it, on the correction form
    # An engine's answer is text: markup in it is shown, never run.
    async with web_rt.db.begin() as conn:
        markup = "<script>alert(1)</script>标题"
        hostile = replace(row, text=markup)
        await save_translations(conn, [hostile])
    html = await (await client.get(f"/notifications/{nid}", headers=ZH)).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in html and "<script>alert(1)" not in html


async def test_a_correction_is_stored_as_reviewed_and_shows_in_the_next_digest(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    nid, title = await english_notification(web_rt)
    csrf = await sign_in(client, "official")
    form = {"csrf_token": csrf, "field": "title", "language": "zh", "text": " 人工校对的标题\r\n"}
    response = await client.post(f"/notifications/{nid}/translations", data=form, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/notifications/{nid}?saved=title.zh#translations"
    html = await (await client.get(response.headers["Location"], headers=ZH)).text()
    assert "已保存：标题的中文译文现为人工审校译文。" in html
    assert 'id="notification-title-label">人工审校译文</span>' in html
    async with web_rt.db.begin() as conn:
        (row,) = (
            await conn.execute(sa.select(translations).where(translations.c.notification_id == nid))
        ).all()
    assert (row.text, row.origin, row.made_by) == ("人工校对的标题", "reviewed", email_of("official"))

    text, mail_html = await next_digest_of_new_contact(web_rt, nid)
    assert "人工校对的标题\n  [人工审校译文; 原文见通报详情页]" in text
    assert "[尚无译文，以下为原文]" in text  # the description: not translated yet
    assert f"\n  {title}\n" not in text  # the title line is the correction (the summary may repeat it)
    assert "人工审校译文" in mail_html and "人工校对的标题" in mail_html


BAD_FORMS = [
    ({"field": "title", "language": "zh", "text": "   "}, "请先填写译文再保存"),
    ({"field": "key", "language": "zh", "text": "x"}, "没有可翻译的字段"),
    ({"field": "title", "language": "en", "text": "x"}, "标题不能译为英文"),
    ({"field": "title", "language": "fr", "text": "x"}, "标题不能译为法文"),
    ({"field": "title", "language": "zh", "text": "字" * 20_001}, "译文超过 20000 个字符"),
]


async def test_bad_corrections_are_refused_with_the_reason_and_nothing_is_stored(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    nid, _ = await english_notification(web_rt)
    csrf = await sign_in(client, "analyst")
    for form, message in BAD_FORMS:
        response = await client.post(
            f"/notifications/{nid}/translations", data={"csrf_token": csrf, **form}, headers=ZH
        )
        assert response.status == 400, form
        assert message in await response.text(), form
    # Without the session's CSRF token nothing is stored either.
    good = {"field": "title", "language": "zh", "text": "标题"}
    forged = await client.post(f"/notifications/{nid}/translations", data={"csrf_token": "x", **good})
    assert forged.status == 403
    async with web_rt.db.begin() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(translations))).scalar() == 0


async def test_english_readers_see_structured_parts_in_english(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    async with web_rt.db.begin() as conn:
        found = await load_notifications(conn, notifications.c.key == "G/TBT/N/BDI/383")
    ((nid, n),) = found
    await sign_in(client, "official")
    html = await (await client.get(f"/notifications/{nid}", headers={"Accept-Language": "en"})).text()
    assert "Burundi, Kenya, Rwanda, Tanzania, Uganda" in html
    zh = await (await client.get(f"/notifications/{nid}", headers=ZH)).text()
    assert "布隆迪, 肯尼亚, 卢旺达, 坦桑尼亚, 乌干达" in zh
    assert n.objectives  # the form's objectives, in the reader's language


async def test_the_list_shows_titles_in_the_readers_language_labelled(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    nid, title = await english_notification(web_rt)
    async with web_rt.db.begin() as conn:
        sha, now = source_hash(title), web_rt.now()
        await save_translations(
            conn, [Translation(nid, "title", "zh", "列表中的标题", "en", sha, "machine", "x", now)]
        )
    await sign_in(client, "official")
    zh = await (await client.get("/notifications?q=mosquito", headers=ZH)).text()
    assert "列表中的标题 [机器翻译]" in zh
    en = await (await client.get("/notifications?q=mosquito", headers={"Accept-Language": "en"})).text()
    assert "列表中的标题" not in en and title in en
