"""Rendering digests to text and HTML with jinja2 (HTML autoescaped)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup

from notifications.digest import LEVEL_COLOURS, Digest, MatchedCode, NotificationView, level_name
from warning.safe_text import strip_controls
from warning.types import Level

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "TBT early warning: {n} foreign measure(s) concerning your products",
        "subject_red": "URGENT TBT warning (red): {title}",
        "subject_raised": "TBT warning raised from {before} to {level}: {title}",
        "raised": "{level} (raised from {before})",
        "greeting": "Dear {name},",
        "intro": (
            "These foreign technical measures notified to the WTO concern "
            "the products and markets you follow. Most urgent first."
        ),
        "level": "Warning level",
        "why": "Why",
        "member": "Member",
        "products": "Products",
        "codes": "Your products concerned",
        "deadline": "Comment deadline",
        "enquiry": "Send comments to the national enquiry point by",
        "days_left": "{n} days left",
        "closed": "closed",
        "no_deadline": "not given",
        "link": "Notification page",
        "documents": "Documents",
        "relevant": "Relevant to us",
        "not_relevant": "Not relevant",
        "feedback": "Is this relevant to you?",
        "unsubscribe": "Unsubscribe",
        "footer": "Sent by the TBT early-warning service of {zone}.",
        "intro_brief": (
            "The {shown} most urgent of these {n} are shown in full; "
            "{rest} more are listed briefly at the end."
        ),
        "intro_unlisted": "The {n} least urgent are on your alerts page only.",
        "brief": "{n} more measures concerning your products, in brief (details on each notification page)",
        "unlisted": "… and {n} more, less urgent: every alert sent to you is on your alerts page",
    },
    "zh": {
        "subject": "TBT预警：{n} 项涉及贵企业产品的国外技术性贸易措施",
        "subject_red": "【红色预警】{title}",
        "subject_raised": "【预警升级：{before}→{level}】{title}",
        "raised": "{level}（由{before}升级）",
        "greeting": "{name}：",
        "intro": "以下向WTO通报的国外技术性贸易措施涉及贵企业关注的产品和市场，按紧急程度排列。",
        "level": "预警等级",
        "why": "原因",
        "member": "通报成员",
        "products": "涉及产品",
        "codes": "贵企业相关产品",
        "deadline": "评议截止日期",
        "enquiry": "请于此日期前向国家TBT咨询点提交评议意见",
        "days_left": "剩余 {n} 天",
        "closed": "已截止",
        "no_deadline": "未注明",
        "link": "通报详情",
        "documents": "通报文件",
        "relevant": "与我司相关",
        "not_relevant": "与我司无关",
        "feedback": "此预警是否与贵企业相关？",
        "unsubscribe": "退订",
        "footer": "本邮件由{zone}技术性贸易措施预警服务发送。",
        "intro_brief": "以下{n}项中最紧急的{shown}项详细列出，另有{rest}项在文末简要列出。",
        "intro_unlisted": "紧急程度最低的{n}项请在预警页面查看。",
        "brief": "另有{n}项涉及贵企业产品的措施，简列如下（详情见各通报页面）",
        "unlisted": "……另有{n}项紧急程度较低的措施：发给贵企业的全部预警均可在预警页面查看",
    },
}


@cache
def environment() -> Environment:
    """The jinja2 environment; every template is autoescaped except ``.txt``."""
    return Environment(
        loader=PackageLoader("notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def template(name: str) -> Template:
    return environment().get_template(name)


def subject(digest: Digest) -> str:
    """The subject line; a single red alert sent at once names the measure."""
    texts = TEXTS[digest.language]
    if digest.frequency == "immediate" and digest.count == 1:
        item = digest.groups[0].markets[0].items[0]
        # Subjects are one line: feed text may hold newlines, and control
        # characters (\x01, ESC) that garble a mail client's list or a terminal.
        title = " ".join(strip_controls(item.n.title).split())[:120]
        if item.raised_from is not None:
            level = level_name(item.level, digest.language)
            return texts["subject_raised"].format(before=item.raised_from, level=level, title=title)
        return texts["subject_red"].format(title=title)
    return texts["subject"].format(n=digest.count)


def render(name: str, context: dict[str, Any]) -> str:
    return template(name).render(context)


def render_item_head(n: NotificationView, language: str) -> tuple[str, Markup]:
    """The text and (escaped, safe) HTML of the part of an item that is the same
    for every reader of one language; rendered once per notification and reused."""
    context = {"n": n, "t": TEXTS[language]}
    return render("item_head.txt", context).rstrip("\n"), Markup(render("item_head.html", context))


def render_codes(codes: Sequence[MatchedCode], language: str) -> tuple[str, Markup]:
    """The text and (escaped, safe) HTML of an item's matched codes: the same in
    every item of an exporter that matches the same codes, so rendered once per run."""
    context = {"codes": codes, "language": language, "t": TEXTS[language]}
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
        "t": TEXTS[language],
        "title": title,
        "label": level_name(level, language),
        "colour": LEVEL_COLOURS[level],
    }
    # A template's last newline is dropped: each line ends with one here.
    return render("item_brief.txt", context) + "\n", Markup(render("item_brief.html", context))


def render_digest(digest: Digest) -> tuple[str, str]:
    """The plain-text and HTML bodies of a digest."""
    context = {"d": digest, "t": TEXTS[digest.language], "subject": subject(digest)}
    return render("digest.txt", context), render("digest.html", context)
