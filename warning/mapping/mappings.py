"""The effective ICS mapping and sectors: the shipped base with the analysts' overrides.

The classifier (:func:`warning.classify.build_classifier`), subscriptions, the
officials' digest and the web pages all read the sectors and the ICS mapping
through here, so an analyst's saved change reaches every one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.ics import load_ics_mapping
from classifiers.nomenclature import Nomenclature
from classifiers.sectors import configured_sectors
from warning.config import Config
from warning.exceptions import MappingError
from warning.runtime import Runtime
from warning.storage.mappings import load_ics_overrides, load_sector_overrides
from warning.types import IcsRow, MappingAction, Sector

IcsMapping = dict[str, tuple[str, ...]]
ACTIONS: tuple[MappingAction, ...] = ("add", "change", "remove")


def apply_ics_overrides(
    base: Mapping[str, tuple[str, ...]], overrides: Mapping[str, IcsRow | None]
) -> IcsMapping:
    """``base`` with each overridden ICS code replaced, added or (``None``) removed."""
    out = dict(base)
    for code, row in overrides.items():
        if row is None:
            out.pop(code, None)
        else:
            out[code] = row.hs_prefixes
    return out


def apply_sector_overrides(
    base: Sequence[Sector], overrides: Mapping[str, Sector | None]
) -> tuple[Sector, ...]:
    """``base`` in its order with overridden sectors replaced or removed, added ones after it (by key)."""
    out = [overrides.get(s.key, s) if s.key in overrides else s for s in base]
    known = {s.key for s in base}
    out += [s for k, s in sorted(overrides.items()) if k not in known]
    return tuple(s for s in out if s is not None)


async def effective_ics_mapping(conn: AsyncConnection) -> IcsMapping:
    """The shipped ICS mapping with the stored overrides."""
    return apply_ics_overrides(load_ics_mapping(), await load_ics_overrides(conn))


async def effective_sectors(conn: AsyncConnection, config: Config) -> tuple[Sector, ...]:
    """The configured sectors (or HS sections) with the stored overrides."""
    return apply_sector_overrides(configured_sectors(config.sectors), await load_sector_overrides(conn))


async def current_sectors(rt: Runtime) -> tuple[Sector, ...]:
    """:func:`effective_sectors` on a connection of its own."""
    async with rt.db.begin() as conn:
        return await effective_sectors(conn, rt.config)


def split_prefixes(text: str) -> tuple[str, ...]:
    """HS prefixes from text separated by spaces, commas or semicolons, in order, without repeats."""
    return tuple(dict.fromkeys(text.replace(",", " ").replace(";", " ").split()))


def check_prefixes(prefixes: Sequence[str], nomenclature: Nomenclature) -> None:
    """Raises:
    MappingError: no prefix, or one that is not a 2, 4 or 6-digit HS 2022 code.
    """
    if not prefixes:
        raise MappingError("give at least one HS prefix")
    bad = [p for p in prefixes if not p.isdigit() or len(p) not in (2, 4, 6) or p not in nomenclature]
    if bad:
        raise MappingError(f"not 2, 4 or 6-digit HS 2022 codes: {', '.join(bad)}")


def check_ics_code(code: str) -> None:
    """Raises:
    MappingError: not an ICS field, group or subgroup (``13``, ``13.220``, ``13.220.20``).
    """
    parts = code.split(".")
    sizes = (2, 3, 2)
    if len(parts) > 3 or any(not p.isdigit() or len(p) != n for p, n in zip(parts, sizes, strict=False)):
        raise MappingError(f"bad ICS code {code!r} (expected like 13, 13.220 or 13.220.20)")


def _checked_action(action: str, key: str, exists: bool, what: str) -> MappingAction:
    if action not in ACTIONS:
        raise MappingError(f"unknown action {action!r}")
    if action == "add" and exists:
        raise MappingError(f"{what} {key!r} exists already: change it instead")
    if action != "add" and not exists:
        raise MappingError(f"no {what} {key!r} to {action}")
    return action


def ics_change(
    mapping: Mapping[str, tuple[str, ...]], action: str, row: IcsRow, nomenclature: Nomenclature
) -> tuple[MappingAction, IcsMapping]:
    """The mapping after the change, and the checked action.

    Raises:
        MappingError: a bad ICS code or HS prefix, an added code that exists, or a
            changed or removed one that does not.
    """
    check_ics_code(row.ics)
    checked = _checked_action(action, row.ics, row.ics in mapping, "ICS row")
    out = dict(mapping)
    if checked == "remove":
        del out[row.ics]
    else:
        check_prefixes(row.hs_prefixes, nomenclature)
        out[row.ics] = row.hs_prefixes
    return checked, out


def sector_change(
    sectors: Sequence[Sector], action: str, sector: Sector, nomenclature: Nomenclature
) -> tuple[MappingAction, tuple[Sector, ...]]:
    """The sectors after the change, and the checked action.

    Raises:
        MappingError: a bad key, name or HS prefix, an added key that exists, or a
            changed or removed one that does not.
    """
    key = sector.key
    if not key or len(key) > 60 or not all(c.isalnum() or c in "-_" for c in key):
        raise MappingError(f"bad sector key {key!r} (letters, digits, - and _, up to 60)")
    checked = _checked_action(action, key, any(s.key == key for s in sectors), "sector")
    if checked == "remove":
        return checked, tuple(s for s in sectors if s.key != key)
    if not sector.name_en.strip() or not sector.name_zh.strip():
        raise MappingError("give the sector's English and Chinese names")
    check_prefixes(sector.hs_prefixes, nomenclature)
    if checked == "add":
        return checked, (*sectors, sector)
    return checked, tuple(sector if s.key == key else s for s in sectors)
