"""The effective sectors for the web pages, cached until an analyst changes them.

Sectors are the configured ones (or the HS sections) with the analysts' stored
overrides (:func:`warning.mappings.effective_sectors`). Each read asks the
database only for the mappings' revision, so a change saved by any worker
process shows on every page at once.
"""

from __future__ import annotations

from warning.mappings import effective_sectors
from warning.runtime import Runtime
from warning.storage.mappings import mappings_revision
from warning.types import Sector


class SectorCache:
    """The effective sectors, reloaded when the stored mappings' revision moves."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.revision = -1
        self.sectors: tuple[Sector, ...] = ()

    async def get(self) -> tuple[Sector, ...]:
        """The current sectors."""
        async with self.rt.db.begin() as conn:
            revision = await mappings_revision(conn)
            if revision != self.revision:
                self.sectors = await effective_sectors(conn, self.rt.config)
                self.revision = revision
        return self.sectors
