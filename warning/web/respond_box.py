"""The "what you can do" box of the exporter notification page (issue 19): raise a concern,
ask for the full text, and what the contact's companies already did on the measure."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.concerns import load_concerns, load_full_text_requests
from warning.storage.responses import latest_stc_marks, response_file_for
from warning.web.concern_view import RespondBox
from warning.web.i18n import translate


async def respond_box(
    conn: AsyncConnection, notification_id: int, link: Callable[[str], str], exporter_ids: set[int], lang: str
) -> RespondBox:
    """The notification page's box: the form's link, the full-text button, what the companies did."""
    file = await response_file_for(conn, notification_id)
    concerns = await load_concerns(conn, notification_id=notification_id, exporter_ids=exporter_ids)
    requests = [
        r
        for r in await load_full_text_requests(conn, exporter_ids=exporter_ids)
        if r.notification_id == notification_id
    ]
    marks = await latest_stc_marks(conn, [notification_id])

    asked = min((r.created_at for r in requests), default=None)
    sent = min((r.sent_at for r in requests if r.sent_at), default=None)
    return RespondBox(
        form_url=link(f"/exporter/notifications/{notification_id}/concern"),
        full_text_url=link(f"/exporter/notifications/{notification_id}/full-text"),
        concerns_url=link("/exporter/concerns"),
        count=len(concerns),
        status_label=translate(lang, f"resp_status_{file.status}") if file and (concerns or requests) else "",
        text_asked=asked.date() if asked else None,
        text_sent=sent.date() if sent else None,
        stc=marks.get(notification_id),
    )
