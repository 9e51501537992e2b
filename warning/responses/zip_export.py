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
from collections.abc import Sequence
from dataclasses import dataclass

from warning.safe_text import strip_controls

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
