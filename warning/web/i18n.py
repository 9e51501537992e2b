"""The interface in English and Chinese: one catalogue, the language per request.

The language is the ``tbtwarn_lang`` cookie when the user chose one, else the
best of ``Accept-Language``, else English. Templates call ``t("key")``;
a key missing from a catalogue is an error at test time (``StrictUndefined``
does not cover dict look-ups, so :func:`translate` raises ``KeyError``).
"""

from __future__ import annotations

from typing import Final

from warning.types import LEVEL_NAMES_ZH

LANGUAGES: Final = ("en", "zh")
LANG_COOKIE: Final = "tbtwarn_lang"

CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "app_name": "TBT early warning",
        "nav_dashboard": "Dashboard",
        "nav_notifications": "Notifications",
        "nav_sources": "Sources",
        "nav_quarantine": "Quarantine",
        "nav_outbox": "Outbox",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "email": "Email",
        "password": "Password",
        "login_failed": "Wrong email or password.",
        "login_limited": "Too many failed sign-ins. Try again in a few minutes.",
        "signed_in_as": "Signed in as",
        "language": "Language",
        "week_of": "Week of {start} to {end}",
        "previous_week": "Previous week",
        "next_week": "Next week",
        "total_notified": "Notifications distributed this week",
        "by_level": "By warning level",
        "by_member": "By notifying member",
        "by_sector": "By sector",
        "upcoming_deadlines": "Comment deadlines in the next 30 days",
        "no_level": "no level",
        "nothing": "Nothing.",
        "filters": "Filters",
        "member": "Member",
        "sector": "Sector",
        "hs_prefix": "HS code prefix",
        "level": "Warning level",
        "level_or_graver": "this level or graver",
        "open_for_comments": "Open for comments",
        "date_from": "Distributed from",
        "date_to": "to",
        "search": "Search",
        "search_text": "Words in title, description or products",
        "apply": "Apply",
        "reset": "Reset",
        "any": "any",
        "results": "{n} notifications",
        "results_range": "notifications {first} to {last}",
        "results_more": "notifications {first} to {last}, more on the next page",
        "previous_page": "Previous",
        "next_page": "Next",
        "symbol": "Symbol",
        "title": "Title",
        "distributed": "Distributed",
        "deadline": "Comment deadline",
        "days_left": "{n} days left",
        "closed": "closed",
        "type": "Type",
        "description": "Description",
        "products": "Products",
        "links": "Links",
        "symbols": "Symbols",
        "hs_given": "HS codes given by the member",
        "ics_codes": "ICS codes",
        "objectives": "Objectives",
        "adoption": "Proposed adoption",
        "entry_into_force": "Proposed entry into force",
        "sources": "Sources",
        "first_seen": "First seen",
        "thread": "Measure thread (same base notification)",
        "matches": "Product matches",
        "hs_code": "HS code",
        "score": "Score",
        "method": "Method",
        "evidence": "Evidence",
        "reasons": "Reasons",
        "alerted": "Exporters alerted",
        "exporter": "Exporter",
        "delivery": "Email",
        "not_queued": "not yet queued",
        "source": "Source",
        "kind": "Kind",
        "last_success": "Last success",
        "last_error": "Last error",
        "failures": "Failures in a row",
        "never": "never",
        "healthy": "healthy",
        "failing": "failing",
        "position": "Position",
        "reason": "Reason",
        "raw_text": "Raw text",
        "when": "When",
        "status": "Status",
        "recipient": "Recipient",
        "subject": "Subject",
        "attempts": "Attempts",
        "error": "Error",
        "error_403": "You may not see this page.",
        "error_404": "Not found.",
        "error_400": "Bad request.",
        "error_other": "Something went wrong.",
        "bad_filter": "Filter not applied",
        "calendar": "Deadlines calendar (.ics)",
        "api": "JSON API",
    },
    "zh": {
        "app_name": "TBT预警",
        "nav_dashboard": "本周概览",
        "nav_notifications": "通报",
        "nav_sources": "数据源",
        "nav_quarantine": "隔离记录",
        "nav_outbox": "发件箱",
        "sign_in": "登录",
        "sign_out": "退出",
        "email": "电子邮箱",
        "password": "密码",
        "login_failed": "邮箱或密码错误。",
        "login_limited": "登录失败次数过多，请几分钟后再试。",
        "signed_in_as": "当前用户",
        "language": "语言",
        "week_of": "{start} 至 {end}",
        "previous_week": "上一周",
        "next_week": "下一周",
        "total_notified": "本周分发的通报",
        "by_level": "按预警等级",
        "by_member": "按通报成员",
        "by_sector": "按行业",
        "upcoming_deadlines": "未来30天的评议截止日期",
        "no_level": "无等级",
        "nothing": "无。",
        "filters": "筛选",
        "member": "通报成员",
        "sector": "行业",
        "hs_prefix": "HS编码前缀",
        "level": "预警等级",
        "level_or_graver": "该等级及以上",
        "open_for_comments": "评议期内",
        "date_from": "分发日期自",
        "date_to": "至",
        "search": "搜索",
        "search_text": "标题、描述或产品中的词语",
        "apply": "筛选",
        "reset": "重置",
        "any": "全部",
        "results": "共 {n} 项通报",
        "results_range": "第 {first} 至 {last} 项通报",
        "results_more": "第 {first} 至 {last} 项通报，下一页还有",
        "previous_page": "上一页",
        "next_page": "下一页",
        "symbol": "文号",
        "title": "标题",
        "distributed": "分发日期",
        "deadline": "评议截止日期",
        "days_left": "剩余 {n} 天",
        "closed": "已截止",
        "type": "类型",
        "description": "描述",
        "products": "涉及产品",
        "links": "链接",
        "symbols": "文号",
        "hs_given": "成员给出的HS编码",
        "ics_codes": "ICS编码",
        "objectives": "目的",
        "adoption": "拟批准日期",
        "entry_into_force": "拟生效日期",
        "sources": "来源",
        "first_seen": "首次收录",
        "thread": "措施脉络（同一基础通报）",
        "matches": "产品匹配",
        "hs_code": "HS编码",
        "score": "置信度",
        "method": "方法",
        "evidence": "依据",
        "reasons": "理由",
        "alerted": "已预警企业",
        "exporter": "企业",
        "delivery": "邮件",
        "not_queued": "尚未排队",
        "source": "数据源",
        "kind": "类型",
        "last_success": "最近成功",
        "last_error": "最近错误",
        "failures": "连续失败次数",
        "never": "从未",
        "healthy": "正常",
        "failing": "失败",
        "position": "位置",
        "reason": "原因",
        "raw_text": "原始文本",
        "when": "时间",
        "status": "状态",
        "recipient": "收件人",
        "subject": "主题",
        "attempts": "尝试次数",
        "error": "错误",
        "error_403": "您无权查看此页面。",
        "error_404": "未找到。",
        "error_400": "请求有误。",
        "error_other": "出错了。",
        "bad_filter": "筛选条件无效",
        "calendar": "截止日期日历（.ics）",
        "api": "JSON接口",
    },
}

LEVEL_NAMES: dict[str, dict[str, str]] = {
    "en": {"red": "red", "orange": "orange", "yellow": "yellow", "blue": "blue"},
    "zh": LEVEL_NAMES_ZH,
}


def translate(lang: str, key: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``values``.

    Raises:
        KeyError: the key is not in the catalogue.
    """
    text = CATALOGUE[lang if lang in CATALOGUE else "en"][key]
    return text.format(**values) if values else text


def negotiate(accept_language: str) -> str:
    """The supported language ``Accept-Language`` prefers; English if none."""
    best, best_q = "en", -1.0
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        # Earlier tags win ties, as browsers list them by preference.
        if q > best_q or (q == best_q and position == 0):
            best, best_q = primary, q
    return best
