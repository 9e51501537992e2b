"""A measure's whole response file as one .zip: the concerns and full-text
requests (CSV, neutralised), their attachments, every draft version in both
languages, the history, the documents kept (replies, the comment as sent) and
the comment and companies list as they would be sent now.

File names inside come from companies' uploads: :func:`safe_member_name` keeps
them as plain names in their folder (no ``..``, no absolute paths, no control
characters), numbered so two files of one name cannot collide.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from warning.responses.dossier import Dossier
from warning.safe_text import csv_text, strip_controls

_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def safe_member_name(number: int, filename: str) -> str:
    """``<number>-<name>``: the uploaded name's last part, without separators,
    control characters or leading dots (Windows and unzip both accept it)."""
    name = _UNSAFE.sub("_", strip_controls(filename).replace("\n", " ").replace("\r", " "))
    name = name.strip().lstrip(".") or "file"
    return f"{number}-{name[:150]}"


@dataclass(frozen=True)
class ZipEntry:
    """A file of the archive: ``folder`` (fixed by the exporter, never from input) and a name."""

    folder: str
    name: str
    data: bytes


def response_zip(entries: Sequence[ZipEntry], when: dt.datetime) -> bytes:
    """The archive; every member dated ``when`` (the export's time, from the clock seam)."""
    out = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        seen: set[str] = set()
        for entry in entries:
            path = f"{entry.folder}/{entry.name}" if entry.folder else entry.name
            if path in seen:  # the exporter numbers names; a repeat is a bug, not a silent overwrite
                raise ValueError(f"duplicate zip member {path!r}")
            seen.add(path)
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.data)
    return out.getvalue()


def _csv(header: Sequence[str], rows: Sequence[Mapping[str, object]]) -> bytes:
    return csv_text(header, rows).encode("utf-8")


def dossier_entries(d: Dossier, read: Callable[[str], bytes]) -> list[ZipEntry]:
    """Every part of a response file as archive members; ``read`` gives a stored
    file's bytes by sha256 (a file gone from disk is listed in ``missing.txt``)."""
    entries: list[ZipEntry] = []
    missing: list[str] = []

    def stored(folder: str, number: int, filename: str, sha256: str) -> None:
        try:
            entries.append(ZipEntry(folder, safe_member_name(number, filename), read(sha256)))
        except (FileNotFoundError, ValueError):
            missing.append(f"{folder}/{number}-{filename} ({sha256})")

    f = d.file
    summary = [
        f"{d.symbol}  {d.member_name}",
        d.title,
        f"status: {f.status}" + (f" ({f.closed_reason})" if f.closed_reason else ""),
        f"WTO comment deadline: {d.comment_deadline or '-'}; enquiry point by: {f.enquiry_date or '-'}",
        f"assigned to: {f.assigned_name} <{f.assigned_email}>" if f.assigned_email else "assigned to: nobody",
        f"STC: {d.stc.stc_number} {d.stc.url}" if d.stc else "STC: -",
        f"provisions concerned: {d.provisions or '-'}",
    ]
    entries.append(ZipEntry("", "README.txt", ("\n".join(summary) + "\n").encode("utf-8")))
    concern_rows = []
    for c in d.concerns:
        i = c.concern
        concern_rows.append(
            {
                "id": c.id,
                "company": d.company(i.exporter_id),
                "contact": i.contact_email,
                "hs_codes": " ".join(i.hs_codes),
                "markets": " ".join(i.markets),
                "cost_usd": i.cost_usd,
                "lost_sales_usd": i.lost_sales_usd,
                "months_to_comply": i.months_to_comply,
                "export_value_usd": i.export_value_usd,
                "requested_change": i.requested_change,
                "effect_note": i.effect_note,
                "language": i.language,
                "created_at": c.created_at.isoformat(),
                "attachments": " ".join(a.filename for a in c.attachments),
            }
        )
        for a in c.attachments:
            stored(f"attachments/concern-{c.id}", a.id, a.filename, a.sha256)
    entries.append(ZipEntry("", "concerns.csv", _csv(CONCERN_COLUMNS, concern_rows)))
    requests = [
        {
            "id": r.id,
            "company": d.company(r.exporter_id),
            "contact": r.contact_email,
            "created_at": r.created_at.isoformat(),
            "sent_at": r.sent_at.isoformat() if r.sent_at else "",
        }
        for r in d.requests
    ]
    entries.append(
        ZipEntry(
            "",
            "full_text_requests.csv",
            _csv(("id", "company", "contact", "created_at", "sent_at"), requests),
        )
    )
    for draft in d.drafts:
        head = f"version {draft.version}, {draft.author}, {draft.created_at.isoformat()}\n\n"
        entries.append(ZipEntry("drafts", f"v{draft.version}-zh.txt", (head + draft.text_zh).encode("utf-8")))
        entries.append(ZipEntry("drafts", f"v{draft.version}-en.txt", (head + draft.text_en).encode("utf-8")))
    for doc in d.documents:
        stored(f"documents/{doc.kind}", doc.id, doc.filename, doc.sha256)
    events = [
        {
            "when": e.created_at.isoformat(),
            "who": e.actor,
            "action": e.action,
            "before": e.before,
            "after": e.after,
        }
        for e in d.events
    ]
    entries.append(ZipEntry("", "history.csv", _csv(("when", "who", "action", "before", "after"), events)))
    if missing:
        entries.append(ZipEntry("", "missing.txt", ("\n".join(missing) + "\n").encode("utf-8")))
    return entries


CONCERN_COLUMNS = (
    "id",
    "company",
    "contact",
    "hs_codes",
    "markets",
    "cost_usd",
    "lost_sales_usd",
    "months_to_comply",
    "export_value_usd",
    "requested_change",
    "effect_note",
    "language",
    "created_at",
    "attachments",
)
