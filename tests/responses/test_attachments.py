"""Attachments are judged by their content, never their name, and read within the limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from warning.exceptions import AttachmentError
from warning.responses.attachments import (
    check_file,
    clean_filename,
    load,
    read_limited,
    sniff,
    store,
    stored_path,
)

MAX = 1_000_000


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return out.getvalue()


DOCX = _zip(["[Content_Types].xml", "word/document.xml"])
XLSX = _zip(["[Content_Types].xml", "xl/workbook.xml"])
PPTX = _zip(["[Content_Types].xml", "ppt/presentation.xml"])
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("report.pdf", b"%PDF-1.7\n%...", "application/pdf"),
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("anim.gif", b"GIF89a\x01\x00", "image/gif"),
        ("pic.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("cost.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("sales.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("deck.pptx", PPTX, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("old.doc", OLE, "application/msword"),
        ("old.xls", OLE, "application/vnd.ms-excel"),
        ("figures.csv", "产品,金额\n3304,1000\n".encode(), "text/csv; charset=utf-8"),
        ("note.txt", "出口成本增加".encode(), "text/plain; charset=utf-8"),
        # The content decides: a PDF named .txt is a PDF.
        ("misnamed.txt", b"%PDF-1.4 ...", "application/pdf"),
    ],
)
def test_allowed_types_are_found_by_content(name: str, data: bytes, expected: str) -> None:
    checked = check_file(name, data, MAX)
    assert checked.content_type == expected
    assert checked.size == len(data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", ELF),  # a Linux executable renamed .pdf
        ("invoice.pdf", PE),  # a Windows executable renamed .pdf
        ("archive.docx", _zip(["payload.exe"])),  # a zip that is no office document
        ("notes.txt", "GBK 文本".encode("gbk")),  # not UTF-8
        ("data.csv", b"a,b\x00c"),  # a NUL byte: binary
    ],
)
def test_other_content_is_refused_naming_the_file(name: str, data: bytes) -> None:
    with pytest.raises(AttachmentError) as caught:
        check_file(name, data, MAX)
    assert caught.value.key == "attachment_type"
    assert caught.value.params["filename"] == name
    assert name in str(caught.value)


def test_empty_and_too_large_files_are_refused() -> None:
    with pytest.raises(AttachmentError) as empty:
        check_file("blank.pdf", b"", MAX)
    assert empty.value.key == "attachment_empty"
    with pytest.raises(AttachmentError) as large:
        check_file("big.pdf", b"%PDF-" + b"x" * 100, 50)
    assert large.value.key == "attachment_too_large"
    assert large.value.params["filename"] == "big.pdf"


class Upload:
    """An upload of ``total`` bytes, counting what was asked for."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.handed = 0

    async def read_chunk(self, size: int = 8192) -> bytes:
        n = min(size, self.left)
        self.left -= n
        self.handed += n
        return b"x" * n


async def test_an_upload_is_never_read_past_the_limit() -> None:
    huge = Upload(50_000_000)
    with pytest.raises(AttachmentError) as caught:
        await read_limited(huge, "huge.pdf", 100_000)
    assert caught.value.key == "attachment_too_large"
    assert huge.handed == 100_001
    small = Upload(1234)
    assert len(await read_limited(small, "small.pdf", 100_000)) == 1234


def test_files_are_kept_by_sha256_once(tmp_path: Path) -> None:
    digest = store(tmp_path, b"%PDF-1.7 one")
    assert stored_path(tmp_path, digest).read_bytes() == b"%PDF-1.7 one"
    assert store(tmp_path, b"%PDF-1.7 one") == digest
    assert load(tmp_path, digest) == b"%PDF-1.7 one"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [digest]
    with pytest.raises(ValueError, match="not a sha256"):
        stored_path(tmp_path, "../../etc/passwd")


def test_file_names_lose_their_folders() -> None:
    assert clean_filename("C:\\Users\\a\\报告.pdf") == "报告.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\n.pdf") == "ab.pdf"
    assert clean_filename("") == "file"
    assert sniff(b"", "x.txt") is None
