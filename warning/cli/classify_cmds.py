"""Commands of the classifier: classify [--all], classify evaluate, rules list|add|remove|history."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from typing import Any

from classifiers.baseline import Baseline
from classifiers.ensemble import Ensemble, combine, fit_calibrations
from classifiers.evaluate import METRIC_KEYS, Case, cross_validated, load_cases, report
from classifiers.nomenclature import load_nomenclature
from warning.classify import build_classifier, classify_pending, learner_from
from warning.cli.base import SubParsers
from warning.exceptions import TbtError
from warning.runtime import Runtime
from warning.storage.rules import (
    RuleTooLargeError,
    add_rule,
    check_rule_size,
    load_rules,
    remove_rule,
    rule_history,
)
from warning.types import ClassifierRule, LabelledExample, ProductMatch

FOLDS = 5


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


async def classify_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    if args.action == "evaluate":
        return await evaluate_cmd(args, rt)
    outcome = await classify_pending(rt, everything=args.all, progress=_progress if args.all else None)
    print(f"classified {outcome.classified} notifications ({outcome.with_matches} with matches)")
    return 0


def _line(name: str, m: dict[str, Any]) -> str:
    return f"{name:<28}" + "".join(f"{m[k]:>10}" for k in METRIC_KEYS)


async def evaluate_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    nomenclature = load_nomenclature()
    cases, skipped = load_cases(args.data, nomenclature)
    if not cases:
        raise TbtError(f"{args.data}: no record with a valid HS 2022 code to evaluate against")
    threshold = rt.config.classifier.alert_threshold
    ensemble = await build_classifier(rt)
    notifications = [c.notification for c in cases]
    ours = report(cases, ensemble.classify_many(notifications), threshold)

    def with_learner(train: Sequence[Case], test: Sequence[Case]) -> list[list[ProductMatch]]:
        examples = [
            LabelledExample(
                c.notification.products + " " + c.notification.title, c.truth, c.notification.language
            )
            for c in train
        ]
        ensemble.learner = learner_from(ensemble, examples)
        return ensemble.classify_many([c.notification for c in test])

    learned = report(cases, cross_validated(cases, FOLDS, with_learner), threshold)
    ensemble.learner = None
    raw = ensemble.evidence(notifications)
    index = {id(c): i for i, c in enumerate(cases)}

    def with_calibration(train: Sequence[Case], test: Sequence[Case]) -> list[list[ProductMatch]]:
        fitted = fit_calibrations([raw[index[id(c)]] for c in train], [c.truth for c in train])
        return [combine(raw[index[id(c)]], fitted) for c in test]

    calibrated = report(cases, cross_validated(cases, FOLDS, with_calibration), threshold)
    baseline = report(cases, Baseline(nomenclature).classify_many(notifications), threshold)
    result = {
        **ours,
        "skipped": skipped,
        "alert_threshold": threshold,
        "baseline": baseline,
        "with_learner_cv": learned,
        "calibrated_cv": calibrated,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(
        f"{args.data}: {len(cases)} records with a valid HS 2022 truth ({skipped} skipped); "
        f"alert threshold {threshold}"
    )
    print(f"{'':<28}" + "".join(f"{k.replace('chapter_', 'ch_'):>10}" for k in METRIC_KEYS))
    rows = [
        ("baseline", baseline),
        ("tbtwarn", ours),
        (f"tbtwarn + learner {FOLDS}-fold", learned),
        (f"tbtwarn calibrated {FOLDS}-fold", calibrated),
    ]
    for name, figures in rows:
        print(_line(name, figures))
        for language, m in figures["by_language"].items():
            print(_line(f"  {language}", m))
    return 0


async def rules_list(args: argparse.Namespace, rt: Runtime) -> int:
    async with rt.db.begin() as conn:
        rules = await load_rules(conn)
    for r in rules:
        excl = f" except {' | '.join(r.exclusions)}" if r.exclusions else ""
        print(
            f"{r.id}\tv{r.version}\t{' | '.join(r.phrases)}{excl} -> {' '.join(r.hs_codes)}"
            f"\t{r.author}\t{r.note}"
        )
    if not rules:
        print("no rules")
    return 0


async def rules_add(args: argparse.Namespace, rt: Runtime) -> int:
    nomenclature = load_nomenclature()
    for code in args.hs:
        if code not in nomenclature:
            print(f"tbtwarn rules add: --hs {code!r} is not a 2, 4 or 6-digit HS 2022 code", file=sys.stderr)
            return 2
    rule = ClassifierRule(tuple(args.phrase), tuple(args.hs), tuple(args.exclude or ()), note=args.note)
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
    async with rt.db.begin() as conn:
        gone = await remove_rule(conn, args.id, args.author, rt.now())
    print(f"rule {gone.id} removed (version {gone.version})")
    return 0


async def rules_history(args: argparse.Namespace, rt: Runtime) -> int:
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


__all__ = ["Ensemble", "register"]
