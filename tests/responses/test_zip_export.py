"""The response file's zip: names from uploads stay plain names in their folder."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from warning.responses.zip_export import ZipEntry, response_zip, safe_member_name

WHEN = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("标签样张.pdf", "3-标签样张.pdf"),
        ("../../etc/passwd", "3-_.._etc_passwd"),
        ("C:\\Users\\a\\report.docx", "3-C__Users_a_report.docx"),
        (".hidden\x00\x1b[2J.txt", "3-hidden[2J.txt"),
        ("", "3-file"),
    ],
)
def test_member_names_cannot_leave_their_folder(uploaded: str, kept: str) -> None:
    assert safe_member_name(3, uploaded) == kept


def test_the_archive_holds_every_entry_and_refuses_duplicates() -> None:
    entries = [
        ZipEntry("", "README.txt", b"x"),
        ZipEntry("attachments/concern-1", safe_member_name(1, "../a.pdf"), b"%PDF"),
    ]
    archive = zipfile.ZipFile(io.BytesIO(response_zip(entries, WHEN)))
    assert archive.namelist() == ["README.txt", "attachments/concern-1/1-_a.pdf"]
    assert archive.getinfo("README.txt").date_time == (2026, 7, 1, 1, 0, 0)
    with pytest.raises(ValueError, match="duplicate"):
        response_zip([*entries, ZipEntry("", "README.txt", b"y")], WHEN)
