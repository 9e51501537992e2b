"""Commands of the analysts' mappings: ics list|set|remove|history, sectors list|set|remove|history.

Like the web editor (``/analyst/mappings``): changes are overrides stored with
their author over the shipped ICS mapping and the configured sectors;
``--preview`` prints what a change would do and stores nothing.
"""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING, Any

from classifiers.nomenclature import load_nomenclature
from warning.cli.base import SubParsers
from warning.types import IcsRow, MappingKind, Sector

if TYPE_CHECKING:
    from warning.mapping.mapping_preview import MappingPreview
    from warning.runtime import Runtime

# Previews classify: warning.classify and warning.mapping.mapping_preview are imported where used.


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def _print_preview(p: MappingPreview) -> None:
    from warning.mapping.mapping_preview import SECTOR_METRIC_KEYS

    print(f"{len(p.changes)} of {p.checked} stored notifications change:")
    for c in p.changes:
        parts = [f"+{' +'.join(c.gained)}" if c.gained else "", f"-{' -'.join(c.lost)}" if c.lost else ""]
        parts += [f"sectors +{','.join(c.gained_sectors)}" if c.gained_sectors else ""]
        parts += [f"sectors -{','.join(c.lost_sectors)}" if c.lost_sectors else ""]
        print(f"  {c.key}\t{' '.join(x for x in parts if x)}")
    if p.subscriptions:
        print(f"{p.subscriptions} subscriptions name this sector")
    print(f"{len(p.exporters)} exporters' alerts change:")
    for e in p.exporters:
        print(f"  {e.exporter}\t{e.key}\t{e.change}\t{e.before or '-'} -> {e.after or '-'}")
    for key in ("chapter_f1", "chapter_precision", "chapter_recall", *SECTOR_METRIC_KEYS):
        print(f"  {key:<18} {p.before[key]:.4f} -> {p.after[key]:.4f}")


async def ics_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.mapping.mappings import effective_ics_mapping

    async with rt.db.begin() as conn:
        mapping = await effective_ics_mapping(conn)
    for code, prefixes in sorted(mapping.items()):
        print(f"{code}\t{' '.join(prefixes)}")
    return 0


async def _ics(args: argparse.Namespace, rt: Runtime, action: str, row: IcsRow) -> int:
    """Check, preview or store (and reclassify) one ICS change.

    Raises:
        MappingError: the change is malformed or refers to no row.
    """
    from warning.classify import build_classifier
    from warning.mapping.mapping_preview import apply_ics, preview_ics
    from warning.mapping.mappings import current_sectors, effective_ics_mapping, ics_change
    from warning.storage.mappings import save_ics_row
    from warning.storage.rules import load_rules

    async with rt.db.begin() as conn:
        rules = await load_rules(conn)
        old = await effective_ics_mapping(conn)
    checked, new = ics_change(old, action, row, load_nomenclature())
    ensemble = await build_classifier(rt)
    if args.preview:
        _print_preview(await preview_ics(rt, ensemble, rules, old, new, await current_sectors(rt)))
        return 0
    stored = row if checked != "remove" else IcsRow(row.ics, old[row.ics], row.note)
    async with rt.db.begin() as conn:
        entry = await save_ics_row(conn, stored, checked, args.author, rt.now())
    rewritten = await apply_ics(rt, ensemble, rules, old, new)
    print(f"ICS {row.ics}: {checked} (version {entry.version}); {rewritten} notifications reclassified")
    return 0


async def ics_set(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.mapping.mappings import effective_ics_mapping

    async with rt.db.begin() as conn:
        exists = args.code in await effective_ics_mapping(conn)
    row = IcsRow(args.code, tuple(dict.fromkeys(args.hs)), args.note)
    return await _ics(args, rt, "change" if exists else "add", row)


async def ics_remove(args: argparse.Namespace, rt: Runtime) -> int:
    return await _ics(args, rt, "remove", IcsRow(args.code, (), args.note))


async def sectors_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.mapping.mappings import current_sectors

    for s in await current_sectors(rt):
        print(f"{s.key}\t{s.name_en}\t{s.name_zh}\t{' '.join(s.hs_prefixes)}")
    return 0


async def _sector(args: argparse.Namespace, rt: Runtime, action: str, sector: Sector) -> int:
    """Check, preview or store one sector change.

    Raises:
        MappingError: the change is malformed or refers to no sector.
    """
    from warning.mapping.mappings import current_sectors, sector_change
    from warning.storage.mappings import save_sector
    from warning.storage.rules import load_rules

    old = await current_sectors(rt)
    checked, new = sector_change(old, action, sector, load_nomenclature())
    if args.preview:
        from warning.classify import build_classifier
        from warning.mapping.mapping_preview import preview_sectors

        async with rt.db.begin() as conn:
            rules = await load_rules(conn)
        _print_preview(await preview_sectors(rt, await build_classifier(rt), rules, old, new))
        return 0
    stored = sector if checked != "remove" else next(s for s in old if s.key == sector.key)
    async with rt.db.begin() as conn:
        entry = await save_sector(conn, stored, checked, args.author, rt.now(), args.note)
    print(f"sector {sector.key}: {checked} (version {entry.version})")
    return 0


async def sectors_set(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.mapping.mappings import current_sectors

    exists = any(s.key == args.key for s in await current_sectors(rt))
    sector = Sector(args.key, args.name_en, args.name_zh, tuple(dict.fromkeys(args.hs)))
    return await _sector(args, rt, "change" if exists else "add", sector)


async def sectors_remove(args: argparse.Namespace, rt: Runtime) -> int:
    return await _sector(args, rt, "remove", Sector(args.key, "", "", ()))


async def history(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.mappings import mapping_history

    kind: MappingKind = args.kind
    async with rt.db.begin() as conn:
        versions = await mapping_history(conn, kind)
    for v in reversed(versions):
        names = f"\t{v.name_en} / {v.name_zh}" if kind == "sector" and v.action != "remove" else ""
        head = f"{v.changed_at.isoformat()}\t{v.key}\tv{v.version}\t{v.action}\t{v.author}"
        print(f"{head}\t{' '.join(v.hs_prefixes)}{names}")
    if not versions:
        print("no history")
    return 0


def _common(p: Any) -> None:
    p.add_argument("--note", default="", help="why (kept in the history)")
    p.add_argument("--author", default=_user(), help="who makes the change (default: login name)")
    p.add_argument("--preview", action="store_true", help="print what it would change; store nothing")


def register(sub: SubParsers) -> None:
    p = sub.add_parser("ics", help="the ICS-to-HS mapping: shipped rows with the analysts' overrides")
    acts = p.add_subparsers(dest="ics_action", required=True, metavar="ACTION")
    acts.add_parser("list", help="the effective mapping").set_defaults(handler=ics_list)
    s = acts.add_parser("set", help="add or change a row, then reclassify what it affects")
    s.add_argument("code", help="ICS field, group or subgroup (13, 13.220, 13.220.20)")
    s.add_argument("--hs", action="append", required=True, help="HS 2022 prefix (repeatable)")
    _common(s)
    s.set_defaults(handler=ics_set)
    r = acts.add_parser("remove", help="remove a row (shipped or added), then reclassify")
    r.add_argument("code")
    _common(r)
    r.set_defaults(handler=ics_remove)
    acts.add_parser("history", help="who changed which row, when").set_defaults(handler=history, kind="ics")

    p = sub.add_parser("sectors", help="the zone's sectors: configured ones with the analysts' overrides")
    acts = p.add_subparsers(dest="sectors_action", required=True, metavar="ACTION")
    acts.add_parser("list", help="the effective sectors").set_defaults(handler=sectors_list)
    s = acts.add_parser("set", help="add or change a sector")
    s.add_argument("key", help="sector key (letters, digits, - and _)")
    s.add_argument("--name-en", required=True)
    s.add_argument("--name-zh", required=True)
    s.add_argument("--hs", action="append", required=True, help="HS 2022 prefix (repeatable)")
    _common(s)
    s.set_defaults(handler=sectors_set)
    r = acts.add_parser("remove", help="remove a sector")
    r.add_argument("key")
    _common(r)
    r.set_defaults(handler=sectors_remove)
    acts.add_parser("history", help="who changed which sector, when").set_defaults(
        handler=history, kind="sector"
    )
