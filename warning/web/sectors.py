"""The effective sectors for the web pages, cached.

Sectors are the configured ones (or the HS sections) with the analysts' stored
overrides (:func:`warning.mapping.mappings.effective_sectors`). The list page reads
them on every request, so the cache asks the database for the mappings'
revision at most once per :data:`RECHECK` (a transaction per request was a
tenth of the list page's time at 50,000 notifications, ``bench/web.py``). A
change saved in this process shows at once (:meth:`SectorCache.invalidate`);
one saved by another worker or the CLI within :data:`RECHECK`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.mapping.mappings import effective_sectors
from warning.runtime import Runtime
from warning.storage.mappings import mappings_revision
from warning.types import Sector

#: How long the sectors are used before the stored revision is checked again.
RECHECK = dt.timedelta(seconds=2)


class SectorCache:
    """The effective sectors, reloaded when the stored mappings' revision moves."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.revision = -1
        self.sectors: tuple[Sector, ...] = ()
        self.checked_at: dt.datetime | None = None

    def invalidate(self) -> None:
        """Check the database on the next read (after a change saved here)."""
        self.checked_at = None

    async def get(self, conn: AsyncConnection | None = None) -> tuple[Sector, ...]:
        """The current sectors, read through ``conn`` when they must be checked
        (a transaction of their own without it)."""
        now = self.rt.now()
        if self.checked_at is not None and dt.timedelta(0) <= now - self.checked_at < RECHECK:
            return self.sectors
        if conn is None:
            async with self.rt.db.begin() as own:
                await self._reload(own)
        else:
            await self._reload(conn)
        self.checked_at = now
        return self.sectors

    async def _reload(self, conn: AsyncConnection) -> None:
        revision = await mappings_revision(conn)
        if revision != self.revision:
            self.sectors = await effective_sectors(conn, self.rt.config)
            self.revision = revision
