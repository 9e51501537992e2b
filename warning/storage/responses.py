"""Response files, companies' concerns, full-text requests, drafts, STC marks and events.

Every function works in the caller's transaction. The functions that change a
response file (status, assignment, drafts, documents) and STC marks write their
``response_events`` row themselves, so the history cannot miss a change. Concerns
and their attachments are inserted, never updated (a trigger refuses it too).
The legal status changes are decided in :mod:`warning.responses.lifecycle`,
not here: :func:`set_status` only refuses a file whose status moved meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import ResponseTransitionError
from warning.storage.response_tables import (
    comment_drafts,
    response_documents,
    response_events,
    response_files,
    stc_marks,
)
from warning.storage.sql import insert_returning_id
from warning.types import (
    CommentDraft,
    ResponseDocument,
    ResponseEvent,
    ResponseFile,
    ResponseStatus,
    StcMark,
)


def _file(r: Any) -> ResponseFile:
    return ResponseFile(
        id=r.id,
        notification_id=r.notification_id,
        status=r.status,
        assigned_name=r.assigned_name,
        assigned_email=r.assigned_email,
        enquiry_date=r.enquiry_date,
        approved_version=r.approved_version,
        closed_reason=r.closed_reason,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


async def add_event(
    conn: AsyncConnection,
    *,
    response_id: int | None,
    notification_id: int,
    actor: str,
    action: str,
    before: str = "",
    after: str = "",
    now: dt.datetime,
) -> int:
    """Append one line to the history; its id."""
    new_id = await insert_returning_id(
        conn,
        response_events,
        {
            "response_id": response_id,
            "notification_id": notification_id,
            "actor": actor,
            "action": action,
            "before": before,
            "after": after,
            "created_at": now,
        },
    )
    return new_id


async def list_events(
    conn: AsyncConnection, *, response_id: int | None = None, notification_id: int | None = None
) -> list[ResponseEvent]:
    """History lines of a response file or a notification, oldest first."""
    query = sa.select(response_events).order_by(response_events.c.id)
    if response_id is not None:
        query = query.where(response_events.c.response_id == response_id)
    if notification_id is not None:
        query = query.where(response_events.c.notification_id == notification_id)
    return [
        ResponseEvent(
            r.id, r.response_id, r.notification_id, r.actor, r.action, r.before, r.after, r.created_at
        )
        for r in await conn.execute(query)
    ]


async def ensure_response_file(
    conn: AsyncConnection, notification_id: int, enquiry_date: dt.date | None, now: dt.datetime
) -> tuple[ResponseFile, bool]:
    """The notification's response file, created ``open`` when missing: ``(file, created)``.

    A known file whose enquiry-point date differs (the deadline was extended) gets the new date.
    """
    found = await response_file_for(conn, notification_id)
    if found is not None:
        if found.enquiry_date != enquiry_date:
            await conn.execute(
                sa.update(response_files)
                .where(response_files.c.id == found.id)
                .values(enquiry_date=enquiry_date, updated_at=now)
            )
            await add_event(
                conn,
                response_id=found.id,
                notification_id=notification_id,
                actor="system",
                action="enquiry_date",
                before=str(found.enquiry_date or ""),
                after=str(enquiry_date or ""),
                now=now,
            )
            found = await get_response_file(conn, found.id)
            assert found is not None
        return found, False
    values = {
        "notification_id": notification_id,
        "status": "open",
        "assigned_name": "",
        "assigned_email": "",
        "enquiry_date": enquiry_date,
        "approved_version": None,
        "closed_reason": "",
        "created_at": now,
        "updated_at": now,
    }
    new_id = await insert_returning_id(conn, response_files, values)
    await add_event(
        conn,
        response_id=new_id,
        notification_id=notification_id,
        actor="system",
        action="status",
        after="open",
        now=now,
    )
    made = await get_response_file(conn, new_id)
    assert made is not None
    return made, True


async def get_response_file(conn: AsyncConnection, response_id: int) -> ResponseFile | None:
    row = (await conn.execute(sa.select(response_files).where(response_files.c.id == response_id))).first()
    return _file(row) if row is not None else None


async def response_file_for(conn: AsyncConnection, notification_id: int) -> ResponseFile | None:
    query = sa.select(response_files).where(response_files.c.notification_id == notification_id)
    row = (await conn.execute(query)).first()
    return _file(row) if row is not None else None


async def list_response_files(
    conn: AsyncConnection,
    *,
    statuses: Sequence[ResponseStatus] | None = None,
    notification_ids: Iterable[int] | None = None,
) -> list[ResponseFile]:
    """Response files by enquiry-point date (none last), then id."""
    query = sa.select(response_files).order_by(
        response_files.c.enquiry_date.is_(None), response_files.c.enquiry_date, response_files.c.id
    )
    if statuses is not None:
        query = query.where(response_files.c.status.in_(list(statuses)))
    if notification_ids is not None:
        query = query.where(response_files.c.notification_id.in_(list(notification_ids)))
    return [_file(r) for r in await conn.execute(query)]


async def set_status(
    conn: AsyncConnection,
    file: ResponseFile,
    status: ResponseStatus,
    *,
    actor: str,
    now: dt.datetime,
    reason: str = "",
    approved_version: int | None = None,
) -> int:
    """Move ``file`` (as read) to ``status`` and write the event; the event's id.

    Low level: :func:`warning.responses.lifecycle.transition` checks that the move is legal.

    Raises:
        ResponseTransitionError: (``status_moved``) the stored status is no longer ``file.status``
            (someone else moved it meanwhile): nothing changed.
    """
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "closed":
        values["closed_reason"] = reason
    if status == "approved":
        values["approved_version"] = approved_version
    result = await conn.execute(
        sa.update(response_files)
        .where(response_files.c.id == file.id, response_files.c.status == file.status)
        .values(**values)
    )
    if result.rowcount != 1:
        raise ResponseTransitionError(
            "status_moved", f"response file {file.id} is no longer {file.status!r}", before=file.status
        )
    after = status if not reason else f"{status}: {reason}"
    if approved_version is not None and status == "approved":
        after = f"approved: version {approved_version}"
    return await add_event(
        conn,
        response_id=file.id,
        notification_id=file.notification_id,
        actor=actor,
        action="status",
        before=file.status,
        after=after,
        now=now,
    )


async def status_entries(conn: AsyncConnection, response_id: int, status: ResponseStatus) -> int:
    """How many times the file entered ``status`` (its status events), e.g. for email keys."""
    query = sa.select(sa.func.count()).where(
        response_events.c.response_id == response_id,
        response_events.c.action == "status",
        sa.or_(response_events.c.after == status, response_events.c.after.like(f"{status}:%")),
    )
    return int((await conn.execute(query)).scalar_one())


async def assign(
    conn: AsyncConnection, file: ResponseFile, name: str, email: str, *, actor: str, now: dt.datetime
) -> None:
    """Assign the file to a person (name and email); empty both to unassign. Writes the event."""
    await conn.execute(
        sa.update(response_files)
        .where(response_files.c.id == file.id)
        .values(assigned_name=name, assigned_email=email, updated_at=now)
    )
    before = f"{file.assigned_name} <{file.assigned_email}>" if file.assigned_email else ""
    await add_event(
        conn,
        response_id=file.id,
        notification_id=file.notification_id,
        actor=actor,
        action="assign",
        before=before,
        after=f"{name} <{email}>" if email else "",
        now=now,
    )


# --- what staff write


async def add_draft(
    conn: AsyncConnection, file: ResponseFile, *, text_zh: str, text_en: str, author: str, now: dt.datetime
) -> CommentDraft:
    """Store the next version of the zone's comment and its event."""
    latest = await conn.execute(
        sa.select(sa.func.max(comment_drafts.c.version)).where(comment_drafts.c.response_id == file.id)
    )
    version = int(latest.scalar() or 0) + 1
    new_id = await insert_returning_id(
        conn,
        comment_drafts,
        {
            "response_id": file.id,
            "version": version,
            "text_zh": text_zh,
            "text_en": text_en,
            "author": author,
            "created_at": now,
        },
    )
    await add_event(
        conn,
        response_id=file.id,
        notification_id=file.notification_id,
        actor=author,
        action="draft",
        before=f"version {version - 1}" if version > 1 else "",
        after=f"version {version}",
        now=now,
    )
    return CommentDraft(new_id, file.id, version, text_zh, text_en, author, now)


async def load_drafts(conn: AsyncConnection, response_id: int) -> list[CommentDraft]:
    """Every version of the file's comment, first to latest."""
    query = (
        sa.select(comment_drafts)
        .where(comment_drafts.c.response_id == response_id)
        .order_by(comment_drafts.c.version)
    )
    return [
        CommentDraft(r.id, r.response_id, r.version, r.text_zh, r.text_en, r.author, r.created_at)
        for r in await conn.execute(query)
    ]


async def add_stc_mark(
    conn: AsyncConnection,
    notification_id: int,
    *,
    stc_number: str,
    url: str,
    marked_by: str,
    now: dt.datetime,
) -> StcMark:
    """Mark a measure as raised as a specific trade concern (the latest mark counts); writes the event."""
    previous = await latest_stc_marks(conn, [notification_id])
    new_id = await insert_returning_id(
        conn,
        stc_marks,
        {
            "notification_id": notification_id,
            "stc_number": stc_number,
            "url": url,
            "marked_by": marked_by,
            "created_at": now,
        },
    )
    file = await response_file_for(conn, notification_id)
    before = previous.get(notification_id)
    await add_event(
        conn,
        response_id=file.id if file else None,
        notification_id=notification_id,
        actor=marked_by,
        action="stc",
        before=f"{before.stc_number} {before.url}".strip() if before else "",
        after=f"{stc_number} {url}".strip(),
        now=now,
    )
    return StcMark(new_id, notification_id, stc_number, url, marked_by, now)


async def latest_stc_marks(conn: AsyncConnection, notification_ids: Iterable[int]) -> dict[int, StcMark]:
    """The latest STC mark of each notification that has one."""
    ids = list(notification_ids)
    marks: dict[int, StcMark] = {}
    for start in range(0, len(ids), 500):
        query = (
            sa.select(stc_marks)
            .where(stc_marks.c.notification_id.in_(ids[start : start + 500]))
            .order_by(stc_marks.c.id)
        )
        for r in await conn.execute(query):
            marks[r.notification_id] = StcMark(
                r.id, r.notification_id, r.stc_number, r.url, r.marked_by, r.created_at
            )
    return marks


async def add_document(
    conn: AsyncConnection,
    file: ResponseFile,
    *,
    kind: str,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    author: str,
    now: dt.datetime,
) -> int:
    """Record a document kept in the file (stored like attachments: by sha256); writes the event."""
    doc_id = await insert_returning_id(
        conn,
        response_documents,
        {
            "response_id": file.id,
            "kind": kind,
            "filename": filename,
            "content_type": content_type,
            "size": size,
            "sha256": sha256,
            "author": author,
            "created_at": now,
        },
    )
    await add_event(
        conn,
        response_id=file.id,
        notification_id=file.notification_id,
        actor=author,
        action="document",
        after=f"{kind}: {filename}",
        now=now,
    )
    return doc_id


async def load_documents(conn: AsyncConnection, response_id: int) -> list[ResponseDocument]:
    """The file's documents, oldest first."""
    query = (
        sa.select(response_documents)
        .where(response_documents.c.response_id == response_id)
        .order_by(response_documents.c.id)
    )
    return [
        ResponseDocument(
            r.id, r.response_id, r.kind, r.filename, r.content_type, r.size, r.sha256, r.author, r.created_at
        )
        for r in await conn.execute(query)
    ]
