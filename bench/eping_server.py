"""A loopback ePing API for benchmarks: serves the items of a JSONL file.

    python bench/eping_server.py PORT ITEMS.jsonl

``GET /eping/notifications/search`` answers like the real API: the items
whose ``distributionDate`` is in ``distributionDateFrom``..``distributionDateTo``,
ordered by date then id, one page of ``pageSize`` at ``page``, in the envelope
``{"items": [...], "totalCount": N}``. The file is read on every request, so
a line appended to it is a notification appearing at the source.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from aiohttp import web


def _items(path: Path, start: str, end: str) -> list[dict[str, Any]]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            if start <= str(item.get("distributionDate", ""))[:10] <= end:
                items.append(item)
    return sorted(items, key=lambda i: (str(i["distributionDate"]), int(i["id"])))


def app(path: Path) -> web.Application:
    async def search(request: web.Request) -> web.Response:
        q = request.query
        found = _items(path, q.get("distributionDateFrom", ""), q.get("distributionDateTo", "9999"))
        size, page = int(q.get("pageSize", "100")), int(q.get("page", "1"))
        body = {"items": found[(page - 1) * size : page * size], "totalCount": len(found)}
        return web.json_response(body)

    application = web.Application()
    application.router.add_get("/eping/notifications/search", search)
    return application


async def serve(port: int, path: Path) -> None:
    runner = web.AppRunner(app(path))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()  # until killed by the benchmark


def main() -> None:
    asyncio.run(serve(int(sys.argv[1]), Path(sys.argv[2])))


if __name__ == "__main__":
    main()
