"""``make run``'s pipeline on the bundled sample with a LibreTranslate server:
Chinese contacts read English-notified measures in Chinese, labelled."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.conftest import SAMPLE, save_demo_exporters
from tests.notifications.helpers import parse
from tests.translation.conftest import MakeRuntime, libretranslate
from tests.translation.servers import Engine, answer_for, libretranslate_app, serve
from warning.pipeline import run_once
from warning.storage.outbox import list_messages
from warning.storage.schema import notifications
from warning.translation.glossary import cjk_share, text_language

SOURCE = f'[[sources]]\nname = "sample"\nkind = "file"\npath = "{SAMPLE}"\n'


async def test_a_chinese_contact_reads_english_measures_in_chinese_marked_as_machine_translation(
    make_runtime: MakeRuntime, tmp_path: Path
) -> None:
    engine = Engine()
    async with serve(libretranslate_app(engine)) as url:
        rt = await make_runtime(libretranslate(url), extra=SOURCE)
        await save_demo_exporters(rt)
        summary = await run_once(rt)
    assert any(line.startswith("translation (libretranslate): ") for line in summary.lines())
    assert summary.translated.translated > 0 and summary.translated.failed == 0
    async with rt.db.begin() as conn:
        titles = {r.title for r in await conn.execute(sa.select(notifications.c.title))}
        messages = await list_messages(conn, bodies=True)
    english = {t for t in titles if text_language(t, "en") == "en"}
    chinese_mail = [parse(m.message) for m in messages if m.subject.startswith("TBT预警")]
    assert chinese_mail
    seen = 0
    for message in chinese_mail:
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        for title in english:
            assert title not in text  # an English title never reaches a Chinese contact
            translated = answer_for(title, "en", "zh")
            if translated in text:
                seen += 1
                assert "机器翻译" in text and "原文见通报详情页" in text and "机器翻译" in html
    assert seen > 0
    # English contacts get no Chinese at all: titles, products and summaries are translated,
    # member and HS names come from our data in English.
    english_mail = [parse(m.message) for m in messages if not m.subject.startswith("TBT预警")]
    assert english_mail
    for message in english_mail:
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "machine translation" in text
        assert cjk_share(text) == 0, [line for line in text.splitlines() if cjk_share(line)]
