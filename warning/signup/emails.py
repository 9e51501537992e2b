"""The emails of a sign-up: verify your address, welcome, please change, rejected.

Each is in the applicant's language, leads with what to do (or what was
decided), and goes through the outbox like every other email. The link
emails carry a nonce in their idempotency key: asking twice sends twice.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.message import build_message, message_id_for
from warning.runtime import Runtime
from warning.signup.pickers import market_name, product_index
from warning.storage.outbox import enqueue
from warning.types import Application

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "verify_subject": "Confirm your email to finish your TBT alerts application",
        "verify_body": (
            "Follow this link to confirm your email address; officials review your application after that "
            "(the link works once, for {hours} hours):\n{url}\n\n"
            "Company: {company} (credit code {code}).\nIf you did not apply, ignore this email: "
            "nothing is kept after {hours} hours."
        ),
        "welcome_subject": "Welcome to TBT alerts: {company} is registered",
        "welcome_body": (
            "{company} is now in the zone's export register. What to expect:\n"
            "- a {frequency} email when WTO members notify technical regulations or SPS measures on your "
            "products ({products}) in your markets ({markets});\n"
            "- each alert says how urgent it is (red, orange, yellow, blue) and by when comments are due.\n\n"
            "Change your products, markets, minimum level or frequency at {login} "
            "(we email you a sign-in link)."
        ),
        "changes_subject": "Your TBT alerts application needs changes",
        "changes_body": (
            "An official asks you to change your application for {company} before it can be approved:\n\n"
            "{note}\n\nEdit and resend it here (the link works for {days} days):\n{url}"
        ),
        "rejected_subject": "Your TBT alerts application was not approved",
        "rejected_body": (
            "Your application for {company} was not approved. The official's reason:\n\n{reason}\n\n"
            "You may apply again at {apply}."
        ),
        "daily": "daily",
        "weekly": "weekly",
        "immediate": "daily (red alerts at once)",
    },
    "zh": {
        "verify_subject": "请确认邮箱以完成TBT预警申请",
        "verify_body": (
            "请点击以下链接确认您的邮箱，之后由主管部门审核您的申请（链接仅可使用一次，{hours}小时内有效）：\n{url}\n\n"
            "企业：{company}（统一社会信用代码 {code}）。\n"
            "如非本人申请，请忽略此邮件：{hours}小时后不保留任何信息。"
        ),
        "welcome_subject": "欢迎使用TBT预警：{company}已登记",
        "welcome_body": (
            "{company}已列入本区出口企业名录。您将收到：\n"
            "- WTO成员就您的产品（{products}）在您的市场（{markets}）"
            "通报技术法规或SPS措施时，{frequency}邮件提醒；\n"
            "- 每条预警注明紧急程度（红、橙、黄、蓝）及评议截止日期。\n\n"
            "如需修改产品、市场、最低等级或频率，请访问 {login}（我们会发送登录链接）。"
        ),
        "changes_subject": "您的TBT预警申请需要修改",
        "changes_body": (
            "主管部门请您修改{company}的申请后再审批：\n\n{note}\n\n请在此修改并重新提交（链接{days}天内有效）：\n{url}"
        ),
        "rejected_subject": "您的TBT预警申请未获批准",
        "rejected_body": "{company}的申请未获批准。原因：\n\n{reason}\n\n您可在 {apply} 重新申请。",
        "daily": "每日",
        "weekly": "每周",
        "immediate": "每日（红色预警即时）",
    },
}


@dataclass(frozen=True)
class Email:
    kind: str
    subject: str
    text: str


def _html(text: str) -> str:
    """The text as HTML paragraphs, links clickable, everything escaped."""
    parts = []
    for paragraph in text.split("\n\n"):
        lines = []
        for line in paragraph.split("\n"):
            escaped = html.escape(line, quote=True)
            if line.startswith(("http://", "https://")):
                escaped = f'<a href="{escaped}">{escaped}</a>'
            lines.append(escaped)
        parts.append("<p>" + "<br>".join(lines) + "</p>")
    return "\n".join(parts)


def _texts(a: Application) -> dict[str, str]:
    return TEXTS["zh" if a.language == "zh" else "en"]


def company(a: Application) -> str:
    return a.company_zh if a.language == "zh" or not a.company_en else a.company_en


def verify_email(a: Application, url: str, hours: int) -> Email:
    t = _texts(a)
    body = t["verify_body"].format(url=url, hours=hours, company=company(a), code=a.credit_code)
    return Email("signup-verify", t["verify_subject"], body)


def welcome_email(a: Application, base_url: str, frequency: str) -> Email:
    t = _texts(a)
    joiner = "、" if a.language == "zh" else ", "
    index = product_index()
    products = joiner.join(f"{c} {index.name(c, a.language)[:40]}" for c in a.hs_codes)
    markets = joiner.join(market_name(m, a.language) for m in a.markets)
    body = t["welcome_body"].format(
        company=company(a),
        frequency=t[frequency],
        products=products,
        markets=markets,
        login=f"{base_url}/exporter/login",
    )
    return Email("signup-welcome", t["welcome_subject"].format(company=company(a)), body)


def changes_email(a: Application, note: str, url: str, days: int) -> Email:
    t = _texts(a)
    body = t["changes_body"].format(company=company(a), note=note, url=url, days=days)
    return Email("signup-changes", t["changes_subject"], body)


def rejected_email(a: Application, reason: str, base_url: str) -> Email:
    t = _texts(a)
    body = t["rejected_body"].format(company=company(a), reason=reason, apply=f"{base_url}/exporter/apply")
    return Email("signup-rejected", t["rejected_subject"], body)


async def queue_email(
    conn: AsyncConnection, rt: Runtime, recipient: str, email: Email, exporter_id: int | None = None
) -> None:
    """Put ``email`` in the outbox (in the caller's transaction)."""
    key = f"{email.kind}:{recipient}:{rt.now().isoformat()}:{secrets.token_hex(8)}"
    sender = rt.config.delivery.sender
    message = build_message(
        sender=sender,
        recipient=recipient,
        subject=email.subject,
        text=email.text + "\n",
        html=_html(email.text),
        now=rt.now(),
        message_key=key,
    )
    await enqueue(
        conn,
        idempotency_key=key,
        recipient=recipient,
        kind=email.kind,
        subject=email.subject,
        message=message,
        exporter_id=exporter_id,
        now=rt.now(),
        message_id=message_id_for(key, sender),
    )
