"""The zip bomb of issue 14: an xlsx of about 2 MB holding 2 GB of whitespace.

Builds it (the recorded ePing export with the blanks inside its sheet, deflate
level 9; this takes a while), then parses it in a fresh process as the ``file``
source does, and prints the file's size, the declared unpacked size, the time
to refuse it and the process's peak memory (ru_maxrss).

    .venv/bin/python bench/xlsx_bomb.py [--gigabytes 2] [--keep PATH]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "tests" / "feeds" / "data" / "eping_export.xlsx"

PARSE = """
import resource, sys, time
from pathlib import Path
from feeds.export_file import parse_export
payload = Path(sys.argv[1]).read_bytes()
started = time.perf_counter()
results = parse_export(payload, "xlsx", "bomb")
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"parse: {took:.3f} s, peak RSS {peak:.0f} MB, {len(results)} result(s)")
for r in results[:3]:
    print("  ", getattr(r, "reason", r))
"""


def build(path: Path, gigabytes: float) -> int:
    with zipfile.ZipFile(EXPORT) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = members.pop("xl/worksheets/sheet1.xml")
    head, sep, tail = sheet.partition(b"<sheetData>")
    chunk = b" " * (1 << 20)
    total = int(gigabytes * (1 << 30))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name, data in members.items():
            bomb.writestr(name, data)
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(head + sep)
            for _ in range(total // len(chunk)):
                out.write(chunk)
            out.write(tail)
    with zipfile.ZipFile(path) as built:
        return sum(i.file_size for i in built.infolist())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--keep", type=Path, help="write the bomb here (and reuse it if present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bomb.xlsx"
        if not path.exists():
            unpacked = build(path, args.gigabytes)
        else:
            with zipfile.ZipFile(path) as built:
                unpacked = sum(i.file_size for i in built.infolist())
        print(f"bomb: {path.stat().st_size / 1e6:.2f} MB on disk, {unpacked / 1e9:.2f} GB unpacked")
        subprocess.run([sys.executable, "-c", PARSE, str(path)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
