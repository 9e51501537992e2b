"""Forms with files, read as a stream within limits (the concern form, issue 19).

The app reads ordinary forms whole (``request.post()``, within the app's 1 MB
``client_max_size``); a form with files would pass that, or be buffered whole.
A handler marked :func:`streams_upload` gets its multipart body as a stream
instead: the CSRF middleware reads only the first part (the ``csrf_token``
field, which the form puts first) and leaves the reader in the request
(:data:`UPLOAD_KEY`); :func:`read_form` then reads each text field within
``TEXT_LIMIT`` bytes and each file within the configured size, never holding
more than the limit plus one byte of a part in memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import unquote

from aiohttp import BodyPartReader, MultipartReader, web

from warning.exceptions import AttachmentError, ConcernInputError
from warning.responses.attachments import clean_filename, read_limited

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

UPLOAD_KEY: Final = web.RequestKey[MultipartReader]("tbtwarn.upload")
#: Largest text field read (bytes): the longest request (5,000 characters) in UTF-8, with room.
TEXT_LIMIT = 32_000
#: Most parts read from one form (boxes ticked, fields, files).
MAX_PARTS = 400


def streams_upload(handler: Handler) -> Handler:
    """Mark a POST handler whose multipart form is read as a stream (:data:`UPLOAD_KEY`)."""
    handler.streams_upload = True  # type: ignore[attr-defined]
    return handler


def wants_stream(request: web.Request) -> bool:
    return request.content_type == "multipart/form-data" and bool(
        getattr(request.match_info.handler, "streams_upload", False)
    )


async def csrf_from_stream(request: web.Request, field_name: str) -> str | None:
    """The CSRF token of a streamed form (its first part), leaving the rest to the handler."""
    reader = await request.multipart()
    request[UPLOAD_KEY] = reader
    first = await reader.next()
    if not isinstance(first, BodyPartReader) or first.name != field_name:
        return None
    return await _text(first, 200)


async def _text(part: BodyPartReader, limit: int) -> str | None:
    data = bytearray()
    while chunk := await part.read_chunk(min(8192, limit + 1 - len(data))):
        data += chunk
        if len(data) > limit:
            return None
    return data.decode("utf-8", errors="replace")


def _sent_name(name: str) -> str:
    """A file name as the user's computer had it: some clients percent-encode non-ASCII
    names (``%E6%B5%8B.pdf``) where browsers send UTF-8."""
    if "%" not in name:
        return name
    try:
        return unquote(name, errors="strict")
    except UnicodeDecodeError:
        return name


@dataclass
class StreamedForm:
    """The fields and files of a streamed form."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    #: (file name as sent, bytes) of each non-empty file part.
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def one(self, name: str) -> str:
        values = self.fields.get(name, [])
        return values[0] if values else ""

    def many(self, name: str) -> list[str]:
        return self.fields.get(name, [])


async def read_form(request: web.Request, *, max_file_bytes: int, max_files: int) -> StreamedForm:
    """Read the rest of a streamed form (or an ordinary one, which holds no files).

    Raises:
        AttachmentError: a file is larger than ``max_file_bytes`` (read no further), or
            there are more than ``max_files`` files.
        ConcernInputError: ``form_too_large``: a text field over ``TEXT_LIMIT`` or too many parts.
    """
    form = StreamedForm()
    reader = request.get(UPLOAD_KEY)
    if reader is None:
        # Sent as an ordinary form (no file box): read whole, within the app's body limit.
        for name, value in (await request.post()).items():
            if isinstance(value, str):
                form.fields.setdefault(name, []).append(value)
        return form
    for _ in range(MAX_PARTS):
        part = await reader.next()
        if part is None:
            return form
        if not isinstance(part, BodyPartReader) or not part.name:
            raise ConcernInputError("form_too_large", "nested multipart parts are not read", field="files")
        if part.filename is not None:
            data = await read_limited(part, _sent_name(part.filename), max_file_bytes)
            if not data and not part.filename:
                continue  # a file box left empty
            if len(form.files) >= max_files:
                name = clean_filename(_sent_name(part.filename))
                raise AttachmentError(
                    "too_many_files", f"more than {max_files} files", filename=name, limit=str(max_files)
                )
            form.files.append((_sent_name(part.filename), data))
            continue
        text = await _text(part, TEXT_LIMIT)
        if text is None:
            raise ConcernInputError("form_too_large", f"field {part.name} is too long", field=part.name)
        form.fields.setdefault(part.name, []).append(text)
    raise ConcernInputError("form_too_large", f"more than {MAX_PARTS} parts", field="files")
