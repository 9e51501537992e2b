from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import WriteConfig
from warning.cli.main import main
from warning.config import load_config
from warning.exceptions import ConfigError


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("colour = 'red'\n", "colour: unknown key"),
        ("[delivery]\ntransport = 'pigeon'\n", "delivery.transport"),
        ("[delivery]\noutbox_dirr = 'x'\n", "delivery.outbox_dirr: unknown key"),
        ("[[sources]]\nname = 'a'\nkind = 'file'\n", "sources.0.path: required key is missing"),
        (
            "[[sources]]\nname = 'a'\nkind = 'file'\npath = 'x'\ninterval_minutes = 'soon'\n",
            "sources.0.interval_minutes",
        ),
        ("database_url = 5\n", "database_url"),
        ("[zone\n", "not valid TOML"),
        (
            "[[sources]]\nname = 'a'\nkind = 'file'\npath = 'x'\n"
            "[[sources]]\nname = 'a'\nkind = 'file'\npath = 'y'\n",
            "used twice",
        ),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected.replace(".", r"\.")) as info:
        load_config(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_cli_exits_2_on_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[delivery]\nspeed = 3\n", encoding="utf-8")
    assert main(["--config", str(path), "init"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "delivery.speed: unknown key" in err[0]
    assert not (tmp_path / "var").exists()  # nothing created from a bad config


def test_cli_exits_2_on_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.toml"), "init"]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_relative_paths_resolve_against_config_folder(write_config: WriteConfig, tmp_path: Path) -> None:
    config = load_config(
        write_config(sources='[[sources]]\nname = "s"\nkind = "file"\npath = "in/x.jsonl"\n')
    )
    assert config.sources[0].path == tmp_path / "in" / "x.jsonl"
    assert config.delivery.outbox_dir == tmp_path / "var" / "outbox"
    assert config.database_url == f"sqlite+aiosqlite:///{tmp_path}/var/test.db"


def test_embedded_default_config_is_valid() -> None:
    root = Path(__file__).resolve().parents[2]
    config = load_config(root / "config.toml")
    assert config.sources[0].kind == "file"
    assert config.sources[0].path.exists()
    assert config.database_url.endswith(f"{root}/var/tbtwarn.db")
