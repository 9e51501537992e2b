"""Rule versioning in the database, and the classifier's CLI commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from warning.cli.main import main
from warning.runtime import Runtime
from warning.storage.rules import (
    RuleNotFoundError,
    add_rule,
    change_rule,
    load_rules,
    remove_rule,
    rule_history,
)
from warning.types import ClassifierRule

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


async def test_rules_are_versioned_with_author_and_time(runtime: Runtime) -> None:
    async with runtime.db.begin() as conn:
        rule = await add_rule(conn, ClassifierRule(("toy",), ("9503",)), "li", T0)
        changed = await change_rule(
            conn,
            rule.id or 0,
            ClassifierRule(("toy",), ("9503",), ("toy sewing machine",)),
            "wang",
            T0 + dt.timedelta(hours=1),
        )
        assert changed.version == 2
        assert await load_rules(conn) == [changed]
        await remove_rule(conn, rule.id or 0, "li", T0 + dt.timedelta(hours=2))
        assert await load_rules(conn) == []
        history = await rule_history(conn, rule.id)
        with pytest.raises(RuleNotFoundError):
            await remove_rule(conn, rule.id or 0, "li", T0)
    assert [(v.version, v.action, v.author) for v in history] == [
        (1, "add", "li"),
        (2, "change", "wang"),
        (3, "remove", "li"),
    ]
    assert history[0].rule.exclusions == () and history[1].rule.exclusions == ("toy sewing machine",)
    assert history[1].changed_at == T0 + dt.timedelta(hours=1)


def test_cli_rules_classify_and_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = ROOT / "feeds" / "data" / "wto_sample.jsonl"
    config = tmp_path / "config.toml"
    config.write_text(
        'database_url = "sqlite+aiosqlite:///t.db"\n'
        f'[[sources]]\nname = "s"\nkind = "file"\npath = "{sample}"\n',
        encoding="utf-8",
    )
    args = ["--config", str(config)]
    assert (
        main(
            [
                *args,
                "rules",
                "add",
                "--phrase",
                "toy",
                "--hs",
                "9503",
                "--exclude",
                "toy sewing machine",
                "--author",
                "li",
            ]
        )
        == 0
    )
    assert main([*args, "rules", "add", "--phrase", "x", "--hs", "7701"]) == 2  # not HS 2022
    assert main([*args, "rules", "list"]) == 0
    assert "toy except toy sewing machine -> 9503" in capsys.readouterr().out
    assert main([*args, "collect"]) == 0
    assert main([*args, "classify", "--all"]) == 0
    captured = capsys.readouterr()
    assert "classified 115 notifications" in captured.out
    assert "115/115" in captured.err  # the progress bar
    assert main([*args, "rules", "history", "1"]) == 0
    assert "li\trule 1 v1 add" in capsys.readouterr().out

    tiny = tmp_path / "tiny.jsonl"
    records = [
        {
            "symbols": ["G/TBT/N/KEN/1"],
            "area": "TBT",
            "title": "Toys",
            "products": "Electric toys (HS code(s): 950300)",
            "hs_codes": ["950300"],
            "source_lang": "en",
        },
        {
            "symbols": ["G/TBT/N/KEN/2"],
            "area": "TBT",
            "title": "轮胎",
            "products": "乘用车轮胎(HS 4011.10)",
            "hs_codes": ["4011100000"],
            "source_lang": "zh",
        },
        {"symbols": ["G/TBT/N/KEN/3"], "area": "TBT", "title": "Placeholder", "hs_codes": ["9999"]},
    ]
    tiny.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    assert main([*args, "classify", "evaluate", "--data", str(tiny), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and out["skipped"] == 1
    assert out["chapter_top1"] == 1.0
    assert set(out["by_language"]) == {"en", "zh"}
    assert set(out["baseline"]) >= {"chapter_top1", "chapter_f1", "by_language"}
    assert main([*args, "classify", "evaluate", "--data", str(tiny)]) == 0
    assert "baseline" in capsys.readouterr().out
