"""Severity from wording (English and Chinese) and what follow-ups do to a measure."""

from __future__ import annotations

import pytest

from warning.levels.severity import assess_severity, measure_kind
from warning.levels.threads import (
    follow_up_event,
    group_threads,
    measure_severity,
    measure_urgency,
    thread_key,
)
from warning.symbols import parse_symbols
from warning.types import Factor, Notification, Reason


def note(
    symbol: str, title: str, description: str = "", objectives: tuple[str, ...] = (), area: str = "TBT"
) -> Notification:
    symbols = parse_symbols([symbol])
    return Notification(
        key=symbols[0].text,
        symbols=symbols,
        area="SPS" if area == "SPS" else "TBT",
        member_codes=("KEN",),
        member_name="Kenya",
        notification_type="Regular notification",
        title=title,
        description=description,
        objectives=objectives,
    )


@pytest.mark.parametrize(
    ("title", "description", "kind", "cues"),
    [
        ("Draft East Africa Standard: mosquito repellent wipes", "specifies requirements", "voluntary", []),
        ("卢旺达标准DEAS 948:2022果汁——规范", "本东非标准草案规定了要求", "voluntary", []),
        ("Technical regulation on lubricating oils", "suppliers shall comply", "mandatory", []),
        ("强制性执行轮胎国家标准的法令草案", "", "mandatory", []),
        ("Conformity assessment procedure for toys", "", "conformity", []),
        ("头戴式耳机的法律要求提案", "两种可供选择的合格评定程序，即产品认证注册", "conformity", []),
        ("Regulation banning single-use plastics", "sale is prohibited", "mandatory", ["bans"]),
        ("二手轮胎进口的商业部通告", "规定如下二手轮胎属禁止进口产品", "unknown", ["bans"]),
        ("Mercury regulations", "lowers the permitted limit of mercury", "mandatory", ["limits"]),
        ("修订条例", "降低了含汞量限制限值", "mandatory", ["limits"]),
        ("Regulation on labelling of cosmetics", "new labelling requirements", "mandatory", ["labelling"]),
        ("《卫生用品标签标准》修订", "制定条例，设定最低标签标准", "mandatory", ["labelling"]),
    ],
)
def test_kind_and_cues(title: str, description: str, kind: str, cues: list[str]) -> None:
    n = note("G/TBT/N/KEN/1", title, description)
    assert measure_kind(n) == kind
    factor = assess_severity(n)
    for cue in cues:
        assert cue in factor.reasons[0].en
    assert factor.reasons[0].zh  # said in Chinese too


def test_severity_order() -> None:
    corr = assess_severity(note("G/TBT/N/KEN/1/Corr.1", "Technical regulation banning lead", "prohibited"))
    voluntary = assess_severity(note("G/TBT/N/KEN/1", "Draft Kenya Standard for jelly"))
    mandatory = assess_severity(note("G/TBT/N/KEN/1", "Technical regulation for jelly"))
    conformity = assess_severity(note("G/TBT/N/KEN/1", "Conformity assessment for jelly"))
    ban = assess_severity(note("G/TBT/N/KEN/1", "Technical regulation banning jelly"))
    assert corr.score < voluntary.score < mandatory.score < conformity.score
    assert mandatory.score < ban.score
    assert corr.reasons[0].en == "only corrects an earlier notification"
    health = assess_severity(
        note("G/TBT/N/KEN/1", "Technical regulation", objectives=("保护人类健康或安全",))
    )
    assert health.score > mandatory.score and "health" in health.reasons[-1].en
    sps = assess_severity(note("G/SPS/N/KEN/1", "Fermented milks", area="SPS"))
    assert "mandatory" in sps.reasons[0].en


@pytest.mark.parametrize(
    ("symbol", "text", "event"),
    [
        ("G/TBT/N/KEN/1307", "anything", None),
        (
            "G/TBT/N/KEN/1307/Add.1",
            "KS 2975 notified in G/TBT/N/KEN/1307 was adopted on 9th June 2023",
            "adopted",
        ),
        ("G/TBT/N/CAN/687/Add.1", "拟议修改内容已于2024年6月19日获得通过并公布", "adopted"),
        ("G/TBT/N/JPN/630/Add.1", "修正案于2020年4月28日发布，并于2020年6月1日生效", "in_force"),
        ("G/TBT/N/USA/1/Add.2", "The final rule enters into force on 1 May", "in_force"),
        ("G/TBT/N/USA/798/Add.1", "美国能源部撤销2013年公布的法规提案", "withdrawn"),
        ("G/TBT/N/EGY/232/Add.3", "该法令给予生产商和进口商为期6个月的过渡期", "relaxed"),
        ("G/TBT/N/BRA/165/Corr.1", "anything", "corrected"),
        ("G/TBT/N/PHL/196/Rev.1", "anything", "revised"),
        ("G/TBT/N/KEN/9/Add.1", "the comment period remains open", "other"),
    ],
)
def test_follow_up_event(symbol: str, text: str, event: str | None) -> None:
    found = follow_up_event(note(symbol, "t", text))
    assert (found.value if found else None) == event


BASE = note("G/TBT/N/KEN/1307", "Draft Kenya Standard: edible ices")
ADOPTED = note("G/TBT/N/KEN/1307/Add.1", "Adoption", "KS 2975 was adopted on 9 June 2023")
IN_FORCE = note("G/TBT/N/KEN/1307/Add.2", "Entry into force", "KS 2975 enters into force on 1 July")
WITHDRAWN = note("G/TBT/N/KEN/1307/Add.3", "Withdrawal", "Kenya has withdrawn the standard")
CORR = note("G/TBT/N/KEN/1307/Corr.1", "Corrigendum", "the title should read")
EASED = note("G/TBT/N/KEN/1307/Add.4", "Extension", "the transition period is extended by 6 months")


def test_threads_group_follow_ups_with_their_base() -> None:
    threads = group_threads([(3, CORR), (2, ADOPTED), (1, BASE), (9, note("G/TBT/N/UGA/5", "other"))])
    assert [t.key for t in threads] == ["G/TBT/N/KEN/1307", "G/TBT/N/UGA/5"]
    assert [i for i, _ in threads[0].members] == [1, 2, 3]  # the base first
    assert thread_key(ADOPTED) == thread_key(BASE) == "G/TBT/N/KEN/1307"


@pytest.mark.parametrize(
    ("documents", "compare", "why"),
    [
        ([BASE, ADOPTED], "higher", "adopted"),
        ([BASE, IN_FORCE], "higher", "in force"),
        ([BASE, EASED], "lower", "eased"),
        ([BASE, CORR], "same", "corrected by G/TBT/N/KEN/1307/Corr.1"),
        ([BASE, ADOPTED, WITHDRAWN], "zero", "withdrawn"),
    ],
)
def test_follow_ups_move_the_measure_severity(documents: list[Notification], compare: str, why: str) -> None:
    base, _ = measure_severity([BASE])
    moved, event = measure_severity(documents)
    assert event is follow_up_event(documents[-1])
    assert why in " ".join(r.en for r in moved.reasons)
    if compare == "higher":
        assert moved.score > base.score
    elif compare == "lower":
        assert moved.score < base.score
    elif compare == "same":
        assert moved.score == base.score
    else:
        assert moved.score == 0.0


def test_a_lone_corrigendum_scores_below_its_measure() -> None:
    lone, _ = measure_severity(
        [note("G/TBT/N/KEN/1307/Corr.1", "Technical regulation banning lead", "banned")]
    )
    full, _ = measure_severity([note("G/TBT/N/KEN/1307", "Technical regulation banning lead", "banned")])
    assert lone.score < full.score


def test_adoption_makes_a_measure_urgent() -> None:
    calm = Factor(0.1, (Reason("urgency", "comment period closed on 2023-08-25", "x"),))
    assert measure_urgency([BASE], calm) == calm
    adopted = measure_urgency([BASE, ADOPTED], calm)
    assert adopted.score == 0.6 and "compliance will be required" in adopted.reasons[-1].en
    assert measure_urgency([BASE, IN_FORCE], calm).score == 0.8
    assert measure_urgency([BASE, EASED], Factor(0.5)).score == pytest.approx(0.3)
