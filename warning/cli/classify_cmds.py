"""Commands of the classifier: classify [--all], classify evaluate, rules list|add|remove|history."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

from warning.cli.base import SubParsers
from warning.exceptions import TbtError
from warning.types import ClassifierRule

# The classifier's modules (scikit-learn, jieba, numpy) are imported by the commands that
# classify, not here: `tbtwarn --help` and the other commands start without them.
SHOWN = (
    ("baseline", "baseline"),
    ("tbtwarn", None),
    ("tbtwarn + learner 5-fold", "with_learner_cv"),
    ("tbtwarn calibrated 5-fold", "calibrated_cv"),
)

if TYPE_CHECKING:
    from warning.runtime import Runtime


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


async def classify_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    if args.action == "evaluate":
        return await evaluate_cmd(args, rt)
    from warning.classify import classify_pending

    outcome = await classify_pending(rt, everything=args.all, progress=_progress if args.all else None)
    print(f"classified {outcome.classified} notifications ({outcome.with_matches} with matches)")
    return 0


def _line(name: str, m: dict[str, Any], keys: tuple[str, ...]) -> str:
    return f"{name:<28}" + "".join(f"{m[k]:>9}" for k in keys)


def _print_report(args: argparse.Namespace, result: dict[str, Any], keys: tuple[str, ...]) -> None:
    print(
        f"{args.data}: {result['n']} records with a valid HS 2022 truth ({result['skipped']} skipped); "
        f"alert threshold {result['alert_threshold']}"
    )
    for s in result["skipped_records"]:
        named = f" ({s['record']})" if s["record"] else ""
        print(f"  skipped line {s['line']}{named}: {s['reason']}")
    short = {"chapter_": "ch_", "heading_": "hd_", "precision": "P", "recall": "R"}

    def abbrev(k: str) -> str:
        for long, brief in short.items():
            k = k.replace(long, brief)
        return k

    print(f"{'':<28}" + "".join(f"{abbrev(k):>9}" for k in keys))
    for name, field in SHOWN:
        figures = result[field] if field else result
        print(_line(name, figures, keys))
        for language, m in figures["by_language"].items():
            print(_line(f"  {language}", m, keys))
    if result["confusions"]:
        print("first chapter wrong (true -> ours: count):")
        for c in result["confusions"]:
            print(
                f"  {c['truth']} -> {c['predicted'] or '(nothing)'}: {c['count']}  {'; '.join(c['records'])}"
            )


async def evaluate_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    from classifiers.evaluate import METRIC_KEYS, load_cases
    from classifiers.evaluation import full_report
    from classifiers.nomenclature import load_nomenclature
    from warning.classify import build_classifier

    cases, skipped = load_cases(args.data, load_nomenclature())
    if not cases:
        raise TbtError(f"{args.data}: no record with a valid HS 2022 code to evaluate against")
    ensemble = await build_classifier(rt)
    result = full_report(ensemble, cases, skipped, rt.config.classifier.alert_threshold)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_report(args, result, METRIC_KEYS)
    return 0


async def rules_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.rules import load_rules

    async with rt.db.begin() as conn:
        rules = await load_rules(conn)
    for r in rules:
        excl = f" except {' | '.join(r.exclusions)}" if r.exclusions else ""
        arrow = "-> no" if r.suppress else "->"
        print(
            f"{r.id}\tv{r.version}\t{' | '.join(r.phrases)}{excl} {arrow} {' '.join(r.hs_codes)}"
            f"\t{r.author}\t{r.note}"
        )
    if not rules:
        print("no rules")
    return 0


async def rules_add(args: argparse.Namespace, rt: Runtime) -> int:
    from classifiers.nomenclature import load_nomenclature
    from warning.storage.rules import add_rule

    nomenclature = load_nomenclature()
    for code in args.hs:
        if code not in nomenclature:
            print(f"tbtwarn rules add: --hs {code!r} is not a 2, 4 or 6-digit HS 2022 code", file=sys.stderr)
            return 2
    rule = ClassifierRule(
        tuple(args.phrase), tuple(args.hs), tuple(args.exclude or ()), note=args.note, suppress=args.suppress
    )
    from warning.storage.rules import RuleTooLargeError, check_rule_size

    try:
        check_rule_size(rule)
    except RuleTooLargeError as exc:
        print(f"tbtwarn rules add: {exc}", file=sys.stderr)
        return 2
    async with rt.db.begin() as conn:
        stored = await add_rule(conn, rule, args.author, rt.now())
    print(f"rule {stored.id} added (version 1); run `tbtwarn classify --all` to apply it to history")
    return 0


async def rules_remove(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.rules import remove_rule

    async with rt.db.begin() as conn:
        gone = await remove_rule(conn, args.id, args.author, rt.now())
    print(f"rule {gone.id} removed (version {gone.version})")
    return 0


async def rules_history(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.rules import rule_history

    async with rt.db.begin() as conn:
        versions = await rule_history(conn, args.id)
    for v in versions:
        r = v.rule
        excl = f" except {' | '.join(r.exclusions)}" if r.exclusions else ""
        print(
            f"{v.changed_at.isoformat()}\t{v.author}\trule {v.rule_id} v{v.version} {v.action}: "
            f"{' | '.join(r.phrases)}{excl} -> {' '.join(r.hs_codes)}"
        )
    if not versions:
        print("no history")
    return 0


def register(sub: SubParsers) -> None:
    p = sub.add_parser("classify", help="map notifications to HS products; `classify evaluate` measures it")
    p.add_argument("--all", action="store_true", help="reclassify every notification (with a progress bar)")
    p.set_defaults(handler=classify_cmd, action=None)
    actions = p.add_subparsers(dest="action", required=False, metavar="ACTION")
    e = actions.add_parser("evaluate", help="measure quality on a labelled JSONL file")
    e.add_argument("--data", type=_path, required=True, help="JSONL in the notifications' schema")
    e.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("rules", help="analysts' keyword rules of the classifier")
    rules = p.add_subparsers(dest="rules_action", required=True, metavar="ACTION")
    r = rules.add_parser("list", help="the active rules")
    r.set_defaults(handler=rules_list)
    r = rules.add_parser("add", help="add a rule")
    r.add_argument("--phrase", action="append", required=True, help="phrase that fires it (repeatable)")
    r.add_argument("--hs", action="append", required=True, help="HS 2022 prefix it maps to (repeatable)")
    r.add_argument("--exclude", action="append", help="phrase that vetoes it (repeatable)")
    r.add_argument(
        "--suppress",
        action="store_true",
        help="an exclusion: where a phrase is found, no method's match to the --hs codes is kept",
    )
    r.add_argument("--note", default="", help="why the rule exists")
    r.add_argument("--author", default=_user(), help="who makes the change (default: login name)")
    r.set_defaults(handler=rules_add)
    r = rules.add_parser("remove", help="remove a rule (its history is kept)")
    r.add_argument("id", type=int)
    r.add_argument("--author", default=_user())
    r.set_defaults(handler=rules_remove)
    r = rules.add_parser("history", help="who changed which rule, when")
    r.add_argument("id", type=int, nargs="?")
    r.set_defaults(handler=rules_history)


def _path(value: str) -> Any:
    from pathlib import Path

    return Path(value)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


__all__ = ["register"]
