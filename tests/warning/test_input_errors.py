"""Bad settings and files give one line naming what is wrong, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from warning.cli.main import main


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'database_url = "mysql://tbt:hunter2@db.example/tbt"',
            "database_url: Value error, unsupported database 'mysql': use sqlite+aiosqlite:///PATH",
        ),
        ('database_url = "sqlite:///var/x.db"', "unsupported database 'sqlite'"),
        (
            '[[sources]]\nname = "e"\nkind = "eping"\nurl = "file:///etc/passwd"',
            "sources.0.url: Value error, must be an http:// or https:// URL with a host",
        ),
        ('[[sources]]\nname = "r"\nkind = "rss"\nurl = "/var/feeds/tbt.rss"', "sources.0.url: "),
        ('[[sources]]\nname = "f"\nkind = "federal_register"\nurl = "ftp://x/y"', "sources.0.url: "),
    ],
)
def test_bad_config_values_exit_2_in_one_line(
    tmp_path: Path, toml: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    assert run(config, "init") == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("tbtwarn: config error: ") and message in line
    assert "hunter2" not in line  # a database URL's password is never echoed


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TBTWARN_NOW": "yesterday"}, "TBTWARN_NOW must be an ISO date and time"),
        ({"TBTWARN_TIME_SCALE": "-1"}, "TBTWARN_TIME_SCALE must be a positive number, got '-1'"),
        ({"TBTWARN_TIME_SCALE": "fast"}, "TBTWARN_TIME_SCALE must be a positive number, got 'fast'"),
        (
            {"TBTWARN_NOW": "2026-11-24T02:00:00+00:00", "TBTWARN_TIME_SCALE": "nan"},
            "TBTWARN_TIME_SCALE must be a positive number",
        ),
    ],
)
def test_bad_environment_exits_2_in_one_line(
    write_config: Callable[..., Path],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert run(config, "init") == 2
    assert message in one_line(capsys.readouterr().err)
    assert not (config.parent / "var").exists()  # refused before touching anything


def test_exporters_csv_field_over_the_csv_limit_is_one_line(
    tmp_path: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config()
    huge = tmp_path / "exporters.csv"
    huge.write_text(
        "name,email,language,hs_codes,markets\n"
        "Acme,a@acme.example,en,3304,USA\n"
        f'Open quote,"{"x" * 200_000},en,3304,USA\n',
        encoding="utf-8",
    )
    # 1, as for every bad import file (exit codes: main's docstring).
    assert run(config, "import", "exporters", str(huge)) == 1
    line = one_line(capsys.readouterr().err)
    assert line == f"{huge}: line 3: a field is longer than 131,072 characters (is a quote left open?)"


def test_a_missing_import_file_is_named_once(
    tmp_path: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config()
    assert run(config, "import", "exporters", "nosuch.csv") == 1
    assert one_line(capsys.readouterr().err) == "nosuch.csv: cannot read: No such file or directory"
