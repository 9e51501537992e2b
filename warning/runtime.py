"""What a running command holds: the config, the database and the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from warning.clock import Clock, clock_from_env
from warning.config import Config
from warning.storage.database import Database


@dataclass
class Runtime:
    config: Config
    db: Database
    clock: Clock

    @classmethod
    async def open(cls, config: Config, clock: Clock | None = None) -> Runtime:
        """Open the database and bring its schema up to date."""
        db = Database(config.database_url)
        await db.migrate()
        return cls(config, db, clock or clock_from_env(config.demo.now))

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        """Today's date in the zone's time zone."""
        return self.clock.now().astimezone(ZoneInfo(self.config.zone.timezone)).date()

    async def close(self) -> None:
        await self.db.close()
