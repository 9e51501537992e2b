"""The product picker's answer time for typed queries on the full HS 2022 nomenclature.

Every query is typed one character at a time, as the picker's script asks
while someone types: each prefix of a glossary term in English (from 2
letters) and in Chinese (from 1 character), of English words of HS
descriptions, and of HS codes (from 2 digits). Each prefix is answered
twice: by ``ProductIndex.search`` in-process (CPU time), and by
``GET /pickers/products`` over loopback HTTP (the page's real path, wall
time). Prints the index build time and p50 / p95 / max of both.

    .venv/bin/python bench/picker.py [--terms 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession, web

from classifiers.glossary import load_glossary
from classifiers.nomenclature import load_nomenclature
from warning.signup.pickers import product_index
from warning.web import signup


def typed_queries(terms: int, seed: int = 17) -> list[tuple[str, str]]:
    """(prefix, language) pairs: every prefix of sampled terms, words and codes."""
    rng = random.Random(seed)
    glossary = load_glossary().entries
    en = sorted({t for e in glossary for t in e.en})
    zh = sorted({t for e in glossary for t in e.zh})
    entries = load_nomenclature().entries
    words = sorted(
        {w for e in entries.values() for w in e.description.lower().split() if w.isalpha() and len(w) > 3}
    )
    codes = sorted(c for c in entries if len(c) == 6)
    out: list[tuple[str, str]] = []
    for term in rng.sample(en, min(terms, len(en))):
        out += [(term[:i], "en") for i in range(2, len(term) + 1)]
    for term in rng.sample(zh, min(terms, len(zh))):
        out += [(term[:i], "zh") for i in range(1, len(term) + 1)]
    for word in rng.sample(words, min(terms, len(words))):
        out += [(word[:i], "en") for i in range(2, len(word) + 1)]
    for code in rng.sample(codes, min(terms // 3, len(codes))):
        out += [(code[:i], "zh") for i in range(2, 7)]
    return out


def _summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"{name}: n={len(ms)} p50 {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms"


async def over_http(queries: list[tuple[str, str]]) -> list[float]:
    app = web.Application()
    app.add_routes(signup.routes)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    times = []
    try:
        async with ClientSession() as session:
            for q, lang in queries:
                start = time.perf_counter()
                async with session.get(
                    f"http://127.0.0.1:{port}/pickers/products?q={quote(q)}&lang={lang}"
                ) as r:
                    await r.json()
                times.append(time.perf_counter() - start)
    finally:
        await runner.cleanup()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--terms", type=int, default=300, help="terms sampled per kind")
    args = parser.parse_args()
    start = time.process_time()
    index = product_index()
    print(f"index build: {time.process_time() - start:.2f} s CPU over {len(index.codes)} HS codes")
    queries = typed_queries(args.terms)
    cpu = []
    for q, lang in queries:
        t0 = time.process_time()
        index.search(q, lang)
        cpu.append(time.process_time() - t0)
    print(_summary("search, in-process CPU", cpu))
    print(_summary("GET /pickers/products, loopback wall", asyncio.run(over_http(queries))))


if __name__ == "__main__":
    main()
