"""``tbtwarn report`` and /reports: the tables, xlsx opening with openpyxl
(numbers as numbers, Chinese headers), a printable page; counted as the
week's numbers count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tests.review.fixtures import BOTH, populate, write_review_config
from warning.cli.main import main
from warning.clock import FixedClock
from warning.config import load_config
from warning.reports.data import parse_period
from warning.reports.run import make_report
from warning.review.numbers import week_numbers
from warning.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-06-17T02:00:00+00:00"


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import asyncio

    path = write_review_config(tmp_path)
    asyncio.run(populate(path))
    monkeypatch.setenv("TBTWARN_NOW", NOW)
    exposure = ROOT / "warning" / "data" / "demo_exposure.csv"
    assert main(["--config", str(path), "import", "exposure", str(exposure)]) == 0
    return path


def test_year_report_xlsx_opens_with_openpyxl(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "2026.xlsx"
    code = main(
        ["--config", str(config_path), "report", "--period", "2026", "--format", "xlsx", "-o", str(out)]
    )
    assert code == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        "按通报成员",
        "按行业",
        "按措施类型",
        "涉及出口",
        "涉及金额最大的措施",
        "趋势",
    ]
    members = [[c.value for c in row] for row in workbook["按通报成员"].iter_rows()]
    assert members[0][:3] == ["通报成员", "通报数", "红色"]
    assert members[1][:2] == ["European Union", 2]
    assert all(isinstance(v, int) for row in members[1:] for v in row[1:])
    covered = [[c.value for c in row] for row in workbook["涉及出口"].iter_rows(min_row=2)]
    # The zone's 5.4 million of cosmetics to the EU, covered by the three open EU measures on them.
    eu = [row for row in covered if row[1] == "EU" and row[2] == "化学工业及其相关工业的产品"]
    assert len(eu) == 1 and eu[0][0] == "欧盟" and eu[0][3] == 5_400_000 and eu[0][4] >= 2
    top = [[c.value for c in row] for row in workbook["涉及金额最大的措施"].iter_rows(min_row=2)]
    assert BOTH in [row[0] for row in top]
    trends = list(workbook["趋势"].iter_rows(min_row=2, values_only=True))
    assert len(trends) == 12 and trends[5][0] == "2026-06" and trends[5][1] == 3


def test_quarter_html_is_printable_and_english(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "q2.html"
    args = ["--config", str(config_path), "report", "--period", "2026-Q2", "--format", "html"]
    assert main([*args, "--language", "en", "-o", str(out)]) == 0
    html = out.read_text("utf-8")
    assert "@media print" in html and 'src="data:image/png;base64,' in html
    assert "By member" in html and "Exports covered" in html


def test_bad_period_is_a_usage_error(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config_path), "report", "--period", "2026-13"]) == 2
    assert "give a month (2026-11)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-11", (2026, 11, 1), (2026, 11, 30)),
        ("2026-Q4", (2026, 10, 1), (2026, 12, 31)),
        ("2024", (2024, 1, 1), (2024, 12, 31)),
    ],
)
def test_periods(text: str, start: tuple[int, int, int], end: tuple[int, int, int]) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (dt.date(*start), dt.date(*end))


async def test_report_counts_as_the_weeks_do(config_path: Path) -> None:
    rt = await Runtime.open(load_config(config_path), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        report = await make_report(rt, parse_period("2023"))
        weekly: dict[str, int] = {}
        async with rt.db.begin() as conn:
            day = dt.date(2022, 12, 26)
            while day <= dt.date(2023, 12, 31):
                for m in (await week_numbers(conn, day, rt.config.zone.timezone)).measures:
                    if m.distribution_date and m.distribution_date.year == 2023:
                        weekly[m.level_key] = weekly.get(m.level_key, 0) + 1
                day += dt.timedelta(days=7)
    finally:
        await rt.close()
    by_level: dict[str, int] = {}
    for row in report.by_type:
        for key, n in row.by_level.items():
            by_level[key] = by_level.get(key, 0) + n
    assert report.total == sum(weekly.values()) > 0
    assert {k: v for k, v in by_level.items() if v} == weekly


async def test_monthly_report_is_emailed_once_per_month(tmp_path: Path) -> None:
    from warning.reports.monthly import compose_monthly_report, previous_month
    from warning.storage.outbox import pending_ids

    official = "director@commerce.example.gov.cn"
    path = write_review_config(tmp_path / "monthly", officials=official)
    await populate(path)
    rt = await Runtime.open(load_config(path), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        month = previous_month(dt.date(2026, 7, 1))
        assert month == "2026-06"
        assert await compose_monthly_report(rt, month) == 1
        assert await compose_monthly_report(rt, month) == 0  # queued once
        async with rt.db.begin() as conn:
            assert len(await pending_ids(conn)) == 1
    finally:
        await rt.close()
