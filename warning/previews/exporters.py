"""The exporters whose alert a change of product matches would make appear, disappear or
change level.

Each notification is assessed on its own with today's figures, as the alerting step
assesses a measure's document (:func:`warning.levels.alerting.assess_document`): a follow-up's
thread is not gathered, so a level may differ from the stored alert's where earlier
documents of the measure weigh in. Good enough to name who is concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warning.levels.alerting import _context, assess_document
from warning.runtime import Runtime
from warning.storage.exporters import load_exporters
from warning.storage.exposure import load_exposure
from warning.types import Level, Notification, ProductMatch

#: One notification's matches before and after a change: (id, notification, before, after).
Rematched = tuple[int, Notification, Sequence[ProductMatch], Sequence[ProductMatch]]


@dataclass(frozen=True)
class ExporterEffect:
    """One exporter's alert for one notification, before and after a change."""

    exporter: str
    notification_id: int
    key: str
    title: str
    #: The level before (``None``: no alert) and after.
    before: Level | None
    after: Level | None

    @property
    def change(self) -> str:
        """``appears``, ``disappears`` or ``level``."""
        if self.before is None:
            return "appears"
        if self.after is None:
            return "disappears"
        return "level"


async def exporter_effects(rt: Runtime, rematched: Sequence[Rematched]) -> list[ExporterEffect]:
    """The alerts that differ between the matches before and after, by exporter then notification."""
    if not rematched:
        return []
    threshold = rt.config.classifier.alert_threshold
    async with rt.db.begin() as conn:
        exporters = await load_exporters(conn)
        rows = await load_exposure(conn)
    ctx = _context(rt, exporters, rows)

    def levels(notification_id: int, n: Notification, matches: Sequence[ProductMatch]) -> dict[str, Level]:
        alerting = [m for m in matches if m.score >= threshold]
        assessed = assess_document(ctx, notification_id, [n], alerting)
        return {w.exporter: w.level for _, w in assessed.by_exporter.values()}

    out = []
    for i, n, before, after in rematched:
        was, now = levels(i, n, before), levels(i, n, after)
        for name in sorted(set(was) | set(now)):
            if was.get(name) != now.get(name):
                out.append(ExporterEffect(name, i, n.key, n.title, was.get(name), now.get(name)))
    return sorted(out, key=lambda e: (e.exporter, e.key))
