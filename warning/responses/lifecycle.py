"""The life of a response file and the one function that changes its status.

``open -> drafting -> approved -> sent -> answered``; ``closed`` (with a reason)
from any state before ``answered``; an approved comment may go back to
``drafting`` (an official asks for changes); a closed file is reopened
(``open``) by staff, or by a company's new concern (:func:`reopen_if_closed`),
which would otherwise sit in a file nobody looks at. Anything else is refused with a
:class:`~warning.exceptions.ResponseTransitionError` naming both states, and
nothing is written. A legal change writes the file's new status, its event and
the companies' status emails (:func:`warning.responses.notify.queue_status_emails`)
in the caller's transaction: all or nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.config import Config
from warning.exceptions import ResponseTransitionError
from warning.responses.notify import queue_status_emails
from warning.storage.responses import get_response_file, load_drafts, set_status
from warning.types import RESPONSE_STATUSES, ResponseFile, ResponseStatus

#: The statuses each status may move to.
TRANSITIONS: dict[ResponseStatus, tuple[ResponseStatus, ...]] = {
    "open": ("drafting", "closed"),
    "drafting": ("approved", "closed"),
    "approved": ("sent", "drafting", "closed"),
    "sent": ("answered", "closed"),
    "answered": (),
    "closed": ("open",),
}


def check_transition(before: str, after: str, reason: str = "", approved_version: int | None = None) -> None:
    """Refuse a status change the life of a file does not allow.

    Raises:
        ResponseTransitionError: ``unknown_status``, ``illegal_transition`` (from ``before``
            to ``after``), ``reason_required`` (closing without a reason) or
            ``version_required`` (approving without naming the draft version).
    """
    if after not in RESPONSE_STATUSES:
        raise ResponseTransitionError("unknown_status", f"unknown status {after!r}", status=after)
    allowed = TRANSITIONS.get(before, ())  # type: ignore[call-overload]
    if after not in allowed:
        shown = ", ".join(allowed) or "nothing: it is final"
        raise ResponseTransitionError(
            "illegal_transition",
            f"a response file cannot go from {before!r} to {after!r} (from {before!r}: {shown})",
            before=before,
            after=after,
        )
    if after == "closed" and not reason.strip():
        raise ResponseTransitionError("reason_required", "closing a response file needs a reason")
    if after == "approved" and approved_version is None:
        raise ResponseTransitionError("version_required", "approving needs the draft version approved")


async def transition(
    conn: AsyncConnection,
    response_id: int,
    to: ResponseStatus,
    *,
    actor: str,
    now: dt.datetime,
    config: Config,
    reason: str = "",
    approved_version: int | None = None,
) -> ResponseFile:
    """Move a response file to ``to``, write the event and queue the companies' status emails.

    Raises:
        ResponseTransitionError: the change is not allowed (see :func:`check_transition`), the
            file does not exist (``no_file``), the approved draft version does not (``no_draft``)
            or its status moved meanwhile (``status_moved``).
    """
    file = await get_response_file(conn, response_id)
    if file is None:
        raise ResponseTransitionError("no_file", f"no response file {response_id}", id=str(response_id))
    check_transition(file.status, to, reason, approved_version)
    if to == "approved" and approved_version not in {d.version for d in await load_drafts(conn, response_id)}:
        raise ResponseTransitionError(
            "no_draft", f"response file {response_id} has no draft version {approved_version}"
        )
    await set_status(
        conn, file, to, actor=actor, now=now, reason=reason.strip(), approved_version=approved_version
    )
    await queue_status_emails(conn, response_id, to, now, config)
    changed = await get_response_file(conn, response_id)
    assert changed is not None
    return changed


async def reopen_if_closed(
    conn: AsyncConnection, file: ResponseFile, company: str, *, now: dt.datetime, config: Config
) -> ResponseFile:
    """A company raised a concern on ``file`` (or asked for the full text):
    reopen it when it was closed, so it is back in the staff's queue (the other
    companies hear it reopened). ``company`` names who, in the history."""
    if file.status != "closed":
        return file
    return await transition(conn, file.id, "open", actor=company, now=now, config=config)
