"""How severe a measure is, read from its type, wording and objectives.

A new mandatory regulation or conformity-assessment procedure weighs more
than a voluntary standard, which weighs more than a corrigendum that only
corrects. Bans, prohibitions, lowered limits and new certification or
labelling duties add weight; so do health, safety and environmental
objectives. English and Chinese wording are both read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warning.levels.assess import clamp
from warning.types import Factor, FollowUpKind, Notification, Reason

#: Base scores of the kinds of measure.
KIND_SCORES = {
    "conformity": 0.6,
    "mandatory": 0.55,
    "voluntary": 0.3,
    "unknown": 0.4,
    "correction": 0.1,
}


@dataclass(frozen=True)
class _Cue:
    """Words that mark an aggravating feature, and what it adds."""

    code: str
    weight: float
    pattern: re.Pattern[str]
    en: str
    zh: str


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


_CONFORMITY = _words(
    r"conformity assessment",
    r"type[- ]approval",
    r"\bcertificat",
    r"\bregistration\b",
    r"合格评定",
    r"符合性评[定估]",
    r"认证",
    r"型式核准",
    r"法定检验",
    r"检验要求",
)
_MANDATORY = _words(
    r"\bmandatory\b",
    r"\bcompulsory\b",
    r"technical regulation",
    r"\bregulations?\b",
    r"\bdecree\b",
    r"\bordinance\b",
    r"\bact\b",
    r"\bshall\b",
    r"energy conservation",
    r"minimum energy performance",
    r"强制",
    r"技术法规",
    r"法规",
    r"法令",
    r"条例",
    r"法案",
    r"命令",
    r"必须",
    r"应当",
    r"能源节约",
    r"能效",
)
_VOLUNTARY = _words(r"\bstandard\b", r"\bspecification\b", r"标准", r"规范")

CUES: tuple[_Cue, ...] = (
    _Cue(
        "ban",
        0.25,
        _words(r"\bban(s|ned|ning)?\b", r"prohibit", r"forbid", r"禁止", r"禁令", r"不得进口"),
        "bans or prohibits products",
        "禁止相关产品",
    ),
    _Cue(
        "limits",
        0.15,
        _words(
            r"lower(s|ed|ing)? (the )?(maximum |permitted )?limit",
            r"reduc\w* (the )?(maximum|permitted|limit)",
            r"maximum residue limit",
            r"\bMRLs?\b",
            r"降低\S{0,12}(限量|限值|含量)",
            r"最大残留限量",
            r"残留限量",
            r"限量",
            r"限值",
        ),
        "sets or lowers limits",
        "设定或降低限量",
    ),
    _Cue(
        "certification",
        0.15,
        _words(r"\bcertificat", r"conformity assessment", r"认证", r"合格评定", r"符合性评[定估]"),
        "new certification or conformity assessment",
        "新的认证或合格评定要求",
    ),
    _Cue(
        "labelling",
        0.1,
        _words(r"\blabel", r"\bmarking\b", r"标签", r"标识", r"标志", r"标示"),
        "new labelling duties",
        "新的标签要求",
    ),
)

_OBJECTIVES = _words(
    r"health",
    r"safety",
    r"environment",
    r"健康",
    r"安全",
    r"环境",
    r"生态",
)


def _text(n: Notification) -> str:
    return " ".join((n.notification_type, n.title, n.description, n.products))


def measure_kind(n: Notification) -> str:
    """``correction``, ``conformity``, ``mandatory``, ``voluntary`` or ``unknown``."""
    last = n.symbols[0].follow_ups[-1][0] if n.symbols and n.symbols[0].follow_ups else None
    if last is FollowUpKind.CORRIGENDUM or "corrigendum" in n.notification_type.casefold():
        return "correction"
    text = _text(n)
    if _CONFORMITY.search(text):
        return "conformity"
    if _MANDATORY.search(text):
        return "mandatory"
    # SPS measures are binding even when their wording does not say so.
    if n.area == "SPS":
        return "mandatory"
    if _VOLUNTARY.search(text):
        return "voluntary"
    return "unknown"


_KIND_REASONS = {
    "correction": ("only corrects an earlier notification", "仅为对先前通报的更正"),
    "conformity": ("new mandatory conformity assessment", "新的强制性合格评定程序"),
    "mandatory": ("new mandatory regulation", "新的强制性技术法规"),
    "voluntary": ("voluntary standard", "自愿性标准"),
    "unknown": ("kind of measure not stated", "措施类型未说明"),
}


def assess_severity(n: Notification) -> Factor:
    """The severity factor of one document read on its own.

    A corrigendum scores low whatever it mentions; otherwise the kind of
    measure sets the base and each aggravating cue adds its weight.
    """
    kind = measure_kind(n)
    en, zh = _KIND_REASONS[kind]
    if kind == "correction":
        return Factor(KIND_SCORES[kind], (Reason("severity", en, zh),))
    text = _text(n)
    score = KIND_SCORES[kind]
    cues = [c for c in CUES if c.pattern.search(text)]
    # "new certification" restates the conformity-assessment kind: count it once.
    if kind == "conformity":
        cues = [c for c in cues if c.code != "certification"]
    score += sum(c.weight for c in cues)
    if cues:
        en += "; " + ", ".join(c.en for c in cues)
        zh += "；" + "、".join(c.zh for c in cues)
    reasons = [Reason("severity", en, zh)]
    objectives = " ".join(n.objectives)
    if _OBJECTIVES.search(objectives):
        score += 0.1
        reasons.append(
            Reason("objective", "aims at health, safety or the environment", "目的涉及健康、安全或环境")
        )
    return Factor(clamp(score), tuple(reasons))
