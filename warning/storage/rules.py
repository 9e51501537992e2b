"""Storing analysts' classifier rules, versioned: every change is a new version row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import TbtError
from warning.storage.mapping_tables import classifier_rule_versions, classifier_rules
from warning.storage.sql import insert_returning_id
from warning.types import ClassifierRule


class RuleNotFoundError(TbtError, LookupError):
    """No active rule has that id."""


class RuleTooLargeError(TbtError, ValueError):
    """A rule has more phrases or exclusions than :data:`MAX_PHRASES`, or a phrase is too long."""


#: Phrases (and exclusions) one rule may have: a rule of hundreds of phrases is
#: several rules in one, and each phrase is matched against every notification.
MAX_PHRASES = 50
#: Characters one phrase or exclusion may have.
MAX_PHRASE_CHARS = 200


def check_rule_size(rule: ClassifierRule) -> None:
    """Refuse a rule too large to store.

    Raises:
        RuleTooLargeError: the message names what is over the limit.
    """
    for what, items in (("phrases", rule.phrases), ("exclusions", rule.exclusions)):
        if len(items) > MAX_PHRASES:
            raise RuleTooLargeError(
                f"a rule may have at most {MAX_PHRASES} {what}, this one has {len(items)}"
            )
    for text in (*rule.phrases, *rule.exclusions):
        if len(text) > MAX_PHRASE_CHARS:
            raise RuleTooLargeError(
                f"a phrase may have at most {MAX_PHRASE_CHARS} characters: {text[:40]!r}..."
            )


@dataclass(frozen=True)
class RuleVersion:
    """One entry of a rule's history."""

    rule_id: int
    version: int
    action: str
    rule: ClassifierRule
    author: str
    changed_at: dt.datetime


def _rule(row: Any) -> ClassifierRule:
    return ClassifierRule(
        phrases=tuple(row.phrases),
        hs_codes=tuple(row.hs_codes),
        exclusions=tuple(row.exclusions),
        id=row.id,
        version=row.version,
        author=row.author,
        note=row.note,
        suppress=bool(row.suppress),
    )


async def _log(
    conn: AsyncConnection, rule: ClassifierRule, action: str, author: str, at: dt.datetime
) -> None:
    await conn.execute(
        sa.insert(classifier_rule_versions).values(
            rule_id=rule.id,
            version=rule.version,
            action=action,
            phrases=list(rule.phrases),
            hs_codes=list(rule.hs_codes),
            exclusions=list(rule.exclusions),
            note=rule.note,
            author=author,
            changed_at=at,
            suppress=rule.suppress,
        )
    )


async def add_rule(
    conn: AsyncConnection, rule: ClassifierRule, author: str, at: dt.datetime
) -> ClassifierRule:
    """Store a new rule (version 1) and log it.

    Raises:
        RuleTooLargeError: too many phrases or exclusions, or one too long.
    """
    check_rule_size(rule)
    values = {
        "phrases": list(rule.phrases),
        "hs_codes": list(rule.hs_codes),
        "exclusions": list(rule.exclusions),
        "note": rule.note,
        "suppress": rule.suppress,
        "version": 1,
        "active": True,
        "author": author,
        "updated_at": at,
    }
    rule_id = await insert_returning_id(conn, classifier_rules, values)
    stored = replace(rule, id=rule_id, version=1, author=author)
    await _log(conn, stored, "add", author, at)
    return stored


async def _active(conn: AsyncConnection, rule_id: int) -> ClassifierRule:
    row = (
        await conn.execute(
            sa.select(classifier_rules).where(classifier_rules.c.id == rule_id, classifier_rules.c.active)
        )
    ).first()
    if row is None:
        raise RuleNotFoundError(f"no active classifier rule with id {rule_id}")
    return _rule(row)


async def change_rule(
    conn: AsyncConnection, rule_id: int, rule: ClassifierRule, author: str, at: dt.datetime
) -> ClassifierRule:
    """Replace a rule's phrases, codes, exclusions and note as a new version.

    Raises:
        RuleNotFoundError: no active rule has that id.
        RuleTooLargeError: too many phrases or exclusions, or one too long.
    """
    check_rule_size(rule)
    old = await _active(conn, rule_id)
    new = replace(rule, id=rule_id, version=old.version + 1, author=author)
    await conn.execute(
        sa.update(classifier_rules)
        .where(classifier_rules.c.id == rule_id)
        .values(
            phrases=list(new.phrases),
            hs_codes=list(new.hs_codes),
            exclusions=list(new.exclusions),
            note=new.note,
            suppress=new.suppress,
            version=new.version,
            author=author,
            updated_at=at,
        )
    )
    await _log(conn, new, "change", author, at)
    return new


async def remove_rule(conn: AsyncConnection, rule_id: int, author: str, at: dt.datetime) -> ClassifierRule:
    """Deactivate a rule (its history is kept).

    Raises:
        RuleNotFoundError: no active rule has that id.
    """
    old = await _active(conn, rule_id)
    gone = replace(old, version=old.version + 1, author=author)
    await conn.execute(
        sa.update(classifier_rules)
        .where(classifier_rules.c.id == rule_id)
        .values(active=False, version=gone.version, author=author, updated_at=at)
    )
    await _log(conn, gone, "remove", author, at)
    return gone


async def load_rules(conn: AsyncConnection) -> list[ClassifierRule]:
    """The active rules, by id."""
    rows = await conn.execute(
        sa.select(classifier_rules).where(classifier_rules.c.active).order_by(classifier_rules.c.id)
    )
    return [_rule(r) for r in rows]


async def rule_history(conn: AsyncConnection, rule_id: int | None = None) -> list[RuleVersion]:
    """Every version of one rule (or of all rules), oldest first."""
    query = sa.select(classifier_rule_versions).order_by(
        classifier_rule_versions.c.changed_at,
        classifier_rule_versions.c.rule_id,
        classifier_rule_versions.c.version,
    )
    if rule_id is not None:
        query = query.where(classifier_rule_versions.c.rule_id == rule_id)
    out = []
    for row in await conn.execute(query):
        rule = ClassifierRule(
            tuple(row.phrases),
            tuple(row.hs_codes),
            tuple(row.exclusions),
            row.rule_id,
            row.version,
            row.author,
            row.note,
            bool(row.suppress),
        )
        out.append(RuleVersion(row.rule_id, row.version, row.action, rule, row.author, row.changed_at))
    return out
