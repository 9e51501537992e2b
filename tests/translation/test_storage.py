"""The translations table on SQLite and PostgreSQL: one row per (notification,
field, language), replaced by a correction, found by its source text."""

from __future__ import annotations

from tests.notifications.helpers import notification
from warning.runtime import Runtime
from warning.storage.notifications import upsert_notification
from warning.storage.translations import (
    known_translations,
    load_translations,
    review_translation,
    save_translations,
    source_hash,
    source_texts,
)
from warning.translation.base import FIELDS
from warning.translation.display import shown_for
from warning.translation.step import due_fields
from warning.types import Translation

OFFICIAL = "official@zone.example.gov.cn"


async def test_machine_rows_corrections_and_lookups(runtime: Runtime) -> None:
    n = notification("G/TBT/N/USA/10", title="Toys", products="Cosmetics", language="en")
    now = runtime.now()
    async with runtime.db.begin() as conn:
        nid, _ = await upsert_notification(conn, n, now)
        assert [(d.field, d.target) for d in due_fields(await source_texts(conn, FIELDS), ("zh", "en"))] == [
            ("title", "zh"),
            ("products", "zh"),
        ]
        sha = source_hash("Toys")
        machine = Translation(nid, "title", "zh", "玩具", "en", sha, "machine", "libretranslate", now)
        await save_translations(conn, [machine])
        await review_translation(conn, nid, "title", "zh", " 儿童玩具 ", ("Toys", "en"), OFFICIAL, now)
        stored = await load_translations(conn, [nid])
        known = await known_translations(conn, [source_hash("Toys"), source_hash("other")], "zh")
        due = due_fields(await source_texts(conn, FIELDS), ("zh", "en"))
    title = stored[nid][("title", "zh")]
    assert (title.text, title.origin, title.made_by) == ("儿童玩具", "reviewed", OFFICIAL)
    assert title.updated_at == now
    assert len(stored[nid]) == 1  # the correction replaced the machine row
    assert known == {source_hash("Toys"): ("儿童玩具", OFFICIAL, "reviewed")}
    # A reviewed translation of the current text is never due again; the products still are.
    assert [(d.field, d.target) for d in due] == [("products", "zh")]


async def test_the_display_api_gives_each_field_in_the_readers_language_flagged(runtime: Runtime) -> None:
    n = notification("G/TBT/N/USA/11", title="Toys", products="玩具", description="", language="en")
    async with runtime.db.begin() as conn:
        nid, _ = await upsert_notification(conn, n, runtime.now())
        sha, now = source_hash("Toys"), runtime.now()
        row = Translation(nid, "title", "zh", "玩具", "en", sha, "machine", "openai/m", now)
        await save_translations(conn, [row])
        zh = await shown_for(conn, nid, n, "zh")
        en = await shown_for(conn, nid, n, "en")
    assert (zh.title.text, zh.title.status, zh.title.original) == ("玩具", "machine", "Toys")
    assert zh.products.status == "original" and zh.status == "machine" and zh.label == "机器翻译"
    assert zh.title.original_label("zh") == "查看原文（英文）"
    assert (en.title.status, en.products.status, en.products.text) == ("original", "untranslated", "玩具")
    assert en.label == "not yet translated: original text" and en.products.language == "zh"
    # A translation of an earlier text is not shown as the text's translation.
    changed = n.__class__(**{**n.__dict__, "title": "Toys and games"})
    async with runtime.db.begin() as conn:
        assert (await shown_for(conn, nid, changed, "zh")).title.status == "untranslated"
