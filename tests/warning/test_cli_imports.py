"""`tbtwarn --help` and the commands that do not classify start without the heavy
libraries (scikit-learn, SciPy, NumPy, pandas, jieba, matplotlib, the web app): each
command module imports what its handlers need inside them.

Checked by the modules a fresh interpreter has loaded, not by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sklearn", "scipy", "numpy", "pandas", "jieba", "matplotlib", "opencc")
#: Not needed to print the help either: the database layers, the web app, the classifier.
NOT_FOR_HELP = (
    *HEAVY,
    "aiohttp",
    "jinja2",
    "sqlalchemy",
    "alembic",
    "classifiers.ensemble",
    "notifications",
    "warning.web",
)

PROBE = """
import json, sys
from warning.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} | set(sys.modules))))
"""


def _loaded(*argv: str, cwd: Path | None = None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True, cwd=cwd
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_help_imports_no_heavy_module() -> None:
    loaded = _loaded("--help")
    assert "warning.cli.classify_cmds" in loaded  # the probe did load the commands
    assert sorted(m for m in NOT_FOR_HELP if m in loaded) == []


@pytest.mark.parametrize(
    "argv",
    [("rules", "list"), ("users", "list"), ("outbox", "list"), ("sectors", "list"), ("quarantine", "list")],
)
def test_commands_that_do_not_classify_import_no_heavy_module(tmp_path: Path, argv: tuple[str, ...]) -> None:
    (tmp_path / "config.toml").write_text('database_url = "sqlite+aiosqlite:///t.db"\n', encoding="utf-8")
    loaded = _loaded("--config", str(tmp_path / "config.toml"), *argv, cwd=tmp_path)
    assert "sqlalchemy" in loaded  # the command ran against its database
    assert sorted(m for m in HEAVY if m in loaded) == []


#: What the daemon and the web app need only for one page, one chart or one kind
#: of source: imported where used, not at start (each costs a start-up seconds
#: on a busy machine, and the reliability suite starts dozens of daemons).
NOT_AT_START = ("sklearn", "matplotlib", "pandas", "openpyxl")


def test_the_daemon_and_the_web_app_start_without_the_libraries_of_one_feature() -> None:
    probe = (
        "import json, sys\n"
        "import warning.service.daemon, warning.web.app\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "aiohttp" in loaded and "apscheduler" in loaded  # the probe did load them
    assert sorted(m for m in NOT_AT_START if m in loaded) == []
