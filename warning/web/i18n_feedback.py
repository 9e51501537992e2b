"""Texts of the page an email's feedback link opens, merged into :data:`warning.web.i18n.CATALOGUE`."""

from __future__ import annotations

FEEDBACK_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "feedback_confirm_title": "Your answer about this alert",
        "feedback_confirm_relevant": "Press the button to record that this alert is relevant to you.",
        "feedback_confirm_not_relevant": "Press the button to record that this alert is not relevant to you.",
        "feedback_record_relevant": "Record: relevant",
        "feedback_record_not_relevant": "Record: not relevant",
        "feedback_why_button": (
            "We ask for this click because mail security scanners open every link in an email: "
            "opening the link alone records nothing."
        ),
    },
    "zh": {
        "feedback_confirm_title": "您对该预警的回答",
        "feedback_confirm_relevant": "请点击按钮，记录该预警与您相关。",
        "feedback_confirm_not_relevant": "请点击按钮，记录该预警与您无关。",
        "feedback_record_relevant": "记录：相关",
        "feedback_record_not_relevant": "记录：无关",
        "feedback_why_button": (
            "邮件安全扫描程序会打开邮件中的每个链接，因此仅打开链接不会记录任何内容，需要您点击确认。"
        ),
    },
}
