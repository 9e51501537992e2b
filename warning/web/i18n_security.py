"""Interface texts of sign-in links and input limits (issue 14), merged into
:data:`warning.web.i18n.CATALOGUE`."""

from __future__ import annotations

SECURITY_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "exporter_signin_confirm": "Sign in as {email}?",
        "exporter_signin_once": "This link works once: after you sign in, it cannot be used again.",
        "exporter_signin_button": "Sign in",
        "exporter_link_used": (
            "This sign-in link has already been used. Ask for a new one at /exporter/login."
        ),
        "exporter_link_expired": "This sign-in link has expired. Ask for a new one at /exporter/login.",
        "exporter_link_invalid": "This sign-in link is not valid. Ask for a new one at /exporter/login.",
        "rule_too_many_phrases": (
            "A rule may have at most {max} phrases; this one has {n}. Split it into several rules."
        ),
        "rule_too_many_exclusions": (
            "A rule may have at most {max} exclusions; this one has {n}. Split it into several rules."
        ),
        "rule_phrase_too_long": "A phrase may have at most {max} characters: {phrase}…",
    },
    "zh": {
        "exporter_signin_confirm": "以 {email} 登录？",
        "exporter_signin_once": "此链接仅可使用一次：登录后即失效。",
        "exporter_signin_button": "登录",
        "exporter_link_used": "此登录链接已使用过，请在 /exporter/login 重新获取。",
        "exporter_link_expired": "此登录链接已过期，请在 /exporter/login 重新获取。",
        "exporter_link_invalid": "此登录链接无效，请在 /exporter/login 重新获取。",
        "rule_too_many_phrases": "每条规则最多 {max} 个短语，此规则有 {n} 个。请拆分为多条规则。",
        "rule_too_many_exclusions": "每条规则最多 {max} 个排除词，此规则有 {n} 个。请拆分为多条规则。",
        "rule_phrase_too_long": "短语最多 {max} 个字符：{phrase}…",
    },
}
