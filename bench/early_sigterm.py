"""SIGTERM at every moment of ``tbtwarn run``'s start-up: the exit codes.

Starts ``tbtwarn run --port 0`` on the bundled sample (a fresh folder each time)
and sends SIGTERM after 0, 0.1, 0.2 ... ``--until`` seconds, for the console
script (``warning.cli.entry``: the stop is noted from its first line) and for
``python -m warning.cli.main`` (no early handler, as before issue 14). Prints
how many runs ended with each exit code (-15: killed by the signal, shell 143).

    .venv/bin/python bench/early_sigterm.py [--until 3.0]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "feeds" / "data" / "wto_sample.jsonl"


def codes(command: list[str], offsets: list[float]) -> Counter[int]:
    seen: Counter[int] = Counter()
    for offset in offsets:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "config.toml"
            config.write_text(
                'database_url = "sqlite+aiosqlite:///var/t.db"\n'
                f'[[sources]]\nname = "s"\nkind = "file"\npath = "{SAMPLE}"\n'
            )
            proc = subprocess.Popen(
                [*command, "--config", str(config), "run", "--port", "0"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(offset)
            proc.terminate()
            seen[proc.wait(timeout=120)] += 1
    return seen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--until", type=float, default=3.0)
    args = parser.parse_args()
    offsets = [i / 10 for i in range(int(args.until * 10) + 1)]
    script = str(Path(sys.executable).parent / "tbtwarn")
    for label, command in (
        ("tbtwarn (console script)", [script]),
        ("python -m warning.cli.main", [sys.executable, "-m", "warning.cli.main"]),
    ):
        found = dict(sorted(codes(command, offsets).items()))
        print(f"{label}: exit codes over {len(offsets)} runs: {found}")


if __name__ == "__main__":
    main()
