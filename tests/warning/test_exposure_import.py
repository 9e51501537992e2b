"""Importing the exposure register and exporters' product names: row by row, never half."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_EXPORTERS, WriteConfig
from warning.cli.main import main
from warning.config import load_config
from warning.exceptions import ImportFileError
from warning.register import read_exporters, read_exposure
from warning.runtime import Runtime
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.exposure import load_exposure, save_exposure
from warning.storage.schema import exposure
from warning.types import ExposureRow

HEADER = "hs_code,market,value_usd,year,exporter\n"
GOOD = "3304,KEN,1200000,2025,Acme\n"
EXPORTERS = {"Acme"}


def test_good_file() -> None:
    rows, problems = read_exposure(
        HEADER + GOOD + "330499,eu,5.5,2024,\n3304,KEN,1200000,2024,Acme\n", EXPORTERS
    )
    assert problems == []
    assert [(r.exporter, r.hs_code, r.market, r.value_usd, r.year) for r in rows] == [
        ("Acme", "3304", "KEN", 1_200_000.0, 2025),
        (None, "330499", "EU", 5.5, 2024),  # no exporter: a zone-wide figure
        ("Acme", "3304", "KEN", 1_200_000.0, 2024),
    ]


def test_exporter_column_is_optional() -> None:
    rows, _ = read_exposure("hs_code,market,value_usd,year\n84,USA,100,2025\n", EXPORTERS)
    assert rows[0].exporter is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("33049,KEN,1,2025,Acme\n", "line 3, column hs_code: HS code '33049' must be 2, 4 or 6 digits"),
        ("3399,KEN,1,2025,Acme\n", "line 3, column hs_code: HS code '3399' does not exist in HS 2022"),
        (",KEN,1,2025,Acme\n", "line 3, column hs_code: empty"),
        ("3304,ATLANTIS,1,2025,Acme\n", "line 3, column market: unknown market 'ATLANTIS'"),
        ("3304,*,1,2025,Acme\n", "line 3, column market: unknown market '*'"),
        ("3304,KEN,-5,2025,Acme\n", "line 3, column value_usd: negative value -5"),
        ("3304,KEN,lots,2025,Acme\n", "line 3, column value_usd: not a number: 'lots'"),
        ("3304,KEN,nan,2025,Acme\n", "line 3, column value_usd: not a finite number"),
        ("3304,KEN,1,25,Acme\n", "line 3, column year: expected a year between 1990 and 2100, got '25'"),
        ("3304,KEN,1,2025,Nobody\n", "line 3, column exporter: no exporter named 'Nobody' in the register"),
        ("3304,ken,99,2025,Acme\n", "line 3, column hs_code: duplicate of line 2"),
    ],
)
def test_bad_row_imports_nothing(row: str, message: str) -> None:
    with pytest.raises(ImportFileError, match="nothing imported") as info:
        read_exposure(HEADER + GOOD + row, EXPORTERS)
    assert message in str(info.value)


def test_skip_bad_keeps_good_rows() -> None:
    rows, problems = read_exposure(HEADER + GOOD + "3304,KEN,-1,2024,Acme\n", EXPORTERS, skip_bad=True)
    assert [r.year for r in rows] == [2025]
    assert [(p.line, p.column) for p in problems] == [(3, "value_usd")]


def test_missing_column() -> None:
    with pytest.raises(ImportFileError, match=r"line 1: missing column.*value_usd"):
        read_exposure("hs_code,market,year\n3304,KEN,2025\n", EXPORTERS)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("3304", "column product_names: expected CODE=name, got '3304'"),
        ("8415=fridge", "column product_names: HS code '8415' is not among the row's hs_codes"),
        ("3304=a;3304=b", "column product_names: HS code '3304' named twice"),
    ],
)
def test_bad_product_names(names: str, message: str) -> None:
    text = f"name,email,language,hs_codes,markets,product_names\nAcme,a@x.cn,en,3304,KEN,{names}\n"
    with pytest.raises(ImportFileError) as info:
        read_exporters(text)
    assert message in str(info.value)


async def test_product_names_and_exposure_are_stored(runtime: Runtime) -> None:
    exporters, _ = read_exporters(
        "name,email,language,hs_codes,markets,product_names\n"
        "Acme,a@x.cn,en,3304;8415,KEN,330499=night cream\n"
    )
    rows, _ = read_exposure(HEADER + GOOD + "3304,EU,10,2025,\n", EXPORTERS)
    async with runtime.db.begin() as conn:
        assert await save_exporter(conn, exporters[0], runtime.now()) == "new"
        assert await save_exporter(conn, exporters[0], runtime.now()) == "unchanged"
        assert await save_exposure(conn, rows, runtime.now()) == {"new": 2, "updated": 0, "unchanged": 0}
        changed = [rows[0], ExposureRow(None, "3304", "EU", 20, 2025)]
        assert await save_exposure(conn, changed, runtime.now()) == {"new": 0, "updated": 1, "unchanged": 1}
        (_, stored), *_ = await load_exporters(conn)
        assert stored.product_name("330499") == "night cream" and stored.product_name("3304") == "night cream"
        assert stored.product_name("8415") is None
        assert sorted((r.exporter or "", r.value_usd) for r in await load_exposure(conn)) == [
            ("", 20.0),
            ("Acme", 1_200_000.0),
        ]


def test_cli_import_is_all_or_nothing(
    write_config: WriteConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(write_config())
    assert main(["--config", cfg, "import", "exporters", str(DEMO_EXPORTERS)]) == 0
    exporter = "Jinan Spring Toys Co. Ltd."
    bad = tmp_path / "exposure.csv"
    bad.write_text(f"{HEADER}9503,USA,100,2025,{exporter}\n9503,USA,-1,2025,{exporter}\n", encoding="utf-8")
    assert main(["--config", cfg, "import", "exposure", str(bad)]) == 1
    assert "line 3, column value_usd: negative value -1" in capsys.readouterr().err

    async def count() -> int:
        rt = await Runtime.open(load_config(Path(cfg)))
        try:
            async with rt.db.begin() as conn:
                return int(
                    (await conn.execute(sa.select(sa.func.count()).select_from(exposure))).scalar_one()
                )
        finally:
            await rt.close()

    assert asyncio.run(count()) == 0  # the good row was not imported either
    assert main(["--config", cfg, "import", "exposure", str(bad), "--skip-bad"]) == 0
    assert "exposure: 1 new" in capsys.readouterr().out
    assert asyncio.run(count()) == 1
