"""Exporting notifications as normalised records (JSONL or CSV)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from classifiers.nomenclature import load_nomenclature
from warning.review.surfaces import note_json, warning_shaper
from warning.runtime import Runtime
from warning.safe_text import csv_text
from warning.storage.notifications import load_notifications, matches_by_notification, sources_of
from warning.storage.review_actions import ReviewState, load_state
from warning.storage.warnings import NotificationWarning, load_warnings
from warning.symbols import reference

CSV_COLUMNS = (
    "key",
    "symbols",
    # How people name it: the symbol, or a readable name where there is none (the key is internal).
    "reference",
    "area",
    "member_codes",
    "member_name",
    "notification_type",
    "title",
    "description",
    "products",
    "distribution_date",
    "comment_deadline",
    "proposed_adoption_date",
    "proposed_entry_into_force_date",
    "hs_codes",
    "ics_codes",
    "objectives",
    "links",
    "language",
    "sources",
    "matches",
    "warning_level",
    "warning_reasons",
    "alerts",
    "measure",
    "held_back",
    "expert_note_zh",
    "expert_note_en",
    "expert_note_office",
)


async def notification_records(rt: Runtime) -> list[dict[str, Any]]:
    """One normalised record per notification, with its product matches."""
    nomenclature = load_nomenclature()
    async with rt.db.begin() as conn:
        notes = await load_notifications(conn)
        matches = await matches_by_notification(conn)
        warnings = await load_warnings(conn)
        # The officials' review: alerts as exporters receive them, with the expert notes.
        state = await load_state(conn)
        shape = await warning_shaper(conn)
        records = []
        for notification_id, n in notes:
            record = asdict(n)
            record["symbols"] = [s.text for s in n.symbols]
            record["reference"] = n.symbols[0].text if n.symbols else reference(n.key)
            for key in ("source_name", "source_id"):
                record.pop(key)
            record["sources"] = await sources_of(conn, notification_id)
            record["matches"] = [
                asdict(m) | {"description": nomenclature.label(m.hs_code, "en")}
                for m in matches.get(notification_id, [])
            ]
            found = warnings.get(notification_id)
            record |= warning_fields(shape(found) if found else None)
            record |= review_fields(notification_id, state)
            records.append(record)
    return records


def warning_fields(w: NotificationWarning | None) -> dict[str, Any]:
    """``warning_level`` (the zone's, null when no exporter matches),
    ``warning_reasons`` (English strings), ``alerts`` (``{exporter, level,
    reasons}``) and ``measure`` (thread key and what this document did to it)."""
    if w is None:
        return {"warning_level": None, "warning_reasons": [], "alerts": [], "measure": None}
    return {
        "warning_level": w.level,
        "warning_reasons": [r.en for r in w.reasons],
        "alerts": [
            {"exporter": a.exporter, "level": a.level, "reasons": [r.en for r in a.reasons]} for a in w.alerts
        ],
        "measure": {"thread": w.thread_key, "event": w.event},
    }


def review_fields(notification_id: int, state: ReviewState) -> dict[str, Any]:
    """``held_back`` (from every exporter, by the officials' review) and the
    officials' expert note (``expert_note_zh``, ``_en``, ``_office``)."""
    note = note_json(state.notes.get(notification_id))
    return {
        "held_back": notification_id in state.suppressed_notifications,
        "expert_note_zh": note["zh"] if note else "",
        "expert_note_en": note["en"] if note else "",
        "expert_note_office": note["office"] if note else "",
    }


def to_jsonl(records: list[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, default=str) + "\n"


def to_csv(records: list[dict[str, Any]]) -> str:
    """CSV with lists joined by ``;`` and matches as ``code:score:method``; a
    UTF-8 BOM first and formula-like text neutralised (:func:`warning.safe_text.csv_text`)."""
    rows = []
    for record in records:
        row = dict(record)
        row["matches"] = ";".join(f"{m['hs_code']}:{m['score']:.2f}:{m['method']}" for m in record["matches"])
        row["alerts"] = ";".join(f"{a['exporter']}:{a['level']}" for a in record["alerts"])
        measure = record["measure"]
        row["measure"] = f"{measure['thread']}:{measure['event'] or 'base'}" if measure else ""
        for key, value in row.items():
            if isinstance(value, list | tuple):
                row[key] = ";".join(map(str, value))
        rows.append(row)
    return csv_text(CSV_COLUMNS, rows)
