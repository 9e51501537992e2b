"""The officials' weekly digest (in Chinese) lists upcoming measures by their Chinese title if known."""

from __future__ import annotations

import datetime as dt

from notifications.officials import render_report, weekly_report
from tests.notifications.helpers import notification, seed
from tests.translation.conftest import MakeRuntime
from warning.storage.translations import save_translations, source_hash
from warning.types import Translation


async def test_upcoming_measures_are_listed_in_chinese_and_labelled(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    day = dt.date(2026, 11, 23)
    translated = notification("G/TBT/N/USA/1", title="Lipstick labelling", distribution_date=day)
    untranslated = notification("G/TBT/N/KEN/2", title="Toy safety", distribution_date=day)
    ids = await seed(rt, [(translated, "red"), (untranslated, "orange")])
    sha = source_hash("Lipstick labelling")
    async with rt.db.begin() as conn:
        row = Translation(
            ids[translated.key], "title", "zh", "口红标签", "en", sha, "machine", "libretranslate", rt.now()
        )
        await save_translations(conn, [row])
    report = await weekly_report(rt, "2026-W48")
    titles = {u.symbols: (u.title, u.title_label) for u in report.upcoming}
    assert titles == {"G/TBT/N/USA/1": ("口红标签", "机器翻译"), "G/TBT/N/KEN/2": ("Toy safety", "")}
    _, text, html = render_report(report)
    assert "口红标签 [机器翻译]" in text and "Lipstick labelling" not in text and "[机器翻译]" in html
