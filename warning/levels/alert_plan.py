"""Which measures an alerting run must recompute.

Levels depend on a notification's thread (its documents and their strong
product matches), on the exporters (register row, export figures), on the
settings (``[warning]``, the alert threshold, the zone-wide figures) and on
the day (days left to comment). So a run recomputes:

- everything, on the first run of a day or when the settings changed;
- otherwise the threads with a new or changed document (content or strong
  matches), the thread a changed document left, and the threads whose strong
  matches share an HS prefix with the old or new codes of a changed exporter.

Everything else keeps the levels stored by the run that computed them, which
are what a full recomputation would give again the same day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.levels.threads import thread_key
from warning.runtime import Runtime
from warning.storage.alert_inputs import (
    NotificationInputs,
    chunks,
    current_inputs,
    digest,
    load_state,
    stored_exporter_inputs,
    stored_inputs,
)
from warning.storage.notifications import load_notifications
from warning.storage.schema import notifications
from warning.types import Exporter, ExposureRow

#: ``alert_state`` row of the alerting step.
STATE_NAME = "alerting"
#: Bump when the way levels are computed changes, so stored levels are recomputed.
ALGORITHM = 1


@dataclass(frozen=True)
class AlertPlan:
    """What one alerting run recomputes, and what it records afterwards."""

    #: Every notification is recomputed (new day, new settings, first run).
    full: bool
    #: Notifications to recompute: every document of each affected thread.
    ids: tuple[int, ...]
    #: Every notification's current inputs.
    inputs: dict[int, NotificationInputs]
    #: Exporters whose inputs changed (all when ``full``): id -> (fingerprint, codes).
    exporters: dict[int, tuple[str, tuple[str, ...]]]
    #: Exporters no longer in the register.
    gone_exporters: tuple[int, ...]
    #: Fingerprint of the settings.
    settings: str


def exporter_inputs(
    exporters: Sequence[tuple[int, Exporter]], rows: Sequence[ExposureRow]
) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Each exporter's fingerprint (register row and its figures) and HS codes."""
    by_name: dict[str, list[ExposureRow]] = {}
    for row in rows:
        if row.exporter is not None:
            by_name.setdefault(row.exporter, []).append(row)
    out: dict[int, tuple[str, tuple[str, ...]]] = {}
    for exporter_id, exporter in exporters:
        figures = sorted(flat_tuple(r) for r in by_name.get(exporter.name, []))
        codes = tuple(sorted({*exporter.hs_codes, *(r[1] for r in figures)}))
        out[exporter_id] = (digest([flat_tuple(exporter), figures]), codes)
    return out


def flat_tuple(value: Exporter | ExposureRow) -> tuple[Any, ...]:
    """``dataclasses.astuple`` of a register row or figure, without its deep
    copy (their fields are text, numbers and tuples of text: nothing to copy).
    Called for every exporter and figure on every run."""
    return tuple(getattr(value, name) for name in _FIELDS[type(value)])


_FIELDS = {t: tuple(f.name for f in dataclasses.fields(t)) for t in (Exporter, ExposureRow)}


def settings_fingerprint(rt: Runtime, rows: Sequence[ExposureRow]) -> str:
    """What every level depends on besides notifications and exporters."""
    zone = sorted(flat_tuple(r)[1:] for r in rows if r.exporter is None)
    return digest(
        [
            ALGORITHM,
            rt.config.warning.model_dump(mode="json"),
            rt.config.classifier.alert_threshold,
            zone,
        ]
    )


class _CodeSet:
    """HS codes; ``overlaps`` tells whether a code shares a prefix with any of them."""

    def __init__(self, codes: set[str]) -> None:
        self.codes = codes
        self.prefixes = {c[:n] for c in codes for n in range(1, len(c) + 1)}

    def overlaps(self, code: str) -> bool:
        if code in self.prefixes:
            return True  # one of the codes starts with it
        return any(code[:n] in self.codes for n in range(1, len(code)))


async def plan_alerting(
    conn: AsyncConnection,
    rt: Runtime,
    exporters: Sequence[tuple[int, Exporter]],
    rows: Sequence[ExposureRow],
) -> AlertPlan:
    """Work out what this run recomputes (reads only)."""
    settings = settings_fingerprint(rt, rows)
    inputs = await current_inputs(conn, rt.config.classifier.alert_threshold)
    current_exporters = exporter_inputs(exporters, rows)
    state = await load_state(conn, STATE_NAME)
    if state != (rt.today(), settings):
        return AlertPlan(True, tuple(sorted(inputs)), inputs, current_exporters, (), settings)
    stored = await stored_inputs(conn)
    changed = [i for i, inp in inputs.items() if stored.get(i, ("", ""))[1] != inp.fingerprint]
    dirty = {stored[i][0] for i in changed if i in stored}
    for chunk in chunks(changed):
        dirty |= {thread_key(n) for _, n in await load_notifications(conn, notifications.c.id.in_(chunk))}
    old_exporters = await stored_exporter_inputs(conn)
    moved = {i: v for i, v in current_exporters.items() if old_exporters.get(i, ("", ()))[0] != v[0]}
    gone = tuple(i for i in old_exporters if i not in current_exporters)
    codes = _CodeSet(
        {c for i in (*moved, *gone) for c in (*old_exporters.get(i, ("", ()))[1], *moved.get(i, ("", ()))[1])}
    )
    if codes.codes:
        for i, inp in inputs.items():
            if i in stored and any(codes.overlaps(c) for c in inp.codes):
                dirty.add(stored[i][0])
    members = {i for i, (key, _) in stored.items() if key in dirty and i in inputs} | set(changed)
    return AlertPlan(False, tuple(sorted(members)), inputs, moved, gone, settings)
