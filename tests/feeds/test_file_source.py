"""The ``file`` source over each format: JSONL sample, ePing JSON, ePing export xlsx and csv."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.base import DOCUMENT, SourceContext
from feeds.file_source import FileSource
from warning.clock import FixedClock
from warning.config import FileSourceConfig
from warning.types import Notification, RecordError

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = Path(__file__).resolve().parents[2] / "feeds" / "data" / "wto_sample.jsonl"
CONTEXT = SourceContext(clock=FixedClock(dt.datetime(2026, 7, 12, tzinfo=dt.UTC)))


async def parse_file(path: Path, fmt: str = "auto") -> tuple[dict[str, Notification], list[RecordError]]:
    source = FileSource(FileSourceConfig(name="f", kind="file", path=path, format=fmt), CONTEXT)  # type: ignore[arg-type]
    fetched = await source.fetch({})
    results = [r for raw in fetched.raws for r in source.parse(raw)]
    notes = {r.key: r for r in results if isinstance(r, Notification)}
    return notes, [r for r in results if isinstance(r, RecordError)]


@pytest.mark.parametrize("name", ["eping_export.xlsx", "eping_export.csv"])
async def test_eping_export(name: str) -> None:
    notes, errors = await parse_file(DATA / name)
    assert set(notes) == {"G/TBT/N/VNM/320", "G/TBT/N/BDI/390"}
    toys = notes["G/TBT/N/VNM/320"]
    assert toys.distribution_date == dt.date(2026, 7, 1)  # DD/MM/YYYY
    assert toys.comment_deadline == dt.date(2026, 8, 30)
    assert toys.hs_codes == ("950300", "950450")
    assert toys.description == "Safety requirements for toys"  # HTML stripped
    assert toys.links == ("https://eping.wto.org/en/Search?viewData=119001",)
    joint = notes["G/TBT/N/BDI/390"]
    assert [s.text for s in joint.symbols] == ["G/TBT/N/BDI/390", "G/TBT/N/KEN/1500"]
    assert [(e.position, e.reason) for e in errors] == [
        ("row 6", "field 'distribution_date': not a date: '31/02/2026'"),
        ("row 7", "no document symbol and no link to identify the row by"),
    ]


async def test_eping_json_file(tmp_path: Path) -> None:
    path = tmp_path / "saved.json"
    shutil.copy(DATA / "eping_page1.json", path)
    notes, errors = await parse_file(path)
    assert set(notes) == {"G/SPS/N/KOR/1", "G/TBT/N/BDI/383", "G/TBT/N/USA/2150"} and errors == []


async def test_jsonl_sample() -> None:
    notes, _ = await parse_file(SAMPLE)
    assert len(notes) > 100


# (case, file name, bytes, format, reason fragment)
BAD_FILES = [
    (
        "csv not UTF-8",
        "x.csv",
        "Document symbol,Title\nG/TBT/N/FRA/1,Éte\n".encode("latin-1"),
        "auto",
        "wrong encoding",
    ),
    ("xlsx that is not one", "x.xlsx", b"PK\x03\x04 not really a zip", "auto", "not a readable xlsx file"),
    ("csv without a symbol column", "x.csv", b"a,b\n1,2\n", "auto", "no 'Document symbol' column heading"),
    (
        "json HTML page",
        "x.json",
        b"<html><title>Error</title></html>",
        "auto",
        "expected JSON, got an HTML page",
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "payload", "fmt", "reason"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
async def test_bad_files(tmp_path: Path, case: str, name: str, payload: bytes, fmt: str, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    notes, errors = await parse_file(path, fmt)
    assert notes == {}
    assert len(errors) == 1 and errors[0].position == DOCUMENT and reason in errors[0].reason


def test_unknown_suffix_is_a_source_error(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    from warning.cli.main import main

    (tmp_path / "data.txt").write_text("x")
    config = write_config('[[sources]]\nname = "txt"\nkind = "file"\npath = "data.txt"\n')
    assert main(["--config", str(config), "collect"]) == 1
