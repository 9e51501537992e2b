"""Rendering digests to text and HTML with jinja2 (HTML autoescaped)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.digest import Digest

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "TBT early warning: {n} new foreign measure(s) concerning your products",
        "greeting": "Dear {name},",
        "intro": (
            "These foreign technical measures notified to the WTO concern "
            "the products and markets in your export register."
        ),
        "member": "Member",
        "products": "Products",
        "codes": "Your products concerned",
        "deadline": "Comment deadline",
        "days_left": "{n} days left",
        "closed": "closed",
        "no_deadline": "not given",
        "link": "Notification",
        "footer": "Sent by the TBT early-warning service of {zone}.",
    },
    "zh": {
        "subject": "TBT预警：{n} 项涉及贵企业产品的国外技术性贸易措施",
        "greeting": "{name}：",
        "intro": "以下向WTO通报的国外技术性贸易措施涉及贵企业出口登记中的产品和市场。",
        "member": "通报成员",
        "products": "涉及产品",
        "codes": "贵企业相关产品",
        "deadline": "评议截止日期",
        "days_left": "剩余 {n} 天",
        "closed": "已截止",
        "no_deadline": "未注明",
        "link": "通报原文",
        "footer": "本邮件由{zone}技术性贸易措施预警服务发送。",
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


def subject(digest: Digest) -> str:
    return TEXTS[digest.language]["subject"].format(n=len(digest.items))


def render_digest(digest: Digest) -> tuple[str, str]:
    """The plain-text and HTML bodies of a digest."""
    env = environment()
    context = {"d": digest, "t": TEXTS[digest.language]}
    return (
        env.get_template("digest.txt").render(context),
        env.get_template("digest.html").render(context),
    )
