"""Files attached to concerns: checked by their content, read within a limit, kept by sha256.

Allowed, whatever the file is called: PDF, PNG, JPEG, GIF, WebP, office OOXML
(docx, xlsx, pptx: a zip holding ``[Content_Types].xml``), legacy office files
(OLE compound documents: doc, xls) and plain text or CSV (UTF-8, no NUL byte).
Anything else (an executable renamed ``.pdf``, an archive, HTML...) is refused
with an :class:`~warning.exceptions.AttachmentError` naming the file. The
signatures are checked by hand: the few types allowed are easy to recognise
and no dependency is needed.

Files are stored under ``[responses] attachments_dir`` (outside the web root),
at ``<sha256[:2]>/<sha256>``: the company's file name is only shown, never used
as a path, and the same file sent twice is kept once. Only the staff route
serves them.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from warning.exceptions import AttachmentError

#: Bytes read at a time from an upload.
CHUNK = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: What each OOXML package holds, by the folder its main part is in.
_OOXML = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_OLE_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


class ChunkReader(Protocol):
    """What an upload is read from (aiohttp's ``BodyPartReader``)."""

    async def read_chunk(self, size: int = ...) -> bytes: ...


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to store."""

    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_filename(name: str) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[-200:] or "file"


def _ooxml(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for folder, content_type in _OOXML:
        if any(n.startswith(folder) for n in names):
            return content_type
    return None


def _text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(data: bytes, filename: str) -> str | None:
    """The content type of an allowed file, found from its bytes; ``None``: not allowed.

    The name only tells apart what the content cannot (a CSV from other text, a
    .doc from a .xls inside the same OLE container).
    """
    suffix = os.path.splitext(filename)[1].lower()
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    if data.startswith(_OLE):
        return _OLE_TYPES.get(suffix, "application/x-ole-storage")
    if data and _text(data):
        return "text/csv; charset=utf-8" if suffix == ".csv" else "text/plain; charset=utf-8"
    return None


def check_file(filename: str, data: bytes, max_bytes: int) -> CheckedFile:
    """An upload checked by size and content.

    Raises:
        AttachmentError: ``attachment_empty``, ``attachment_too_large`` or
            ``attachment_type`` (not an allowed type by its content), naming the file.
    """
    name = clean_filename(filename)
    if not data:
        raise AttachmentError("attachment_empty", f"{name}: the file is empty", filename=name)
    if len(data) > max_bytes:
        raise AttachmentError(
            "attachment_too_large",
            f"{name}: larger than {max_bytes} bytes",
            filename=name,
            limit=size_text(max_bytes),
        )
    content_type = sniff(data, name)
    if content_type is None:
        raise AttachmentError(
            "attachment_type",
            f"{name}: not a PDF, image, office document or text file (by its content), refused",
            filename=name,
        )
    return CheckedFile(name, content_type, data)


def size_text(n: int) -> str:
    """A byte count as people read it: ``10 MB``, ``1.5 MB``, ``500 KB``."""
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} KB"


async def read_limited(reader: ChunkReader, filename: str, max_bytes: int) -> bytes:
    """Read an upload, never holding more than ``max_bytes + 1`` bytes of it.

    Raises:
        AttachmentError: ``attachment_too_large`` as soon as the upload passes the limit.
    """
    buffer = bytearray()
    while True:
        chunk = await reader.read_chunk(min(CHUNK, max_bytes + 1 - len(buffer)))
        if not chunk:
            return bytes(buffer)
        buffer += chunk
        if len(buffer) > max_bytes:
            name = clean_filename(filename)
            raise AttachmentError(
                "attachment_too_large",
                f"{name}: larger than {max_bytes} bytes",
                filename=name,
                limit=size_text(max_bytes),
            )


def stored_path(folder: Path, sha256: str) -> Path:
    """Where a file with this sha256 is kept."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return folder / sha256[:2] / sha256


def store(folder: Path, data: bytes) -> str:
    """Write the bytes under ``folder`` by their sha256 (once; atomically); the sha256."""
    digest = hashlib.sha256(data).hexdigest()
    path = stored_path(folder, digest)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{digest}.{os.getpid()}.tmp")
    with open(temp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
    return digest


def load(folder: Path, sha256: str) -> bytes:
    """The bytes of a stored file. Raises FileNotFoundError when it is gone."""
    return stored_path(folder, sha256).read_bytes()
