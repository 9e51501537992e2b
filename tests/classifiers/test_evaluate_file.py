"""`classify evaluate` on an imperfect file: every readable labelled record is measured,
the others are skipped and named with their reason; figures per language, heading
precision and recall, confusions and the failed records come out in ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.evaluate import load_cases
from classifiers.nomenclature import load_nomenclature
from warning.cli.main import main

RECORDS: list[object] = [
    # A symbol a mirror printed without its member code: evaluated all the same.
    {
        "record_id": 7,
        "symbols": ["G/TBT/N/1234/Rev.1"],
        "area": "TBT",
        "title": "Toys",
        "products": "Electric toys (HS code(s): 950300)",
        "hs_codes": ["950300"],
        "source_lang": "en",
    },
    # No symbol at all, no record id: evaluated, known by its line.
    {
        "area": "TBT",
        "title": "轮胎",
        "products": "乘用车轮胎",
        "hs_codes": ["4011100000"],
        "source_lang": "zh",
    },
    {
        "record_id": 9,
        "symbols": ["G/TBT/N/KEN/3"],
        "area": "TBT",
        "title": "Placeholder",
        "hs_codes": ["9999"],
    },
    {"record_id": 10, "area": "TBT", "title": "", "products": "", "hs_codes": ["9503"]},
    {"record_id": 11, "area": "TBT", "title": "Unlabelled", "hs_codes": []},
]


def _write(path: Path) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    lines.insert(2, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_unreadable_records_are_skipped_and_named(tmp_path: Path) -> None:
    cases, skipped = load_cases(_write(tmp_path / "f.jsonl"), load_nomenclature())
    assert [c.truth for c in cases] == [("950300",), ("401110",)]
    assert [c.where for c in cases] == ["line 1, record 7, G/TBT/N/1234/Rev.1", "line 2"]
    described = [s.describe() for s in skipped]
    assert described[0].startswith("line 3: not JSON")
    assert described[1] == "line 4 (record 9, G/TBT/N/KEN/3): no valid HS 2022 code (given: 9999)"
    assert described[2].startswith("line 5 (record 10): unreadable: field 'title'")
    assert described[3] == "line 6 (record 11): no HS codes to measure against"


def test_evaluate_json_reports_languages_cv_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database_url = "sqlite+aiosqlite:///t.db"\n', encoding="utf-8")
    data = _write(tmp_path / "f.jsonl")
    assert main(["--config", str(config), "classify", "evaluate", "--data", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and out["skipped"] == 4
    assert [s["line"] for s in out["skipped_records"]] == [3, 4, 5, 6]
    assert set(out["by_language"]) == {"en", "zh"}
    assert out["by_language"]["zh"]["n"] == 1
    for key in ("heading_precision", "heading_recall", "chapter_f1"):
        assert key in out and key in out["by_language"]["en"]
    for view in ("baseline", "with_learner_cv", "calibrated_cv"):
        assert set(out[view]["by_language"]) == {"en", "zh"}
    assert out["folds"] == 5
    assert isinstance(out["confusions"], list) and isinstance(out["failures"], list)
    assert main(["--config", str(config), "classify", "evaluate", "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert "skipped line 4 (record 9, G/TBT/N/KEN/3): no valid HS 2022 code" in text
