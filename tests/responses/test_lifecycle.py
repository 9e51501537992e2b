"""A response file's life on SQLite and PostgreSQL: concerns kept as submitted, illegal
moves refused with nothing written, every change in the history, companies emailed once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
import sqlalchemy as sa

from tests.responses.helpers import COSMETICS, DEADLINE, TYRES, populate
from warning.exceptions import AttachmentError, ConcernInputError, ResponseTransitionError
from warning.responses.attachments import check_file, load
from warning.responses.concerns import ConcernForm, concern_from_form, request_full_text, submit_concern
from warning.responses.lifecycle import transition
from warning.responses.notify import queue_status_emails
from warning.runtime import Runtime
from warning.storage.concerns import load_concerns, load_full_text_requests
from warning.storage.outbox import list_messages
from warning.storage.response_tables import response_concerns, response_events
from warning.storage.responses import (
    add_draft,
    add_stc_mark,
    assign,
    get_response_file,
    latest_stc_marks,
    list_events,
    list_response_files,
    set_status,
)
from warning.types import ConcernInput, ResponseStatus


def _concern(notification_id: int, exporter_id: int, **changes: object) -> ConcernInput:
    values: dict[str, object] = {
        "notification_id": notification_id,
        "exporter_id": exporter_id,
        "contact_email": "export@luyuan.example.com",
        "hs_codes": ("3304",),
        "markets": ("KEN",),
        "cost_usd": 20000.0,
        "lost_sales_usd": 150000.0,
        "months_to_comply": 9,
        "export_value_usd": 480000.0,
        "requested_change": "请允许使用中文标签加贴英文翻译",
        "language": "zh",
    }
    values.update(changes)
    return ConcernInput(**values)  # type: ignore[arg-type]


async def _raise(rt: Runtime) -> tuple[int, dict[str, int], int]:
    notification_id, ids = await populate(rt)
    pdf = check_file("成本测算.pdf", b"%PDF-1.7 cost study", rt.config.responses.max_attachment_bytes)
    async with rt.db.begin() as conn:
        stored = await submit_concern(
            conn,
            _concern(notification_id, ids[COSMETICS.name]),
            [pdf],
            company=COSMETICS.name,
            now=rt.now(),
            config=rt.config,
        )
    return notification_id, ids, stored.response_id


async def _outbox(rt: Runtime) -> list[tuple[str, str, str]]:
    """(kind, recipient, subject) of every queued email."""
    async with rt.db.begin() as conn:
        return [(m.kind, m.recipient, m.subject) for m in await list_messages(conn)]


async def test_a_concern_opens_the_file_with_its_dates_file_and_receipt(runtime: Runtime) -> None:
    _notification_id, _ids, response_id = await _raise(runtime)
    async with runtime.db.begin() as conn:
        file = await get_response_file(conn, response_id)
        (concern,) = await load_concerns(conn, response_id=response_id)
        events = await list_events(conn, response_id=response_id)
        outbox = await list_messages(conn, bodies=True)
    assert file is not None and file.status == "open"
    assert file.enquiry_date == DEADLINE - dt.timedelta(days=runtime.config.warning.enquiry_point_days)
    assert concern.concern.requested_change == "请允许使用中文标签加贴英文翻译"
    (attached,) = concern.attachments
    assert (attached.filename, attached.content_type, attached.size) == (
        "成本测算.pdf",
        "application/pdf",
        19,
    )
    assert load(runtime.config.responses.attachments_dir, attached.sha256) == b"%PDF-1.7 cost study"
    assert [(e.action, e.after) for e in events] == [("status", "open"), ("concern", f"concern {concern.id}")]
    (receipt,) = outbox
    assert (receipt.kind, receipt.recipient) == ("concern-receipt", "export@luyuan.example.com")
    assert receipt.subject == "已收到贵司关于G/TBT/N/KEN/1500的评议意见"
    body = email.message_from_bytes(receipt.message, policy=email.policy.default)
    text = body.get_body(("plain",))
    assert text is not None and "http://127.0.0.1:8080/exporter/concerns?token=" in text.get_content()


async def test_a_submitted_concern_cannot_be_updated_by_anyone(runtime: Runtime) -> None:
    _, _, response_id = await _raise(runtime)
    with pytest.raises(sa.exc.DBAPIError, match="never edited"):
        async with runtime.db.begin() as conn:
            await conn.execute(sa.update(response_concerns).values(requested_change="edited by staff"))
    async with runtime.db.begin() as conn:
        (concern,) = await load_concerns(conn, response_id=response_id)
    assert concern.concern.requested_change == "请允许使用中文标签加贴英文翻译"


@pytest.mark.parametrize(
    ("path", "to", "key"),
    [
        ((), "sent", "illegal_transition"),
        ((), "approved", "illegal_transition"),
        (("drafting",), "open", "illegal_transition"),
        (("drafting",), "closed", "reason_required"),
        (("drafting",), "approved", "version_required"),
        ((), "archived", "unknown_status"),
    ],
)
async def test_illegal_moves_are_refused_and_write_nothing(
    runtime: Runtime, path: tuple[ResponseStatus, ...], to: ResponseStatus, key: str
) -> None:
    _, _, response_id = await _raise(runtime)
    async with runtime.db.begin() as conn:
        for status in path:
            await transition(
                conn, response_id, status, actor="a@zone", now=runtime.now(), config=runtime.config
            )
    before_events = len(await _events(runtime))
    before_mail = await _outbox(runtime)
    with pytest.raises(ResponseTransitionError) as caught:
        async with runtime.db.begin() as conn:
            await transition(conn, response_id, to, actor="a@zone", now=runtime.now(), config=runtime.config)
    assert caught.value.key == key
    assert isinstance(caught.value, ValueError)
    assert len(await _events(runtime)) == before_events
    assert await _outbox(runtime) == before_mail


async def _events(rt: Runtime) -> list[object]:
    async with rt.db.begin() as conn:
        return list(await conn.execute(sa.select(response_events)))


async def test_the_whole_life_is_in_the_history_and_tells_the_company_at_each_step(runtime: Runtime) -> None:
    notification_id, _ids, response_id = await _raise(runtime)
    now = runtime.now()
    cfg = runtime.config
    async with runtime.db.begin() as conn:
        file = await get_response_file(conn, response_id)
        assert file is not None
        await assign(conn, file, "王分析", "wang@zone.example.com", actor="chief@zone", now=now)
        await transition(conn, response_id, "drafting", actor="wang@zone.example.com", now=now, config=cfg)
        draft = await add_draft(
            conn, file, text_zh="意见一", text_en="Comment one", author="wang@zone", now=now
        )
        second = await add_draft(
            conn, file, text_zh="意见二", text_en="Comment two", author="wang@zone", now=now
        )
        await transition(
            conn, response_id, "approved", actor="official@zone", now=now, config=cfg, approved_version=2
        )
        await transition(conn, response_id, "sent", actor="system", now=now, config=cfg)
        await add_stc_mark(
            conn,
            notification_id,
            stc_number="789",
            url="https://tradeconcerns.wto.org/789",
            marked_by="official@zone",
            now=now,
        )
        final = await transition(conn, response_id, "answered", actor="official@zone", now=now, config=cfg)
        events = await list_events(conn, response_id=response_id)
        marks = await latest_stc_marks(conn, [notification_id])
    assert (draft.version, second.version) == (1, 2)
    assert final.status == "answered" and final.approved_version == 2
    assert [(e.action, e.actor, e.before, e.after) for e in events[2:]] == [
        ("assign", "chief@zone", "", "王分析 <wang@zone.example.com>"),
        ("status", "wang@zone.example.com", "open", "drafting"),
        ("draft", "wang@zone", "", "version 1"),
        ("draft", "wang@zone", "version 1", "version 2"),
        ("status", "official@zone", "drafting", "approved: version 2"),
        ("status", "system", "approved", "sent"),
        ("stc", "official@zone", "", "789 https://tradeconcerns.wto.org/789"),
        ("status", "official@zone", "sent", "answered"),
    ]
    assert marks[notification_id].stc_number == "789"
    mail = [m for m in await _outbox(runtime) if m[0] == "response-status"]
    # Both contacts of the company that raised the concern, in Chinese; never the tyre maker.
    assert sorted(r for _, r, _ in mail) == sorted(
        ["boss@luyuan.example.com", "export@luyuan.example.com"] * 4
    )
    assert (
        "response-status",
        "boss@luyuan.example.com",
        "G/TBT/N/KEN/1500：评议意见已提交国家咨询点",
    ) in mail
    with pytest.raises(ResponseTransitionError, match="final"):
        async with runtime.db.begin() as conn:
            await transition(conn, response_id, "closed", actor="x", now=now, config=cfg, reason="done")


async def test_status_emails_are_queued_once_per_entry(runtime: Runtime) -> None:
    _, ids, response_id = await _raise(runtime)
    cfg, now = runtime.config, runtime.now()
    async with runtime.db.begin() as conn:
        await request_full_text(
            conn,
            (await get_response_file(conn, response_id)).notification_id,  # type: ignore[union-attr]
            exporter_id=ids[TYRES.name],
            contact_email="sales@tyre.example.com",
            language="en",
            now=now,
            config=cfg,
        )
        await transition(
            conn, response_id, "closed", actor="o@zone", now=now, config=cfg, reason="Measure withdrawn"
        )
        assert await queue_status_emails(conn, response_id, "closed", now, cfg) == 0
    mail = [m for m in await _outbox(runtime) if m[0] == "response-status"]
    # The tyre maker asked for the full text: it hears too, in English.
    assert ("response-status", "sales@tyre.example.com", "G/TBT/N/KEN/1500: file closed") in mail
    assert len(mail) == 3


async def test_a_full_text_request_is_kept_once_per_company(runtime: Runtime) -> None:
    notification_id, ids = await populate(runtime)
    async with runtime.db.begin() as conn:
        first, made = await request_full_text(
            conn,
            notification_id,
            exporter_id=ids[TYRES.name],
            contact_email="sales@tyre.example.com",
            language="en",
            now=runtime.now(),
            config=runtime.config,
        )
        again, made_again = await request_full_text(
            conn,
            notification_id,
            exporter_id=ids[TYRES.name],
            contact_email="sales@tyre.example.com",
            language="en",
            now=runtime.now(),
            config=runtime.config,
        )
        files = await list_response_files(conn)
    assert (made, made_again, first.id) == (True, False, again.id)
    assert [f.status for f in files] == ["open"]


async def test_a_company_reads_only_its_own_concerns(runtime: Runtime) -> None:
    _notification_id, ids, _ = await _raise(runtime)
    async with runtime.db.begin() as conn:
        mine = await load_concerns(conn, exporter_ids=[ids[TYRES.name]])
        requests = await load_full_text_requests(conn, exporter_ids=[ids[TYRES.name]])
        theirs = await load_concerns(conn, exporter_ids=[ids[COSMETICS.name]])
    assert (mine, requests, len(theirs)) == ([], [], 1)


async def test_a_file_moved_meanwhile_is_not_moved_again(runtime: Runtime) -> None:
    _, _, response_id = await _raise(runtime)
    async with runtime.db.begin() as conn:
        stale = await get_response_file(conn, response_id)
        await transition(conn, response_id, "drafting", actor="a", now=runtime.now(), config=runtime.config)
    assert stale is not None
    with pytest.raises(ResponseTransitionError) as caught:
        async with runtime.db.begin() as conn:
            await set_status(conn, stale, "drafting", actor="b", now=runtime.now())
    assert caught.value.key == "status_moved"


def test_the_form_names_each_bad_field() -> None:
    form = ConcernForm(1, 2, "a@b.example", "en", ("3304", "3305"), ("KEN", "EU"))
    fields = {"cost": "-5", "lost_sales": "lots", "months": "1.5", "export_value": "1,200", "request": " "}
    concern, errors = concern_from_form(form, fields, ["9999"], [])
    assert concern is None
    assert [(e.key, e.params["field"]) for e in errors] == [
        ("pick_products", "products"),
        ("pick_markets", "markets"),
        ("bad_amount", "cost"),
        ("bad_amount", "lost_sales"),
        ("bad_months", "months"),
        ("request_required", "request"),
    ]
    ok, none = concern_from_form(
        form, {"export_value": "1,200", "request": "Accept EN 71 reports", "months": "6"}, ["3305"], ["EU"]
    )
    assert none == [] and ok is not None
    assert (ok.hs_codes, ok.markets, ok.export_value_usd, ok.months_to_comply) == (
        ("3305",),
        ("EU",),
        1200.0,
        6,
    )


async def test_too_many_files_are_refused(runtime: Runtime) -> None:
    notification_id, ids = await populate(runtime)
    limit = runtime.config.responses.max_attachments
    files = [check_file(f"f{i}.txt", b"text %d" % i, 100) for i in range(limit + 1)]
    with pytest.raises(AttachmentError) as caught:
        async with runtime.db.begin() as conn:
            await submit_concern(
                conn,
                _concern(notification_id, ids[COSMETICS.name]),
                files,
                company=COSMETICS.name,
                now=runtime.now(),
                config=runtime.config,
            )
    assert caught.value.key == "too_many_files"
    assert isinstance(caught.value, ConcernInputError)
    async with runtime.db.begin() as conn:
        assert await list_response_files(conn) == []


async def test_a_concern_on_a_closed_file_reopens_it(runtime: Runtime) -> None:
    notification_id, ids, response_id = await _raise(runtime)
    cfg, now = runtime.config, runtime.now()
    async with runtime.db.begin() as conn:
        await transition(conn, response_id, "closed", actor="o@zone", now=now, config=cfg, reason="no case")
    async with runtime.db.begin() as conn:
        stored = await submit_concern(
            conn,
            _concern(
                notification_id,
                ids[TYRES.name],
                contact_email="sales@tyre.example.com",
                hs_codes=("4011",),
                language="en",
                requested_change="Accept the ECE R30 test reports",
            ),
            [],
            company=TYRES.name,
            now=now,
            config=cfg,
        )
        file = await get_response_file(conn, response_id)
        events = await list_events(conn, response_id=response_id)
    # The same file, back in the queue as open, saying who reopened it.
    assert stored.response_id == response_id
    assert file is not None and file.status == "open"
    assert ("status", "concern from Quancheng Tyre Co.", "closed", "open") in [
        (e.action, e.actor, e.before, e.after) for e in events
    ]
    mail = await _outbox(runtime)
    # The company that raised the first concern hears the file reopened; the
    # one whose concern reopened it gets its receipt, not a status email.
    assert ("response-status", "boss@luyuan.example.com", "G/TBT/N/KEN/1500：档案已重新开启") in mail
    assert [m[0] for m in mail if m[1] == "sales@tyre.example.com"] == ["concern-receipt"]


async def test_a_full_text_request_on_a_closed_file_reopens_it(runtime: Runtime) -> None:
    notification_id, ids, response_id = await _raise(runtime)
    cfg, now = runtime.config, runtime.now()
    async with runtime.db.begin() as conn:
        await transition(conn, response_id, "closed", actor="o@zone", now=now, config=cfg, reason="no case")
        await request_full_text(
            conn,
            notification_id,
            exporter_id=ids[TYRES.name],
            contact_email="sales@tyre.example.com",
            language="en",
            now=now,
            config=cfg,
        )
        file = await get_response_file(conn, response_id)
        events = await list_events(conn, response_id=response_id)
    assert file is not None and file.status == "open"
    assert ("full-text request from sales@tyre.example.com", "closed", "open") in [
        (e.actor, e.before, e.after) for e in events
    ]
