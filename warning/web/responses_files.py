"""Files of a response file, served to staff only: a draft version as the
comment's .docx, the concerned companies as .xlsx, the documents kept
(replies, the comment as sent) and the whole file as a zip. The companies'
attachments are served by :mod:`warning.web.concern_pages`.

Stored files are read by their sha256 from ``[responses] attachments_dir``
(outside the web root); each is served as an attachment under its checked type,
with ``nosniff`` (set on every response) so a browser never runs one.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web

from warning.responses import attachments
from warning.responses.comment_doc import DOCX_TYPE
from warning.responses.companies_xlsx import XLSX_TYPE
from warning.responses.dossier import Dossier, load_dossier
from warning.responses.zip_export import dossier_entries, response_zip
from warning.web.keys import RUNTIME
from warning.web.params import path_id
from warning.web.security import STAFF, require_role

routes = web.RouteTableDef()


def _download(data: bytes, filename: str, content_type: str) -> web.Response:
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-._") else "_" for ch in filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=utf-8''{quote(filename, safe='')}"
    return web.Response(
        body=data, content_type=content_type.split(";")[0], headers={"Content-Disposition": disposition}
    )


async def _dossier(request: web.Request) -> Dossier:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        found = await load_dossier(conn, path_id(request, "response file"))
    if found is None:
        raise web.HTTPNotFound(reason="no such response file")
    return found


def _base(d: Dossier) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in d.symbol).strip("-") or f"response-{d.file.id}"


@routes.get("/responses/{id}/comment-v{version}.docx")
@require_role(*STAFF)
async def draft_docx(request: web.Request) -> web.Response:
    rt, d = request.app[RUNTIME], await _dossier(request)
    draft = d.draft(path_id(request, "version", "version"))
    if draft is None:
        raise web.HTTPNotFound(reason="no such draft version")
    zone = rt.config.zone
    data = await asyncio.to_thread(d.docx, draft, zone.name_zh, zone.name, rt.today())
    return _download(data, f"{_base(d)}-comment-v{draft.version}.docx", DOCX_TYPE)


@routes.get("/responses/{id}/companies.xlsx")
@require_role(*STAFF)
async def companies(request: web.Request) -> web.Response:
    d = await _dossier(request)
    return _download(await asyncio.to_thread(d.xlsx), f"{_base(d)}-companies.xlsx", XLSX_TYPE)


@routes.get("/responses/{id}/documents/{file}")
@require_role(*STAFF)
async def document(request: web.Request) -> web.Response:
    rt, d = request.app[RUNTIME], await _dossier(request)
    wanted = path_id(request, "document", "file")
    found = next((doc for doc in d.documents if doc.id == wanted), None)
    if found is None:
        raise web.HTTPNotFound(reason="no such document in this response file")
    try:
        data = await asyncio.to_thread(attachments.load, rt.config.responses.attachments_dir, found.sha256)
    except FileNotFoundError:
        raise web.HTTPNotFound(reason="the stored file is missing") from None
    return _download(data, found.filename, found.content_type)


@routes.get("/responses/{id}/export.zip")
@require_role(*STAFF)
async def export_zip(request: web.Request) -> web.Response:
    """The whole response file: concerns, attachments, drafts, history, documents."""
    rt, d = request.app[RUNTIME], await _dossier(request)
    folder = rt.config.responses.attachments_dir

    def build() -> bytes:
        return response_zip(dossier_entries(d, lambda sha: attachments.load(folder, sha)), rt.now())

    data = await asyncio.to_thread(build)
    return _download(data, f"{_base(d)}-response-file.zip", "application/zip")
