"""Benchmark: the async collector against a sequential cron-style loop, same run.

Serves, from loopback only, 50 RSS feeds (spread over ten loopback addresses
127.0.0.2-11, as real feeds live on different hosts) and a 20-page ePing
back-fill (on 127.0.0.1), each response delayed by 200 ms. Then, per repeat:

- baseline: urllib + feedparser / json, one URL after another (what a cron
  job would do), fetch and parse only;
- tbtwarn: ``warning.collect.collect`` with the default ``[collect]`` limits
  (16 in flight, 4 per host), fetch, parse AND store into a fresh SQLite file.

Prints each run, the medians, their ratio, and the process's peak RSS
(``resource.getrusage``: server, baseline and collector together, so an upper
bound on the collector's own peak).

    .venv/bin/python bench/collect.py [--repeat 3] [--feeds 50] [--pages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import resource
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import feedparser
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warning.clock import FixedClock
from warning.collect import collect
from warning.config import parse_config
from warning.runtime import Runtime

LATENCY = 0.2
NOW = dt.datetime(2026, 7, 12, 2, 0, tzinfo=dt.UTC)
MEMBERS = ["USA", "EU", "KEN", "CHN", "JPN", "BRA", "IND", "KOR", "VNM", "CHL"]
FEED_HOSTS = [f"127.0.0.{n}" for n in range(2, 12)]
EPING_HOST = "127.0.0.1"


def rss_feed(feed: int, items: int) -> bytes:
    entries = []
    for i in range(items):
        member = MEMBERS[(feed + i) % len(MEMBERS)]
        number = feed * 1000 + i
        entries.append(
            f"<item><title>G/TBT/N/{member}/{number} - Draft regulation on product group {i}</title>"
            f"<link>https://docs.example.org/{member}/{number}</link>"
            f"<description>&lt;p&gt;Requirements for &lt;b&gt;products&lt;/b&gt; of feed {feed}, item {i}."
            f"&lt;/p&gt;</description><pubDate>Mon, 06 Jul 2026 07:30:00 GMT</pubDate>"
            f"<guid>feed{feed}-{i}</guid></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://docs.example.org/</link><description>d</description>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


def eping_page(page: int, page_size: int, pages: int) -> bytes:
    items = []
    for i in range(page_size):
        n = (page - 1) * page_size + i
        member = MEMBERS[n % len(MEMBERS)]
        items.append(
            {
                "id": 200000 + n,
                "area": "TBT",
                "notificationType": "Regular notification",
                "documentSymbol": f" G/TBT/N/{member}/{5000 + n}",
                "notifyingMember": member,
                "distributionDate": f"2026-{4 + n % 3:02d}-{1 + n % 28:02d}T00:00:00+00:00",
                "commentDeadlineDate": "2026-09-01T00:00:00+00:00",
                "title": f"<p>Technical regulation {n}</p>",
                "titlePlain": f"Technical regulation {n}",
                "descriptionPlain": "Requirements for labelling, testing and conformity assessment. " * 4,
                "productsFreeTextPlain": "Electrical appliances",
                "hsCodes": [{"id": 1, "code": "850980", "name": "850980 - Appliances"}],
                "objectives": [{"name": "Protection of human health or safety"}],
                "linkToNotification": f"https://eping.wto.org/en/Search?viewData={200000 + n}",
                "notifiedDocumentLink": None,
            }
        )
    return json.dumps({"items": items, "totalCount": page_size * pages}).encode()


async def start_servers(
    feeds: int, items: int, pages: int, page_size: int
) -> tuple[list[web.AppRunner], int]:
    bodies = {f"/feed/{f}": rss_feed(f, items) for f in range(feeds)}
    eping_pages = {p: eping_page(p, page_size, pages) for p in range(1, pages + 1)}

    async def feed(request: web.Request) -> web.Response:
        await asyncio.sleep(LATENCY)
        return web.Response(body=bodies[request.path], content_type="application/rss+xml")

    async def eping(request: web.Request) -> web.Response:
        await asyncio.sleep(LATENCY)
        return web.Response(
            body=eping_pages[int(request.query.get("page", "1"))], content_type="application/json"
        )

    app = web.Application()
    app.router.add_get("/feed/{n}", feed)
    app.router.add_get("/eping", eping)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, EPING_HOST, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    for host in FEED_HOSTS:
        await web.TCPSite(runner, host, port).start()
    return [runner], port


def urls(port: int, feeds: int, pages: int, page_size: int) -> tuple[list[str], list[str]]:
    feed_urls = [f"http://{FEED_HOSTS[f % len(FEED_HOSTS)]}:{port}/feed/{f}" for f in range(feeds)]
    page_urls = [
        f"http://{EPING_HOST}:{port}/eping?language=1&page={p}&pageSize={page_size}"
        for p in range(1, pages + 1)
    ]
    return feed_urls, page_urls


def sequential(feed_urls: list[str], page_urls: list[str]) -> int:
    """The cron-job baseline: one URL after another, fetch and parse."""
    count = 0
    for url in feed_urls:
        with urllib.request.urlopen(url, timeout=30) as response:
            count += len(feedparser.parse(response.read()).entries)
    for url in page_urls:
        with urllib.request.urlopen(url, timeout=30) as response:
            count += len(json.loads(response.read())["items"])
    return count


def config_text(folder: Path, feed_urls: list[str], port: int, page_size: int) -> str:
    lines = [f'database_url = "sqlite+aiosqlite:///{folder}/bench.db"']
    for n, url in enumerate(feed_urls):
        lines += ["[[sources]]", f'name = "feed-{n}"', 'kind = "rss"', f'url = "{url}"']
    lines += [
        "[[sources]]",
        'name = "eping"',
        'kind = "eping"',
        f'url = "http://{EPING_HOST}:{port}/eping"',
        f"page_size = {page_size}",
    ]
    return "\n".join(lines) + "\n"


async def run_collector(feed_urls: list[str], port: int, page_size: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = parse_config(config_text(folder, feed_urls, port, page_size), folder / "config.toml")
        rt = await Runtime.open(config, FixedClock(NOW))
        try:
            start = time.perf_counter()
            outcomes = await collect(rt)
            elapsed = time.perf_counter() - start
        finally:
            await rt.close()
    failed = [o.line() for o in outcomes if not o.ok]
    if failed:
        raise SystemExit("collector failed: " + "; ".join(failed[:3]))
    return elapsed, sum(o.new for o in outcomes)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()
    runners, port = await start_servers(args.feeds, args.items, args.pages, args.page_size)
    feed_urls, page_urls = urls(port, args.feeds, args.pages, args.page_size)
    print(
        f"{args.feeds} feeds x {args.items} items + ePing back-fill {args.pages} pages x {args.page_size}, "
        f"{LATENCY * 1000:.0f} ms per response, loopback"
    )
    base_times, mine_times = [], []
    try:
        for run in range(1, args.repeat + 1):
            start = time.perf_counter()
            parsed = await asyncio.to_thread(sequential, feed_urls, page_urls)
            base = time.perf_counter() - start
            mine, stored = await run_collector(feed_urls, port, args.page_size)
            base_times.append(base)
            mine_times.append(mine)
            print(
                f"run {run}: sequential urllib+feedparser {base:6.2f} s ({parsed} items parsed); "
                f"tbtwarn collect {mine:5.2f} s ({stored} notifications stored); ratio {base / mine:4.1f}x"
            )
    finally:
        for runner in runners:
            await runner.cleanup()
    base_median, mine_median = statistics.median(base_times), statistics.median(mine_times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"median: sequential {base_median:.2f} s, tbtwarn {mine_median:.2f} s, "
        f"ratio {base_median / mine_median:.1f}x (target >= 8x)"
    )
    print(f"peak RSS of the whole process (servers + baseline + collector): {peak:.0f} MB (target < 200 MB)")


if __name__ == "__main__":
    asyncio.run(main())
