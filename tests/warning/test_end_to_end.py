"""The whole pipeline through the CLI, on the bundled real sample."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import DEMO_EXPORTERS, SAMPLE, WriteConfig
from warning.cli.main import main
from warning.register import read_exporters


def read_emails(folder: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TBTWARN_NOW", "2026-07-01T00:00:00+00:00")


def test_run_once_writes_one_digest_per_matching_exporter(
    write_config: WriteConfig, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(write_config())
    assert main(["--config", cfg, "init"]) == 0
    assert main(["--config", cfg, "import", "exporters", str(DEMO_EXPORTERS)]) == 0
    assert main(["--config", cfg, "run", "--once"]) == 0
    out = capsys.readouterr().out
    assert "sample: 115 new, 0 updated, 0 unchanged, 0 quarantined" in out

    messages = read_emails(tmp_path / "var" / "outbox")
    exporters, _ = read_exporters(DEMO_EXPORTERS.read_text(encoding="utf-8"))
    recipients = {m["To"] for m in messages}
    # Every demo exporter has at least one matching notification in the sample.
    for exporter in exporters:
        assert set(exporter.emails) <= recipients, exporter.name
    for message in messages:
        assert message["Message-ID"] and message["Date"]
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        assert "G/" in text.get_content() and "url:http" not in text.get_content()  # keys are not shown
    by_recipient = {m["To"]: m for m in messages}
    zh = by_recipient["export@luyuan-cosmetics.example.com"]
    assert "TBT预警" in zh["Subject"]
    body = zh.get_body(("plain",))
    assert body is not None
    assert "G/TBT/N/KEN/2076" in body.get_content()  # EAC cosmetics standard, HS 3304
    assert "剩余 44 天" in body.get_content()  # deadline 2026-08-14, today 2026-07-01
    en = by_recipient["trade@qilu-hvac.example.com"]
    en_body = en.get_body(("plain",))
    assert en_body is not None and "G/TBT/N/USA/926" in en_body.get_content()

    # A second run finds nothing new and writes no email.
    assert main(["--config", cfg, "import", "exporters", str(DEMO_EXPORTERS)]) == 0
    assert main(["--config", cfg, "run", "--once"]) == 0
    assert len(read_emails(tmp_path / "var" / "outbox")) == len(messages)
    assert "0 digest emails queued" in capsys.readouterr().out


def test_broken_records_are_reported_by_line_and_skipped(
    write_config: WriteConfig, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:5]
    good = json.loads(lines[4])
    broken = [
        good | {"record_id": 901, "distribution_date": "2023-13-45"},
        good | {"record_id": 902, "symbols": ["G/TBT/X/KEN/1"]},
        good | {"record_id": 903, "title": None, "description": None, "products": None},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([lines[0], *(json.dumps(b) for b in broken), "{not json", *lines[1:4]]) + "\n",
        encoding="utf-8",
    )
    cfg = str(write_config(sources=f'[[sources]]\nname = "mixed"\nkind = "file"\npath = "{path}"\n'))
    assert main(["--config", cfg, "collect"]) == 0
    assert "mixed: 4 new, 0 updated, 0 unchanged, 4 quarantined" in capsys.readouterr().out
    assert main(["--config", cfg, "quarantine", "list"]) == 0
    listing = capsys.readouterr().out
    assert "line 2: field 'distribution_date': not a date: '2023-13-45'" in listing
    assert "line 3: field 'symbols': invalid WTO symbol 'G/TBT/X/KEN/1'" in listing
    assert "line 4: field 'title': missing" in listing
    assert "line 5: not JSON" in listing


def test_export_notifications(
    write_config: WriteConfig, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(write_config())
    assert main(["--config", cfg, "run", "--once"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "export", "notifications", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 115
    kenya = next(r for r in records if "G/TBT/N/KEN/1367" in r["symbols"])
    assert kenya["matches"][0]["hs_code"] == "220299" and kenya["matches"][0]["level"] == 6
    assert kenya["sources"] == ["sample"]
    out = tmp_path / "n.csv"
    assert main(["--config", cfg, "export", "notifications", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("\n") >= 116
