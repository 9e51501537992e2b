"""Benchmark: service time of each list filter in-process, with and without the
narrow full-text path (``NARROW_TEXT_MATCHES``), in one run on one database.

Builds the same 50,000 notifications as ``bench/web.py`` (in a temporary folder),
then times 20 requests per filter with the narrow path off (every text filter
walks the date order) and on (few full-text hits are fetched by id).

    .venv/bin/python bench/web_filters.py [--notifications 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import web as bench

from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime
from warning.storage import search
from warning.storage.sessions import create_session
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.security import SESSION_COOKIE, encode_session, new_session

SECRET = b"bench-filters-secret-0123456789ab"
QUERIES = [*bench.FILTERED, "q=battery&member=USA", "q=zzz-no-such-word"]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        rt = await Runtime.open(load_config(bench.write_config(Path(folder))), FixedClock(bench.NOW))
        await bench.populate(rt, args.notifications)
        async with rt.db.begin() as conn:
            user_id = (await conn.execute(sa.text("SELECT id FROM staff_users"))).scalar_one()
        async with TestClient(TestServer(create_app(rt, Signer(SECRET)))) as client:
            session = new_session(rt.now(), dt.timedelta(hours=1), user_id)
            assert session.session_id is not None
            async with rt.db.begin() as conn:  # the server-side row sign-in writes
                await create_session(
                    conn, session.session_id, now=rt.now(), expires_at=session.expires_at, user_id=user_id
                )
            cookie = {SESSION_COOKIE: encode_session(Signer(SECRET), session)}
            client.session.cookie_jar.update_cookies(cookie, response_url=client.make_url("/"))
            print(f"{'filter':<32} {'walk only':>10} {'narrow path':>12}  (median ms of 20, in-process)")
            for query in QUERIES:
                medians = []
                for narrow in (-1, search.NARROW_TEXT_MATCHES):
                    search.NARROW_TEXT_MATCHES, saved = narrow, search.NARROW_TEXT_MATCHES
                    times = []
                    for _ in range(23):
                        began = time.perf_counter()
                        response = await client.get("/notifications?" + query)
                        await response.read()
                        assert response.status == 200, (query, response.status)
                        times.append((time.perf_counter() - began) * 1000)
                    search.NARROW_TEXT_MATCHES = max(saved, narrow)
                    medians.append(statistics.median(times[3:]))
                print(f"{query:<32} {medians[0]:10.1f} {medians[1]:12.1f}")
        await rt.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notifications", type=int, default=50_000)
    asyncio.run(main(parser.parse_args()))
