"""Finding notifications by filters, fast at tens of thousands of rows.

Full-text search uses an SQLite FTS5 index (trigram tokenizer, so Chinese
text and word fragments match) kept up to date by triggers; PostgreSQL uses
``ILIKE``. The FTS index is not part of the Alembic schema (Alembic cannot
describe virtual tables): :func:`ensure_search_index` creates it, and the web
app calls it at start.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.members import symbol_codes
from warning.storage.schema import alerts, notification_symbols, notifications, product_matches
from warning.types import LEVELS, Level

_FTS_COLUMNS = "title, description, products"
_TRIGGERS = {
    "notifications_fts_ai": f"""
        CREATE TRIGGER IF NOT EXISTS notifications_fts_ai AFTER INSERT ON notifications BEGIN
          INSERT INTO notifications_fts(rowid, {_FTS_COLUMNS})
          VALUES (new.id, new.title, new.description, new.products);
        END""",
    "notifications_fts_ad": f"""
        CREATE TRIGGER IF NOT EXISTS notifications_fts_ad AFTER DELETE ON notifications BEGIN
          INSERT INTO notifications_fts(notifications_fts, rowid, {_FTS_COLUMNS})
          VALUES ('delete', old.id, old.title, old.description, old.products);
        END""",
    "notifications_fts_au": f"""
        CREATE TRIGGER IF NOT EXISTS notifications_fts_au
        AFTER UPDATE OF title, description, products ON notifications BEGIN
          INSERT INTO notifications_fts(notifications_fts, rowid, {_FTS_COLUMNS})
          VALUES ('delete', old.id, old.title, old.description, old.products);
          INSERT INTO notifications_fts(rowid, {_FTS_COLUMNS})
          VALUES (new.id, new.title, new.description, new.products);
        END""",
}
_MEMBER_CODE = re.compile(r"^[A-Z]{2,5}$")


async def ensure_search_index(conn: AsyncConnection) -> None:
    """Create the SQLite full-text index and its triggers if missing, and refresh the
    planner's statistics (no-op on PostgreSQL, whose autovacuum keeps them).

    When a trigger is missing (first start, or a migration recreated the
    ``notifications`` table, which drops its triggers) the index is rebuilt
    from the table, so it never misses a row.
    """
    if conn.dialect.name != "sqlite":
        return
    found = await conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    present = {r.name for r in found}
    await conn.execute(
        sa.text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS notifications_fts USING fts5({_FTS_COLUMNS}, "
            "content='notifications', content_rowid='id', tokenize='trigram')"
        )
    )
    if not all(name in present for name in _TRIGGERS):
        for ddl in _TRIGGERS.values():
            await conn.execute(sa.text(ddl))
        await conn.execute(sa.text("INSERT INTO notifications_fts(notifications_fts) VALUES ('rebuild')"))
    # Statistics let the planner pick the selective index (a rare member's
    # deadlines) over walking the date order; without them it guesses.
    await conn.execute(sa.text("ANALYZE"))


@dataclass(frozen=True)
class NotificationFilter:
    """What the notification list is narrowed to; empty fields do not filter."""

    #: A WTO member code (``USA``, ``EU``).
    member: str = ""
    #: HS prefixes of a sector (a notification matches any of them).
    sector_prefixes: tuple[str, ...] = ()
    #: One HS prefix, 2 to 6 digits.
    hs_prefix: str = ""
    #: Notifications with an alert at this level or graver.
    level: Level | None = None
    #: Only notifications whose comment deadline is on or after this date.
    open_on: dt.date | None = None
    #: Distribution date range, both ends included.
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: Words that must all occur in the title, description or products.
    text: str = ""
    #: With ``level``: notifications whose level the officials' review changed,
    #: those now at ``level`` or graver (``level_also``) and the others (``level_not``).
    level_also: tuple[int, ...] = ()
    level_not: tuple[int, ...] = ()


@dataclass(frozen=True)
class NotificationSummary:
    """One row of the notification list."""

    id: int
    key: str
    area: str
    member_codes: tuple[str, ...]
    member_name: str
    notification_type: str
    title: str
    distribution_date: dt.date | None
    comment_deadline: dt.date | None
    #: The gravest level of its alerts, if any.
    level: Level | None


def _prefix_condition(prefix: str) -> sa.ColumnElement[bool]:
    """Matches at the prefix or below it, or at a coarser code above it.

    A range instead of LIKE, so both SQLite and PostgreSQL use the index on hs_code.
    """
    coarser = [prefix[:n] for n in (2, 4) if n < len(prefix)]
    code = product_matches.c.hs_code
    # The next prefix of the same length bounds the range; digits sort alike
    # in every collation (unlike punctuation). Nothing follows 99...
    below = [code < str(int(prefix) + 1).zfill(len(prefix))] if set(prefix) != {"9"} else []
    return sa.or_(sa.and_(code >= prefix, *below), code.in_(coarser))


def _in_set(ids: sa.Select[Any]) -> sa.ColumnElement[bool]:
    """The notification's id is among ``ids``, tested while walking the date order.

    ``id + 0`` is not a bare column, so SQLite does not fetch the set's rows
    by primary key and sort them (slow when the set is large, e.g. chapter
    84); it builds the set once and probes it for each row of the
    distribution-date index until the page is full. The cost is bounded by
    one index walk whatever the filter selects.
    """
    return (notifications.c.id + 0).in_(ids)


#: Above this many product matches, a product filter probes each row
#: (EXISTS) instead of building the set of ids: hits are frequent, so the
#: walk along the date order stops soon, while the set would be large.
BROAD_PRODUCT_MATCHES = 1000


def _matches_any(prefixes: Sequence[str], broad: bool) -> sa.ColumnElement[bool]:
    where = sa.or_(*(_prefix_condition(p) for p in prefixes))
    if broad:
        return sa.exists().where(product_matches.c.notification_id == notifications.c.id, where)
    return _in_set(sa.select(product_matches.c.notification_id).where(where))


def _member_condition(code: str, dialect: str) -> sa.ColumnElement[bool]:
    """Notified by ``code``: through the symbols' index (``G/TBT/N/USA/...``); the
    few notifications without WTO symbols are read by their member_codes."""
    symbol = notification_symbols.c.symbol
    heads = [f"G/{area}/N/{alias}/" for area in ("TBT", "SPS") for alias in symbol_codes(code)]
    if dialect == "sqlite":
        # Ranges use SQLite's index (its BINARY collation sorts "/" just before "0").
        ranges = [sa.and_(symbol >= head, symbol < head[:-1] + "0") for head in heads]
    else:
        # A locale collation may ignore punctuation in comparisons: LIKE is exact.
        ranges = [symbol.like(head + "%") for head in heads]
    by_symbol = sa.select(notification_symbols.c.notification_id).where(sa.or_(*ranges))
    key = notifications.c.key
    unsymbolled = sa.select(notifications.c.id).where(
        ~key.like("G/%") if dialect != "sqlite" else sa.or_(key < "G/", key >= "G0"),
        sa.cast(notifications.c.member_codes, sa.Text).like(f'%"{code}"%'),
    )
    return (notifications.c.id + 0).in_(sa.union_all(by_symbol, unsymbolled))


def _fts_query(words: Sequence[str]) -> str:
    # Each word becomes a quoted FTS5 string (inner quotes doubled), so no
    # user input is read as FTS syntax; juxtaposed strings are ANDed.
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _long_words(dialect: str, text: str) -> list[str]:
    # The trigram index needs three characters; shorter words use LIKE.
    return [w for w in text.split() if len(w) >= 3] if dialect == "sqlite" else []


def _fts_rows(long_words: Sequence[str]) -> sa.Select[Any]:
    return sa.select(sa.column("rowid")).select_from(
        sa.text("notifications_fts WHERE notifications_fts MATCH :fts_query").bindparams(
            fts_query=_fts_query(long_words)
        )
    )


#: At most this many full-text hits, the list fetches them by id and sorts them
#: (a bare ``id IN``) instead of walking the date order probing each row: few
#: hits (or none) would make that walk cover the whole table.
NARROW_TEXT_MATCHES = 500


def _capped_count(rows: sa.Select[Any], cap: int) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.count()).select_from(rows.limit(cap + 1).subquery()).scalar_subquery()


async def _filter_shapes(conn: AsyncConnection, f: NotificationFilter) -> set[str]:
    """Which product conditions (``hs``, ``sector``) of ``f`` match many rows, plus
    ``narrow-text`` when its full-text words match few (SQLite only).

    The capped counts are asked in one statement (one round trip to the
    database thread instead of one per count).
    """
    probes: dict[str, sa.ScalarSelect[Any]] = {}
    for name, prefixes in (("hs", (f.hs_prefix,) if f.hs_prefix else ()), ("sector", f.sector_prefixes)):
        if prefixes:
            within = sa.or_(*(_prefix_condition(p) for p in prefixes))
            probes[name] = _capped_count(sa.select(product_matches.c.id).where(within), BROAD_PRODUCT_MATCHES)
    long_words = _long_words(conn.dialect.name, f.text)
    if long_words:
        probes["text"] = _capped_count(_fts_rows(long_words), NARROW_TEXT_MATCHES)
    if not probes:
        return set()
    counts = (await conn.execute(sa.select(*(q.label(n) for n, q in probes.items())))).one()._mapping
    shapes = {n for n in ("hs", "sector") if n in counts and counts[n] > BROAD_PRODUCT_MATCHES}
    if "text" in counts and counts["text"] <= NARROW_TEXT_MATCHES:
        shapes.add("narrow-text")
    return shapes


def _text_condition(dialect: str, text: str, narrow: bool = False) -> sa.ColumnElement[bool]:
    words = text.split()
    fields = (notifications.c.title, notifications.c.description, notifications.c.products)
    conditions: list[sa.ColumnElement[bool]] = []
    long_words = _long_words(dialect, text)
    if long_words:
        found = _fts_rows(long_words)
        conditions.append(notifications.c.id.in_(found) if narrow else _in_set(found))
    for word in words:
        if word in long_words:
            continue
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if dialect == "sqlite":
            # SQLite's LIKE already ignores ASCII case, as its lower() does (both
            # ASCII only): the lower() calls of ILIKE only cost time (q=EV at
            # 50,000 notifications: 17 -> 8 ms).
            conditions.append(sa.or_(*(f.like(f"%{escaped}%", escape="\\") for f in fields)))
        else:
            conditions.append(sa.or_(*(f.ilike(f"%{escaped}%", escape="\\") for f in fields)))
    return sa.and_(*conditions)


def filter_conditions(
    f: NotificationFilter, dialect: str, broad: Collection[str] = ()
) -> list[sa.ColumnElement[bool]]:
    """SQL conditions on ``notifications`` for a filter; ``broad`` names the product
    conditions (``hs``, ``sector``) known to match many rows, and holds ``narrow-text``
    when the full-text words match few.

    Raises:
        ValueError: a member code or HS prefix is malformed (the message names it).
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if f.member:
        if not _MEMBER_CODE.match(f.member):
            raise ValueError(f"member code {f.member!r} must be 2 to 5 capital letters")
        conditions.append(_member_condition(f.member, dialect))
    for prefix in (f.hs_prefix, *f.sector_prefixes):
        if prefix and (not (prefix.isascii() and prefix.isdigit()) or not 2 <= len(prefix) <= 6):
            raise ValueError(f"HS prefix {prefix!r} must be 2 to 6 digits")
    if any((ord(c) < 32 or ord(c) == 127) and not c.isspace() for c in f.text):
        # FTS5 reads a NUL as a syntax error even inside a quoted string.
        raise ValueError(f"search words {f.text[:40]!r} hold control characters")
    if f.hs_prefix:
        conditions.append(_matches_any([f.hs_prefix], "hs" in broad))
    if f.sector_prefixes:
        conditions.append(_matches_any(f.sector_prefixes, "sector" in broad))
    if f.level is not None:
        graver = LEVELS[: LEVELS.index(f.level) + 1]
        computed = _in_set(sa.select(alerts.c.notification_id).where(alerts.c.level.in_(graver)))
        if f.level_not:
            computed = sa.and_(computed, notifications.c.id.not_in(f.level_not))
        conditions.append(
            sa.or_(computed, notifications.c.id.in_(f.level_also)) if f.level_also else computed
        )
    if f.open_on is not None:
        # Open notifications are few (deadlines run about 60 days): fetch them
        # through the deadline index and sort them, instead of walking the
        # whole date order hunting for them (a bare id, unlike _in_set).
        still_open = sa.select(notifications.c.id).where(notifications.c.comment_deadline >= f.open_on)
        conditions.append(notifications.c.id.in_(still_open))
    if f.date_from is not None:
        conditions.append(notifications.c.distribution_date >= f.date_from)
    if f.date_to is not None:
        conditions.append(notifications.c.distribution_date <= f.date_to)
    if f.text.strip():
        conditions.append(_text_condition(dialect, f.text, "narrow-text" in broad))
    return conditions


async def gravest_levels(conn: AsyncConnection, notification_ids: Sequence[int]) -> dict[int, Level]:
    """The gravest alert level of each notification that has one."""
    out: dict[int, Level] = {}
    if not notification_ids:
        return out
    query = sa.select(alerts.c.notification_id, alerts.c.level).where(
        alerts.c.notification_id.in_(list(notification_ids)), alerts.c.level.is_not(None)
    )
    for row in await conn.execute(query):
        if row.level not in LEVELS:
            continue
        current = out.get(row.notification_id)
        if current is None or LEVELS.index(row.level) < LEVELS.index(current):
            out[row.notification_id] = row.level
    return out


def summary_from_row(row: Any, level: Level | None) -> NotificationSummary:
    return NotificationSummary(
        id=row.id,
        key=row.key,
        area=row.area,
        member_codes=tuple(row.member_codes),
        member_name=row.member_name,
        notification_type=row.notification_type,
        title=row.title,
        distribution_date=row.distribution_date,
        comment_deadline=row.comment_deadline,
        level=level,
    )


SUMMARY_COLUMNS = (
    notifications.c.id,
    notifications.c.key,
    notifications.c.area,
    notifications.c.member_codes,
    notifications.c.member_name,
    notifications.c.notification_type,
    notifications.c.title,
    notifications.c.distribution_date,
    notifications.c.comment_deadline,
)


async def search_notifications(
    conn: AsyncConnection, f: NotificationFilter, *, limit: int, offset: int = 0
) -> list[NotificationSummary]:
    """A page of notifications matching ``f``, newest distribution first.

    On SQLite, full-text search needs :func:`ensure_search_index` first.

    Raises:
        ValueError: the filter holds a malformed value.
    """
    # The gravest level comes with each row (a subquery run for the page's
    # rows only), saving a second round trip.
    rank = sa.case({level: i for i, level in enumerate(LEVELS)}, value=alerts.c.level)
    gravest = sa.select(sa.func.min(rank)).where(alerts.c.notification_id == notifications.c.id)
    shapes = await _filter_shapes(conn, f)
    query = (
        sa.select(*SUMMARY_COLUMNS, gravest.scalar_subquery().label("level_rank"))
        .where(*filter_conditions(f, conn.dialect.name, shapes))
        .order_by(notifications.c.distribution_date.desc(), notifications.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await conn.execute(query)).all()
    return [summary_from_row(r, LEVELS[r.level_rank] if r.level_rank is not None else None) for r in rows]


async def count_notifications(conn: AsyncConnection, f: NotificationFilter, *, cap: int = 10_000) -> int:
    """How many notifications match ``f``, counted up to ``cap`` (+1 means "more")."""
    inner = sa.select(notifications.c.id).where(*filter_conditions(f, conn.dialect.name)).limit(cap + 1)
    query = sa.select(sa.func.count()).select_from(inner.subquery())
    return int((await conn.execute(query)).scalar_one())
