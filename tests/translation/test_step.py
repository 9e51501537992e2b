"""The translation step: stored per field and language with its origin, never
fetched twice, bounded, and never in the way of mail."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from aiohttp import web

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from tests.notifications.helpers import EXPORTERS, free_port, notification, parse, seed
from tests.translation.conftest import MakeRuntime, libretranslate
from tests.translation.servers import Engine, Replay, answer_for, libretranslate_app, serve
from warning.runtime import Runtime
from warning.service.jobs import JobContext, process_job
from warning.storage.notifications import upsert_notification
from warning.storage.outbox import list_messages
from warning.storage.translation_tables import translations
from warning.translation.display import load_shown
from warning.translation.step import translate_pending

ENGLISH = notification(
    "G/TBT/N/USA/10",
    title="Lipstick labelling requirements",
    description="Draft technical regulation on cosmetic products",
    products="Cosmetics",
    language="en",
)
CHINESE = notification(
    "G/TBT/N/KEN/20", title="电动玩具安全", products="玩具", language="zh", hs_codes=("950300",)
)
# The same products line as ENGLISH: fetched once for both.
ANOTHER = notification(
    "G/TBT/N/EU/30", title="Draft technical regulation on cosmetic products", language="en"
)


async def rows(rt: Runtime) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    async with rt.db.begin() as conn:
        found = await conn.execute(sa.select(translations))
        return {(r.notification_id, r.field, r.language): (r.text, r.origin, r.made_by) for r in found}


async def bodies(rt: Runtime) -> dict[str, str]:
    async with rt.db.begin() as conn:
        messages = await list_messages(conn, bodies=True)
    return {m.recipient: parse(m.message).get_body(("plain",)).get_content() for m in messages}  # type: ignore[union-attr]


async def test_fields_are_stored_per_language_with_origin_and_never_fetched_twice(
    make_runtime: MakeRuntime,
) -> None:
    engine = Engine()
    async with serve(libretranslate_app(engine)) as url:
        rt = await make_runtime(libretranslate(url))
        ids = await seed(rt, [(ENGLISH, "red"), (CHINESE, "orange"), (ANOTHER, None)])
        first = await translate_pending(rt)
        stored = await rows(rt)
        assert stored[(ids[ENGLISH.key], "title", "zh")] == ("口红标签要求", "machine", "libretranslate")
        assert stored[(ids[ENGLISH.key], "products", "zh")][0] == "化妆品"
        assert stored[(ids[CHINESE.key], "title", "en")][0] == "Safety of electric toys"
        assert (ids[CHINESE.key], "title", "zh") not in stored  # already Chinese
        # Each distinct text was sent once, whatever number of fields hold it.
        sent = engine.texts()
        assert sorted(sent) == sorted(set(sent))
        assert (
            sent.count("Cosmetics") == 1
            and sent.count("Draft technical regulation on cosmetic products") == 1
        )
        assert first.translated == len(sent) and first.failed == 0 and not first.errors
        assert stored[(ids[ANOTHER.key], "title", "zh")][0] == "化妆品技术法规草案"

        # A second run asks nothing; a changed title alone is due again.
        requests = len(engine.requests)
        assert requests == 2  # one batch per language pair
        again = await translate_pending(rt)
        assert (again.translated, again.reused, len(engine.requests)) == (0, 0, requests)
        async with rt.db.begin() as conn:
            await upsert_notification(
                conn, ENGLISH.__class__(**{**ENGLISH.__dict__, "title": "Cosmetics"}), rt.now()
            )
        changed = await translate_pending(rt)
        # "Cosmetics" was translated before (as products): copied, not fetched.
        assert (changed.translated, changed.reused, len(engine.requests)) == (0, 1, requests)
        assert (await rows(rt))[(ids[ENGLISH.key], "title", "zh")][0] == "化妆品"


async def test_engine_down_then_up_mail_goes_out_untranslated_then_a_later_run_translates(
    make_runtime: MakeRuntime,
) -> None:
    port = free_port()
    rt = await make_runtime(libretranslate(f"http://127.0.0.1:{port}"))
    ids = await seed(rt, [(ENGLISH, "red")])
    down = await translate_pending(rt)
    assert (
        down.translated == 0 and down.failed == 3 and "libretranslate at http://127.0.0.1" in down.errors[0]
    )
    # Mail is not held back: the Chinese contact gets the English title, not labelled as a translation.
    assert await compose_digests(rt) == 3
    assert (await deliver_pending(rt)).sent == 3
    zh_mail = (await bodies(rt))["zh@luyuan.example.com"]
    assert "Lipstick labelling requirements" in zh_mail and "机器翻译" not in zh_mail
    assert "尚无译文" in zh_mail

    engine = Engine()
    async with serve(libretranslate_app(engine), port=port):
        up = await translate_pending(rt)
    assert up.translated == 3 and up.failed == 0
    async with rt.db.begin() as conn:
        shown = await load_shown(conn, {ids[ENGLISH.key]: ENGLISH}, ["zh", "en"])
    zh = shown[(ids[ENGLISH.key], "zh")]
    assert zh.title.text == "口红标签要求" and zh.status == "machine" and zh.label == "机器翻译"
    assert zh.title.original == "Lipstick labelling requirements"
    assert shown[(ids[ENGLISH.key], "en")].status == "original"


async def test_a_garbage_answer_is_not_stored_and_is_asked_again_next_run(make_runtime: MakeRuntime) -> None:
    engine = Engine(
        replays=[Replay(200, '{"translatedText": ["Lipstick labelling requirements", "化妆品"]}')]
    )
    async with serve(libretranslate_app(engine)) as url:
        rt = await make_runtime(libretranslate(url, batch_size=2, concurrency=1))
        ids = await seed(rt, [(ENGLISH, "red")])
        first = await translate_pending(rt)
        # The batch's first text came back untranslated (refused), its second is fine;
        # the next batch (the description) is still sent: garbage is not "down".
        assert first.translated == 2 and first.failed == 1 and "the source handed back" in first.errors[0]
        assert (ids[ENGLISH.key], "title", "zh") not in await rows(rt)
        second = await translate_pending(rt)
    assert second.translated == 1 and engine.texts()[-1] == "Lipstick labelling requirements"
    assert (await rows(rt))[(ids[ENGLISH.key], "title", "zh")][0] == "口红标签要求"


async def test_an_engine_down_is_not_asked_again_in_the_run(make_runtime: MakeRuntime) -> None:
    engine = Engine(replays=[Replay(503, '{"error": "Service Unavailable"}')] * 10)
    async with serve(libretranslate_app(engine)) as url:
        rt = await make_runtime(libretranslate(url, batch_size=1, concurrency=1))
        await seed(rt, [(ENGLISH, "red"), (CHINESE, None)])
        outcome = await translate_pending(rt)
    assert len(engine.requests) == 1 and outcome.failed == 5 and outcome.translated == 0
    assert outcome.errors == [f"libretranslate at {url}/translate: HTTP 503: Service Unavailable"]


async def test_requests_run_side_by_side_up_to_the_concurrency(make_runtime: MakeRuntime) -> None:
    in_flight, peak = 0, 0
    both = asyncio.Event()

    async def gate(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight >= 2:
            both.set()
        await both.wait()  # the first request waits for a second one: they overlap
        body = await request.json()
        in_flight -= 1
        return web.json_response(
            {"translatedText": [answer_for(t, body["source"], body["target"]) for t in body["q"]]}
        )

    app = web.Application()
    app.router.add_post("/translate", gate)
    async with serve(app) as url:
        rt = await make_runtime(libretranslate(url, batch_size=1, concurrency=2))
        await seed(rt, [(ENGLISH, "red"), (CHINESE, None), (ANOTHER, None)], EXPORTERS[:1])
        outcome = await translate_pending(rt)
    assert outcome.translated == 5 and peak == 2


async def test_the_daemons_process_job_translates_and_an_engine_down_never_fails_it(
    make_runtime: MakeRuntime,
) -> None:
    port = free_port()
    rt = await make_runtime(libretranslate(f"http://127.0.0.1:{port}"))
    ids = await seed(rt, [(ENGLISH, "red")])
    down = await process_job(rt, JobContext())
    assert "translation (libretranslate): 0 translated, 0 reused, 3 left" in down
    async with serve(libretranslate_app(Engine()), port=port):
        up = await process_job(rt, JobContext())
    assert "translation (libretranslate): 3 translated" in up
    assert (await rows(rt))[(ids[ENGLISH.key], "description", "zh")][1] == "machine"
