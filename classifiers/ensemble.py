"""Combining classification methods into one ranked, calibrated list of matches.

Each method's raw score is mapped through its own logistic calibration to the
probability that the match's HS chapter is right, so a 0.7 means the same
whichever method said it. Methods agreeing on a chapter reinforce each other
(noisy-OR); within a chapter, headings are ranked by their own support.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifiers.glossary import Glossary, GlossaryClassifier, load_glossary
from classifiers.ics import IcsClassifier, load_ics_mapping
from classifiers.learner import ExampleLearner
from classifiers.member_codes import MemberCodesClassifier
from classifiers.nomenclature import Nomenclature, load_nomenclature
from classifiers.prepared import Prepared, prepare
from classifiers.rules import RulesClassifier, without
from classifiers.sectors import sectors_of
from classifiers.text_model import TextModel
from classifiers.zh_bridge import Bridge, cedict
from warning.types import ClassifierRule, Notification, ProductMatch, Sector

#: Matches kept per notification; chapters beyond them that score at least
#: ``EXTRA_CHAPTER_MIN`` keep their best code too (a list of products can name more
#: chapters than the best chapters' headings leave room for).
TOP_MATCHES = 8
EXTRA_CHAPTER_MIN = 0.5
#: How hard chapters behind the best one are damped (score x (score / best) ** power).
RUNNER_UP_POWER = 2.0
#: The damping of a chapter the products line names itself: a glossary word or group
#: scoring at least ``NAMED_MIN`` raw. A list of products ("cosmetics, soap and
#: toothbrushes", "加工食品") names several right chapters, where a second chapter the
#: text model half-matches is rarely right.
NAMED_POWER = 0.5
NAMED_MIN = 0.9
#: The damping of a chapter the products line names by its title, or by a group that names
#: it alone ("Pharmaceutical products", "谷物"): as sure as the best chapter's word.
TITLED_POWER = 0.0
# (Only a glossary word naming one chapter, or a group, names its chapter so: dev chapter F1
# 0.845 -> 0.850, dev2 0.707 -> 0.713, and their cross-validated rows up or level.)
#: A runner-up chapter only the text model speaks for (it half-matches the words of many
#: headings) is damped harder: a second chapter is kept where the text names it. 6 (was
#: 4) lets a chapter a product word or ICS code names rank above the text model's
#: half-matches, in the top three chapters and five headings (dev2 top-3 0.952 -> 0.976).
TEXT_ONLY_POWER = 6.0
#: ICS codes are a prior, not a product: a chapter no other method supports keeps this
#: share of its score (a standards field covers many products; the text says which).
ICS_ALONE = 0.8
#: For a chapter behind the best one, the ICS prior counts at this share of its probability:
#: a standards field names several chapters at once, so it confirms the best chapter more
#: than it makes a second one ("LED灯" with ICS 29.140: lamps 8539, not also luminaires 9405).
#: Chosen on dev and dev2 where no row fell (dev F1 0.841 -> 0.845; dev2 5-fold CV 0.631 -> 0.667).
RUNNER_ICS = 0.7
#: The best chapter, when a product word or rule of the text names it, is right more
#: often than its methods' scores say (chapter top-1 is ~0.85 where a lone glossary
#: word's 0.6 is calibrated on all its matches, runner-ups included): its doubt
#: ``1 - score`` is shrunk by this factor. Chosen on the 5-fold cross-validated
#: calibration of dev and dev2 (0.6-0.7 alike; the larger kept).
TOP_DOUBT = 0.7
NAMING_METHODS = frozenset({"glossary", "rule", "member"})
_WORDS = frozenset({"glossary", "text"})
#: A glossary word scoring at most this raw names its goods only as a modifier of another
#: product ("for motor vehicles", "汽车用": 0.6 or less) or in the description.
MODIFIER_MAX = 0.6
#: Within a chapter the products line names, a heading no naming method speaks for keeps this
#: share of its support when headings are ranked (the text model half-matches many headings
#: of the right chapter; the product word says which). Dev heading top-5 0.918 -> 0.939.
UNNAMED_HEADING = 0.5
#: Chapters naming the same goods but for one word ("garments, knitted or crocheted" and
#: "not knitted or crocheted"): the text model half-matches the headings of both alike and a
#: word like "服装" names both, so where the products line names the best chapter, its twin,
#: unnamed, keeps this share of its score (a text meaning both names both: "针织和机织服装").
#: Dev and dev2 each had one such second chapter above the threshold, both wrong.
TWIN_CHAPTERS = {"61": "62", "62": "61"}
UNNAMED_TWIN = 0.6


@dataclass(frozen=True)
class Calibration:
    """``p = 1 / (1 + exp(-(slope * raw + intercept)))``."""

    slope: float
    intercept: float

    def __call__(self, raw: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.slope * raw + self.intercept)))


#: Per-method calibration. ``glossary``, ``ics`` and ``text`` were fitted with
#: :func:`fit_calibrations` on the raw matches of the 66 records of
#: ``shared/data/notifications/dev.jsonl`` with a valid truth (member codes hidden,
#: codes cut from the text), and rounded; 5-fold cross-validated fits of the same
#: kind are what ``classify evaluate`` reports as ``calibrated_cv``. ``member``,
#: ``rule`` and ``learned`` have no evaluation data (member codes are the truth;
#: no rules or examples ship) and keep hand-set values.
DEFAULT_CALIBRATION: dict[str, Calibration] = {
    "member": Calibration(6.0, -2.5),
    "rule": Calibration(5.0, -2.2),
    "glossary": Calibration(3.7, -2.6),
    "ics": Calibration(3.3, -1.6),
    "text": Calibration(9.2, -1.5),
    "learned": Calibration(5.0, -2.5),
}


def fit_calibration(raw: Sequence[float], correct: Sequence[bool]) -> Calibration:
    """Fit a method's logistic calibration from raw scores and whether each match's chapter was right.

    Raises:
        ValueError: with fewer than two outcomes of each kind.
    """
    from sklearn.linear_model import LogisticRegression  # slow to import; only for fitting

    if sum(correct) < 2 or len(correct) - sum(correct) < 2:
        raise ValueError("calibration needs at least two right and two wrong matches")
    model = LogisticRegression(C=10.0).fit(np.array(raw, dtype=float).reshape(-1, 1), np.array(correct))
    return Calibration(float(model.coef_[0][0]), float(model.intercept_[0]))


def fit_calibrations(
    evidence: Sequence[Sequence[ProductMatch]],
    truths: Sequence[Sequence[str]],
    base: dict[str, Calibration] | None = None,
) -> dict[str, Calibration]:
    """Each method's calibration fitted on raw matches against the truth's chapters.

    Methods without enough right and wrong matches keep their ``base`` calibration.
    """
    raw: dict[str, tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
    for matches, truth in zip(evidence, truths, strict=True):
        chapters = {code[:2] for code in truth}
        for match in matches:
            raw[match.method][0].append(match.score)
            raw[match.method][1].append(match.hs_code[:2] in chapters)
    out = dict(base or DEFAULT_CALIBRATION)
    for method, (scores, correct) in raw.items():
        try:
            out[method] = fit_calibration(scores, correct)
        except ValueError:
            continue
    return out


def _names(support: dict[str, dict[str, tuple[float, str]]], code: str) -> bool:
    """Whether a naming method (glossary, rule, member code) speaks for ``code`` or its heading."""
    return any(NAMING_METHODS & support.get(c, {}).keys() for c in (code, code[:4]))


_Support = dict[str, dict[str, tuple[float, str]]]


def _calibrated(
    evidence: Sequence[ProductMatch], calibration: dict[str, Calibration]
) -> tuple[dict[str, dict[str, float]], _Support, set[str], set[str], set[str]]:
    """Each method's best calibrated probability per chapter, each code's support by method
    (probability, evidence), the chapters a glossary word names, and the chapters glossary
    words name only as modifiers (at most ``MODIFIER_MAX``: "tyres for motor vehicles"), and
    the chapters named by their title or by a group naming that chapter alone."""
    chapter_by_method: dict[str, dict[str, float]] = {}
    support: _Support = {}
    naming: dict[str, set[str]] = {}
    worded: dict[str, float] = {}
    exp = math.exp
    for match in evidence:
        method, code = match.method, match.hs_code
        if method == "glossary":
            worded[code[:2]] = max(worded.get(code[:2], 0.0), match.score)
            if match.score >= NAMED_MIN:
                naming.setdefault(match.evidence, set()).add(code[:2])
        cal = calibration.get(method)
        # Inlined Calibration.__call__: this loop runs for every raw match of every notification.
        p = 1.0 / (1.0 + exp(-(cal.slope * match.score + cal.intercept))) if cal else match.score
        per = chapter_by_method.setdefault(code[:2], {})
        if p > per.get(method, 0.0):
            per[method] = p
        else:
            per.setdefault(method, p)
        mine = support.setdefault(code, {})
        old = mine.get(method)
        if old is None or p > old[0]:
            mine[method] = (p, match.evidence)
    # A word naming goods of several chapters ("服装": 61 and 62; "LED灯": 85 and 94) names
    # none of them as a second chapter; a group names all of its chapters.
    named = {
        ch
        for label, chapters in naming.items()
        if len(chapters) == 1 or label.startswith("group")
        for ch in chapters
    }
    titled = {
        ch
        for label, chapters in naming.items()
        if len(chapters) == 1 and label.startswith("group")
        for ch in chapters
    }
    modifier_only = {ch for ch, score in worded.items() if score <= MODIFIER_MAX}
    return chapter_by_method, support, named, modifier_only, titled


def _heading_support(support: _Support, named: set[str]) -> dict[str, list[tuple[str, float]]]:
    """Each chapter's headings and subheadings with the support that ranks them in it."""
    finer: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for code, methods in support.items():
        if len(code) > 2:
            doubt = math.prod(1.0 - p for p, _ in methods.values())
            if len(code) == 6 and code[:4] in support:
                # Evidence for the heading is evidence for a subheading of it that has its own.
                doubt *= math.prod(1.0 - p for p, _ in support[code[:4]].values())
            finer[code[:2]].append((code, 1.0 - doubt))
    for chapter, codes in finer.items():
        if chapter in named:
            # A heading the products line names by a product word comes before headings of its
            # chapter the text model alone half-matches ("手表": 9102, not 9114 watch parts).
            finer[chapter] = [
                (code, s if _names(support, code) else s * UNNAMED_HEADING) for code, s in codes
            ]
    return finer


def _kept_matches(
    ranked: list[tuple[float, int, str, str]], top: int, support: _Support
) -> list[ProductMatch]:
    """The first ``top`` ranked codes, and the best code of each further chapter scoring at
    least ``EXTRA_CHAPTER_MIN``, as matches with their evidence."""
    ranked.sort()
    kept = ranked[:top]
    seen = {chapter for *_, chapter in kept}
    for item in ranked[top:]:
        if -item[0] >= EXTRA_CHAPTER_MIN and item[3] not in seen:
            seen.add(item[3])
            kept.append(item)
    out = []
    # Evidence text only for the matches kept.
    for neg_score, _, code, chapter in kept:
        methods = support.get(code) or support.get(chapter) or {}
        names = sorted(methods, key=lambda m: -methods[m][0])
        text = "; ".join(f"{m}: {methods[m][1]}" for m in names) or f"chapter {chapter}"
        out.append(ProductMatch(code, len(code), -neg_score, "+".join(names) or "ensemble", text))
    return out


def combine(
    evidence: Sequence[ProductMatch], calibration: dict[str, Calibration], top: int = TOP_MATCHES
) -> list[ProductMatch]:
    """One ranked list from every method's raw matches."""
    chapter_by_method, support, named, modifier_only, titled = _calibrated(evidence, calibration)
    chapter_score = {
        ch: 1.0 - math.prod(1.0 - p for p in per.values()) for ch, per in chapter_by_method.items()
    }
    finer = _heading_support(support, named)
    for chapter, per in chapter_by_method.items():
        if per.keys() == {"ics"}:
            chapter_score[chapter] *= ICS_ALONE
    top_chapter = max(chapter_score.values(), default=0.0)
    text_only = {ch for ch, per in chapter_by_method.items() if per.keys() == {"text"}}
    if named:
        # Where the products line names a product, the best chapter is one some other method
        # supports: a chapter the text model alone half-matches more strongly ("卷烟": 2402,
        # not the smoking pipes of 9614 that "cigarette" half-matches) ranks behind it.
        # So does a chapter the text model backs and a glossary word names only as a modifier
        # ("child restraint systems for motor vehicles": seats, not the vehicles' parts).
        behind = text_only | {
            ch for ch, per in chapter_by_method.items() if ch in modifier_only and per.keys() <= _WORDS
        }
        top_chapter = max((s for ch, s in chapter_score.items() if ch not in behind), default=top_chapter)
    lifted = 1.0 - (1.0 - top_chapter) * TOP_DOUBT
    best_chapters = {ch for ch, s in chapter_score.items() if s == top_chapter}
    ranked: list[tuple[float, int, str, str]] = []
    for chapter, raw_score in chapter_score.items():
        per = chapter_by_method[chapter]
        if raw_score < top_chapter and "ics" in per and len(per) > 1:
            raw_score = 1.0 - math.prod(1.0 - (p * RUNNER_ICS if m == "ics" else p) for m, p in per.items())
        # A chapter far behind the best one is rarely a second right answer, unless named.
        if chapter in titled:
            power = TITLED_POWER
        elif chapter in named:
            power = NAMED_POWER
        elif chapter in text_only:
            power = TEXT_ONLY_POWER
        else:
            power = RUNNER_UP_POWER
        low, high = sorted((raw_score, top_chapter))
        score = low * (low / high) ** power if high else 0.0
        if raw_score == top_chapter and NAMING_METHODS & per.keys():
            score = lifted
        elif chapter not in named and TWIN_CHAPTERS.get(chapter) in best_chapters & named:
            score *= UNNAMED_TWIN
        codes = finer.get(chapter) or [(chapter, score)]
        best = max(s for _, s in codes)
        for code, s in codes:
            # The chapter's best code carries the chapter's score; others by their share of support.
            final = score * (0.6 + 0.4 * s / best) if best > 0 else 0.0
            # On equal scores the more precise code comes first.
            ranked.append((-round(min(1.0, final), 4), -len(code), code, chapter))
    return _kept_matches(ranked, top, support)


class Ensemble:
    """Runs every method and combines them (:func:`combine`)."""

    name = "ensemble"

    def __init__(
        self,
        nomenclature: Nomenclature,
        *,
        rules: Sequence[ClassifierRule] = (),
        learner: ExampleLearner | None = None,
        glossary: Glossary | None = None,
        text_model: TextModel | None = None,
        calibration: dict[str, Calibration] | None = None,
        use_member_codes: bool = True,
    ) -> None:
        self.nomenclature = nomenclature
        self.glossary = glossary or load_glossary()
        self.bridge = Bridge(self.glossary, cedict())
        self.member = MemberCodesClassifier(nomenclature)
        self.ics = IcsClassifier(load_ics_mapping())
        self.rules = RulesClassifier(rules)
        self.lexicon = GlossaryClassifier(self.glossary)
        self.text = text_model or TextModel(nomenclature)
        self.learner = learner
        self.calibration = calibration or DEFAULT_CALIBRATION
        self.use_member_codes = use_member_codes

    def prepare(self, notification: Notification) -> Prepared:
        """The notification's text, segmented, bridged and looked up once for every method."""
        return prepare(notification, self.glossary, self.bridge)

    def evidence(self, batch: Sequence[Notification]) -> list[list[ProductMatch]]:
        """Every method's raw (uncalibrated) matches for each notification."""
        prepared = [self.prepare(n) for n in batch]
        text = self.text.classify_prepared(prepared)
        learned = self.learner.classify_prepared(prepared) if self.learner else [[] for _ in batch]
        out = []
        for p, t, lrn in zip(prepared, text, learned, strict=True):
            # As prepared: in simplified Chinese, so that analysts' phrases meet traditional text.
            n = p.notification
            raw = self.member.classify(n) if self.use_member_codes else []
            raw += (
                self.ics.classify(n) + self.rules.classify(n) + self.lexicon.classify_hits(p.hits) + t + lrn
            )
            out.append(without(raw, self.rules.suppressed(n)) if self.rules.exclusions else raw)
        return out

    def classify_many(self, batch: Sequence[Notification]) -> list[list[ProductMatch]]:
        """Ranked matches for each notification of a batch (faster than one by one)."""
        return [combine(raw, self.calibration) for raw in self.evidence(batch)]

    def classify(self, notification: Notification) -> list[ProductMatch]:
        return self.classify_many([notification])[0]


def sectors_for(matches: Sequence[ProductMatch], sectors: Sequence[Sector], threshold: float) -> list[Sector]:
    """The sectors of a notification's matches scoring at least ``threshold``, best match first."""
    out: list[Sector] = []
    for match in matches:
        if match.score >= threshold:
            out.extend(s for s in sectors_of(match.hs_code, sectors) if s not in out)
    return out


def default_classifier(nomenclature: Nomenclature | None = None) -> Ensemble:
    """The classifier the pipeline uses when no rules or examples are loaded."""
    return Ensemble(nomenclature or load_nomenclature())
