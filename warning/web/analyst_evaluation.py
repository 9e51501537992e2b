"""The analysts' evaluation page: the classifier on the bundled labelled set, in words.

The figures (:func:`classifiers.evaluation.full_report`: ours, the plain baseline, the
5-fold cross-validated views, per language, the confusions, the failed and the skipped
records) take several seconds to compute, so they are cached per classifier version: a
fingerprint of the active rules, the ICS mapping, the alert threshold, the number of
exporters' "relevant" answers (the learner's examples), the labelled set and the
classifier's code and data. A version computed once loads from memory, or after a restart
from the cache folder (:mod:`classifiers.model_cache`).
"""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import web

from classifiers.evaluate import METRIC_KEYS, load_cases
from classifiers.evaluation import full_report
from classifiers.model_cache import cached, fingerprint
from classifiers.rules import RulesClassifier
from warning.mapping.mappings import effective_ics_mapping
from warning.mapping.rule_preview import labelled_set
from warning.storage.schema import feedback
from warning.web.analyst import active_rules, held_ensemble
from warning.web.keys import RUNTIME
from warning.web.security import require_role
from warning.web.templating import NavItem, render

routes = web.RouteTableDef()
NAV: list[NavItem] = []  # listed by warning.web.analyst, between rules and feedback
#: The evaluations computed in this process, by classifier version.
_MEMO: dict[str, dict[str, Any]] = {}
#: Figures shown as shares (two decimals); ``n`` is a count.
SHARES = tuple(k for k in METRIC_KEYS if k != "n")
VIEWS = (
    ("tbtwarn", None),
    ("baseline", "baseline"),
    ("learner_cv", "with_learner_cv"),
    ("calibrated_cv", "calibrated_cv"),
)


def _code_and_data() -> list[bytes]:
    root = Path(str(resources.files("classifiers")))
    files = sorted([*root.glob("*.py"), *root.glob("data/*.csv")])
    return [f.name.encode() + f.read_bytes() for f in files]


async def version_inputs(request: web.Request) -> list[bytes]:
    """What the evaluation depends on, as bytes for a fingerprint."""
    rt = request.app[RUNTIME]
    rules = await active_rules(request)
    async with rt.db.begin() as conn:
        liked = (await conn.execute(sa.select(sa.func.count()).where(feedback.c.relevant))).scalar_one()
        mapping = sorted((await effective_ics_mapping(conn)).items())
    return [
        repr(rules).encode(),
        repr(mapping).encode(),
        repr(
            (rt.config.classifier.alert_threshold, liked, [str(p) for p in rt.config.classifier.examples])
        ).encode(),
        labelled_set().read_bytes(),
        *_code_and_data(),
    ]


async def evaluation_for(request: web.Request) -> dict[str, Any]:
    """The full evaluation of the current classifier version (computed once per version)."""
    inputs = await version_inputs(request)
    key = fingerprint(inputs)
    if key in _MEMO:
        return _MEMO[key]
    rt = request.app[RUNTIME]
    threshold = rt.config.classifier.alert_threshold
    rules = await active_rules(request)
    async with held_ensemble(request) as ensemble:
        ensemble.rules = RulesClassifier(rules)
        cases, skipped = load_cases(labelled_set(), ensemble.nomenclature)

        def build() -> dict[str, Any]:
            return full_report(ensemble, cases, skipped, threshold)

        # On disk too (keyed by the same inputs): a restart does not recompute.
        result = await asyncio.to_thread(cached, "evaluation", inputs, build)
    _MEMO[key] = result
    return result


@routes.get("/analyst/evaluation")
@require_role("analyst")
async def evaluation_page(request: web.Request) -> web.Response:
    """The classifier against the bundled labelled set, in words, beside the baseline."""
    result = await evaluation_for(request)
    return render(
        request,
        "analyst_evaluation.html",
        r=result,
        views=[(f"eval_view_{name}", result[field] if field else result) for name, field in VIEWS],
        shares=[(k, f"eval_metric_{k}") for k in SHARES],
    )
