"""Emails the web app sends in the background (sign-in links, sign-up and
decision emails): a page queues them in the outbox, then delivers the outbox in
a task of its own, so the response never waits for the mail server. What fails
stays in the outbox for the next delivery run; the tasks are awaited when the
app closes.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from notifications.deliver import deliver_pending
from warning.runtime import Runtime
from warning.web.keys import RUNTIME

log = logging.getLogger(__name__)
#: Deliveries in flight (kept so they are not garbage-collected before they end).
TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("background_mail_tasks", set[asyncio.Task[None]])


async def _deliver(rt: Runtime, what: str) -> None:
    try:
        outcome = await deliver_pending(rt)
    except Exception:  # a background task: log, never lose the exception silently
        log.exception("delivering %s failed; they stay in the outbox", what)
        return
    for error in outcome.errors:
        log.warning("%s delivery: %s", what, error)


def deliver_soon(app: web.Application, what: str) -> None:
    """Deliver the outbox in the background; ``what`` names the emails in the log."""
    task: asyncio.Task[None] = asyncio.create_task(_deliver(app[RUNTIME], what))
    app[TASKS].add(task)
    task.add_done_callback(app[TASKS].discard)


async def _on_cleanup(app: web.Application) -> None:
    pending: set[asyncio.Task[None]] = app[TASKS]
    tasks = list(pending)
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def setup(app: web.Application) -> None:
    """The app's set of deliveries in flight (called by ``create_app``)."""
    app[TASKS] = set()
    app.on_cleanup.append(_on_cleanup)
