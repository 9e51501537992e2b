"""One database connection for a whole read-only page: the session's user and the page's queries.

Every ``rt.db.begin()`` costs several hops to the SQLite driver's thread
(connect, begin, commit, the pool's rollback on return). A page marked
:func:`single_read` gets one connection from the session middleware, which
loads the signed-in user through it and leaves it open for the handler, so
the user and the page are read in one transaction with no commit. Only pages
that read, and open no connection of their own, may be marked: holding one
connection while asking the pool for another could exhaust it under load.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.runtime import Runtime
from warning.web.security import Handler

READ_CONN_KEY: Final = web.RequestKey[AsyncConnection]("tbtwarn.read_connection")


def single_read(handler: Handler) -> Handler:
    """Mark a read-only handler (place it under ``require_role``, whose wrapper keeps the mark)."""
    handler.single_read = True  # type: ignore[attr-defined]
    return handler


def wants_single_read(request: web.Request) -> bool:
    """Whether the route's handler is marked :func:`single_read`."""
    return bool(getattr(request.match_info.handler, "single_read", False))


@asynccontextmanager
async def read_connection(request: web.Request, rt: Runtime) -> AsyncIterator[AsyncConnection]:
    """The request's shared connection if the middleware opened one, else a new
    transaction of its own (committed on success)."""
    shared = request.get(READ_CONN_KEY)
    if shared is not None:
        yield shared
        return
    async with rt.db.begin() as conn:
        yield conn
