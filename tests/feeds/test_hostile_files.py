"""Hostile input to the collectors: nesting that recurses without end, huge files,
zip bombs. One bad record is quarantined with its reason; the rest are stored,
also when the stored payloads are re-parsed; a file too large is refused with a
clear line, before it is read."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from feeds.export_file import MAX_UNPACKED_BYTES, parse_export
from feeds.json_depth import MAX_DEPTH, loads_bounded, too_deep
from warning.cli.main import main
from warning.types import RecordError

DATA = Path(__file__).resolve().parent / "data"
NESTED = "[" * 5000 + "]" * 5000


def sample_line(symbol: str, title: str) -> str:
    return json.dumps(
        {
            "symbols": [symbol],
            "area": "TBT",
            "notifying_member": "Kenya",
            "title": title,
            "hs_codes": ["330499"],
        }
    )


def cli_in(config: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Any]:
    async def cli(*args: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, ["--config", str(config), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return cli


def test_loads_bounded_cuts_only_what_is_too_deep() -> None:
    shallow = {"a": [[1, 2], {"b": "[[[[ in a string ]"}], "c": '\\"['}
    assert loads_bounded(json.dumps(shallow)) == shallow
    assert not too_deep(loads_bounded(json.dumps(shallow)))
    deep = loads_bounded('{"ok": 1, "bad": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}")
    assert deep["ok"] == 1 and too_deep(deep)
    # Exactly at the bound is kept whole.
    at_bound = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert not too_deep(loads_bounded(at_bound))


async def test_nested_json_line_is_quarantined_and_the_rest_stored(
    tmp_path: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        sample_line("G/TBT/N/KEN/1", "Night creams"),
        NESTED,
        json.dumps({"symbols": ["G/TBT/N/KEN/2"], "area": "TBT", "title": json.loads("[" * 99 + "]" * 99)}),
        "[" * 5000,  # never closed
        sample_line("G/TBT/N/KEN/3", "Shampoos"),
    ]
    (tmp_path / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = write_config('[[sources]]\nname = "hostile"\nkind = "file"\npath = "hostile.jsonl"\n')
    cli = cli_in(config, capsys)

    code, out, err = await cli("collect")
    assert (code, out.strip()) == (0, "hostile: 2 new, 0 updated, 0 unchanged, 3 quarantined"), err
    code, out, _ = await cli("quarantine", "list")
    for line in (2, 3, 4):
        assert f"hostile line {line}: " in out
    assert out.count(f"nested deeper than {MAX_DEPTH} levels") == 3
    # The stored payload re-parses the same way, every time.
    code, out, err = await cli("collect", "--reparse")
    assert (code, out.strip()) == (0, "hostile: 0 new, 0 updated, 2 unchanged, 3 quarantined"), err


def eping_page(*items: dict[str, Any]) -> bytes:
    return json.dumps({"items": list(items), "totalCount": len(items)}).encode()


async def test_nested_field_in_an_eping_page_is_quarantined_alone(
    write_config: Callable[..., Path],
    replay: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TBTWARN_NOW", "2026-07-12T02:00:00+00:00")
    good = json.loads(replay.data("eping_page1.json"))["items"]
    page = eping_page(good[0], {**good[1], "titlePlain": None, "title": "@@NESTED@@"}, *good[2:])
    page = page.replace(b'"@@NESTED@@"', NESTED.encode())
    url = replay.add("/eping", {"body": page})
    config = write_config(f'[[sources]]\nname = "eping"\nkind = "eping"\nurl = "{url}"\n')
    cli = cli_in(config, capsys)

    code, out, err = await cli("collect")
    stored = len(good) - 1
    assert (code, out.strip()) == (0, f"eping: {stored} new, 0 updated, 0 unchanged, 1 quarantined"), err
    code, out, _ = await cli("quarantine", "list")
    assert f"eping item 2 of page 1: nested deeper than {MAX_DEPTH} levels" in out
    code, out, err = await cli("collect", "--reparse")
    assert (code, out.strip()) == (0, f"eping: 0 new, 0 updated, {stored} unchanged, 1 quarantined"), err


async def test_a_file_over_max_bytes_is_refused_in_one_line(
    tmp_path: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    line = sample_line("G/TBT/N/KEN/1", "Night creams") + "\n"
    (tmp_path / "big.jsonl").write_text(line * (2048 // len(line) + 1), encoding="utf-8")
    config = write_config('[[sources]]\nname = "big"\nkind = "file"\npath = "big.jsonl"\nmax_bytes = 2048\n')
    code, out, err = await cli_in(config, capsys)("collect")
    assert code == 1
    assert out.startswith("big: error: ") and "refused: larger than 2,048 bytes" in out
    assert "max_bytes" in out and "Traceback" not in err


def xlsx_bomb(path: Path, whitespace: int) -> None:
    """The recorded ePing export with ``whitespace`` bytes of blanks inside its
    sheet: a valid workbook, a few hundred KB on disk (deflate, level 1 to be quick)."""
    with zipfile.ZipFile(DATA / "eping_export.xlsx") as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = members.pop("xl/worksheets/sheet1.xml")
    head, sep, tail = sheet.partition(b"<sheetData>")
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name, data in members.items():
            bomb.writestr(name, data)
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(head + sep)
            for _ in range(whitespace // len(chunk)):
                out.write(chunk)
            out.write(tail)


def test_xlsx_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    xlsx_bomb(bomb, MAX_UNPACKED_BYTES + (28 << 20))
    payload = bomb.read_bytes()
    assert len(payload) < MAX_UNPACKED_BYTES // 50  # a zip bomb: small on disk
    tracemalloc.start()
    try:
        results = parse_export(payload, "xlsx", "bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [error] = results
    assert isinstance(error, RecordError) and error.position == "document"
    assert "refused: the xlsx file unpacks to" in error.reason and "max_unpacked_bytes" in error.reason
    # Nothing was inflated: the peak is the payload's size, not the sheet's.
    assert peak < len(payload) * 3 + (4 << 20)


def test_xlsx_under_the_bound_still_reads(tmp_path: Path) -> None:
    results = parse_export((DATA / "eping_export.xlsx").read_bytes(), "xlsx", "export", max_unpacked=1 << 20)
    assert any(not isinstance(r, RecordError) for r in results)
    assert not any(isinstance(r, RecordError) and r.position == "document" for r in results)
