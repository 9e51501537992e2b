"""Rendering digests to text and HTML with jinja2 (HTML autoescaped)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup

from notifications.digest import LEVEL_COLOURS, Digest, MatchedCode, NotificationView, level_name
from warning.safe_text import strip_controls
from warning.symbols import reference
from warning.types import Level

#: Stands for a contact's signed page link in a brief line rendered once for
#: every reader (plain letters: the same in text and escaped HTML).
PAGE_URL_MARK = "tbtwarnPAGEURLmark"

#: Texts with a count have a ``_one`` and a ``_many`` form (see :func:`counted`);
#: Chinese has one form for both.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject_one": "TBT early warning: 1 foreign measure concerning your products",
        "subject_many": "TBT early warning: {n} foreign measures concerning your products",
        "subject_red": "URGENT TBT warning (red): {title}",
        "subject_raised": "TBT warning raised from {before} to {level}: {title}",
        "raised": "{level} (raised from {before})",
        "greeting": "Dear {name},",
        "intro": (
            "These foreign technical measures notified to the WTO concern the products and markets "
            "you follow. Most urgent first: open comment periods by the date your comments must "
            "reach the national enquiry point, then the others."
        ),
        "level": "Warning level",
        "why": "Why this concerns you",
        "member": "Notified by",
        "products": "Products covered",
        "codes": "Products of the measure",
        "deadline": "WTO comment deadline",
        "description": "Summary",
        "original_on_page": "original on the notification page",
        "enquiry": "Send comments to the national enquiry point by",
        "enquiry_passed": "the enquiry point's date has passed: contact it today",
        "days_left_one": "1 day left",
        "days_left_many": "{n} days left",
        "today": "today",
        "closed": "closed",
        "no_deadline": "not given",
        "link": "Open the notification page",
        "relevant": "Relevant to us",
        "not_relevant": "Not relevant",
        "feedback": "Is this relevant to you?",
        "unsubscribe": "Unsubscribe",
        "all_alerts": "All your alerts",
        "settings": "Subscription settings",
        "footer": "Sent by the TBT early-warning service of {zone}.",
        "intro_brief_one": "The most urgent of these {total} is shown in full;",
        "intro_brief_many": "The {n} most urgent of these {total} are shown in full;",
        "intro_rest_one": "1 more is listed briefly at the end.",
        "intro_rest_many": "{n} more are listed briefly at the end.",
        "intro_unlisted_one": "The least urgent one is on your alerts page only.",
        "intro_unlisted_many": "The {n} least urgent are on your alerts page only.",
        "brief_one": "1 more measure concerning your products, in brief (details on its notification page)",
        "brief_many": (
            "{n} more measures concerning your products, in brief (details on each notification page)"
        ),
        "unlisted_one": "… and 1 more, less urgent: every alert sent to you is on your alerts page",
        "unlisted_many": "… and {n} more, less urgent: every alert sent to you is on your alerts page",
        "expert_note": "Expert reading ({office})",
        "stc": "Raised as specific trade concern {number} at the WTO TBT Committee",
    },
    "zh": {
        "subject_one": "TBT预警：{n} 项涉及贵企业产品的国外技术性贸易措施",
        "subject_many": "TBT预警：{n} 项涉及贵企业产品的国外技术性贸易措施",
        "subject_red": "【红色预警】{title}",
        "subject_raised": "【预警升级：{before}→{level}】{title}",
        "raised": "{level}（由{before}升级）",
        "greeting": "{name}：",
        "intro": (
            "以下向WTO通报的国外技术性贸易措施涉及贵企业关注的产品和市场，按紧急程度排列："
            "评议期未结束的按评议意见须送达国家咨询点的日期排在前，其余在后。"
        ),
        "level": "预警等级",
        "why": "与贵企业的关系",
        "member": "通报成员",
        "products": "涉及产品",
        "codes": "措施涉及的产品",
        "deadline": "WTO评议截止日期",
        "description": "内容摘要",
        "original_on_page": "原文见通报详情页",
        "enquiry": "请于此日期前向国家TBT咨询点提交评议意见",
        "enquiry_passed": "咨询点日期已过，请今天联系咨询点",
        "days_left_one": "剩余 {n} 天",
        "days_left_many": "剩余 {n} 天",
        "today": "今天",
        "closed": "已截止",
        "no_deadline": "未注明",
        "link": "查看通报详情",
        "relevant": "与我司相关",
        "not_relevant": "与我司无关",
        "feedback": "此预警是否与贵企业相关？",
        "unsubscribe": "退订",
        "all_alerts": "全部预警",
        "settings": "订阅设置",
        "footer": "本邮件由{zone}技术性贸易措施预警服务发送。",
        "intro_brief_one": "以下{total}项中最紧急的1项详细列出，",
        "intro_brief_many": "以下{total}项中最紧急的{n}项详细列出，",
        "intro_rest_one": "另有{n}项在文末简要列出。",
        "intro_rest_many": "另有{n}项在文末简要列出。",
        "intro_unlisted_one": "紧急程度最低的{n}项请在预警页面查看。",
        "intro_unlisted_many": "紧急程度最低的{n}项请在预警页面查看。",
        "brief_one": "另有{n}项涉及贵企业产品的措施，简列如下（详情见通报页面）",
        "brief_many": "另有{n}项涉及贵企业产品的措施，简列如下（详情见各通报页面）",
        "unlisted_one": "……另有{n}项紧急程度较低的措施：发给贵企业的全部预警均可在预警页面查看",
        "unlisted_many": "……另有{n}项紧急程度较低的措施：发给贵企业的全部预警均可在预警页面查看",
        "expert_note": "专家解读（{office}）",
        "stc": "已在WTO TBT委员会作为特别贸易关注 {number} 提出",
    },
}


def counted(language: str, key: str, n: int, **values: object) -> str:
    """The text ``key`` for a count ``n``: its ``_one`` form for 1, else ``_many``."""
    return TEXTS[language][f"{key}_{'one' if n == 1 else 'many'}"].format(n=n, **values)


def days_left(language: str, n: int) -> str:
    """ "3 days left", "1 day left"."""
    return counted(language, "days_left", n)


def _helpers(language: str) -> dict[str, Any]:
    return {"t": TEXTS[language], "days": lambda n: days_left(language, n)}


@cache
def environment() -> Environment:
    """The jinja2 environment; every template is autoescaped except ``.txt``."""
    env = Environment(
        loader=PackageLoader("notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["reference"] = reference  # a stored key as people read it
    return env


@cache
def template(name: str) -> Template:
    return environment().get_template(name)


def subject(digest: Digest) -> str:
    """The subject line; a single red alert sent at once names the measure."""
    texts = TEXTS[digest.language]
    if digest.frequency == "immediate" and digest.count == 1 and digest.items:
        item = digest.items[0]
        # Subjects are one line: feed text may hold newlines, and control
        # characters (\x01, ESC) that garble a mail client's list or a terminal.
        title = " ".join(strip_controls(item.n.title).split())[:120]
        if item.raised_from is not None:
            level = level_name(item.level, digest.language)
            return texts["subject_raised"].format(before=item.raised_from, level=level, title=title)
        return texts["subject_red"].format(title=title)
    return counted(digest.language, "subject", digest.count)


def render(name: str, context: dict[str, Any]) -> str:
    return template(name).render(context)


def render_item_head(n: NotificationView, language: str) -> tuple[str, Markup]:
    """The text and (escaped, safe) HTML of the part of an item that is the same
    for every reader of one language; rendered once per notification and reused."""
    context = {"n": n, **_helpers(language)}
    return render("item_head.txt", context).rstrip("\n"), Markup(render("item_head.html", context))


def render_codes(codes: Sequence[MatchedCode], language: str) -> tuple[str, Markup]:
    """The text and (escaped, safe) HTML of an item's matched codes: the same in
    every item of an exporter that matches the same codes, so rendered once per run."""
    context = {"codes": codes, "language": language, **_helpers(language)}
    return render("item_codes.txt", context), Markup(render("item_codes.html", context))


#: Characters of a title shown in a brief line.
BRIEF_TITLE_CHARS = 110


def render_brief(n: NotificationView, level: Level, language: str) -> tuple[str, Markup]:
    """The text and (escaped, safe) HTML of an alert listed in one line: the
    same for every reader of one language at one level, so rendered once per run."""
    title = " ".join(n.title.split())
    if len(title) > BRIEF_TITLE_CHARS:
        title = title[: BRIEF_TITLE_CHARS - 1].rstrip() + "…"
    context = {
        "n": n,
        **_helpers(language),
        "url": PAGE_URL_MARK,
        "title": title,
        "label": level_name(level, language),
        "colour": LEVEL_COLOURS[level],
    }
    # A template's last newline is dropped: each line ends with one here.
    return render("item_brief.txt", context) + "\n", Markup(render("item_brief.html", context))


def intro(digest: Digest) -> dict[str, str]:
    """The counted sentences of a digest: what is in full, in brief, and on the alerts page only."""
    lang = digest.language
    shown = digest.count - digest.brief_count - digest.unlisted
    parts = {"brief": "", "unlisted": "", "brief_head": "", "unlisted_link": ""}
    if digest.brief_count:
        parts["brief"] = (
            counted(lang, "intro_brief", shown, total=digest.count)
            + ("" if lang == "zh" else " ")  # Chinese sentences need no space between them
            + counted(lang, "intro_rest", digest.brief_count)
        )
        parts["brief_head"] = counted(lang, "brief", digest.brief_count)
    if digest.unlisted:
        parts["unlisted"] = counted(lang, "intro_unlisted", digest.unlisted)
        parts["unlisted_link"] = counted(lang, "unlisted", digest.unlisted)
    return parts


def render_digest(digest: Digest) -> tuple[str, str]:
    """The plain-text and HTML bodies of a digest."""
    context = {"d": digest, **_helpers(digest.language), "subject": subject(digest), "intro": intro(digest)}
    return render("digest.txt", context), render("digest.html", context)
