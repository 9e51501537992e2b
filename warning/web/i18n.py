"""The interface in English and Chinese: one catalogue, the language per request.

The language is the ``tbtwarn_lang`` cookie when the user chose one, else the
best of ``Accept-Language``, else English. Templates call ``t("key")``;
a key missing from a catalogue is an error at test time (``StrictUndefined``
does not cover dict look-ups, so :func:`translate` raises ``KeyError``).
"""

from __future__ import annotations

from typing import Final

from warning.types import LEVEL_NAMES_ZH
from warning.web.i18n_analyst import ANALYST_TEXTS
from warning.web.i18n_exporter import EXPORTER_TEXTS
from warning.web.i18n_feedback import FEEDBACK_TEXTS
from warning.web.i18n_mappings import MAPPING_TEXTS
from warning.web.i18n_responses import RESPONSE_TEXTS
from warning.web.i18n_responses_staff import RESPONSES_STAFF_TEXTS
from warning.web.i18n_review import REVIEW_TEXTS
from warning.web.i18n_security import SECURITY_TEXTS
from warning.web.i18n_signup import SIGNUP_TEXTS
from warning.web.i18n_staff import STAFF_TEXTS
from warning.web.i18n_translation import TRANSLATION_TEXTS

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
        "feedback_thanks": "Thank you",
        "feedback_recorded_relevant": "Recorded: this alert was relevant to you.",
        "feedback_recorded_not_relevant": (
            "Recorded: this alert was not relevant to you. Our analysts will look at it."
        ),
        "unsubscribe": "Unsubscribe",
        "unsubscribed": "You are unsubscribed: this address gets no more alerts for this exporter.",
        "unsubscribe_confirm": "Stop the alert emails to this address for this exporter?",
        "nav_my_subscriptions": "My subscriptions",
        "nav_my_alerts": "My alerts",
        "exporter_sign_in": "Exporter sign-in",
        "exporter_link_sent": "If {email} receives our alerts, a sign-in link is on its way to it.",
        "exporter_sign_in_help": (
            "Enter the email address that receives the alerts; we will send it a sign-in link."
        ),
        "exporter_send_link": "Send me a sign-in link",
        "saved": "Saved.",
        "sectors": "Sectors",
        "hs_prefixes": "HS code prefixes (2, 4 or 6 digits, separated by spaces or commas)",
        "markets": "Markets (member codes, comma-separated, or *)",
        "min_level": "Lowest warning level",
        "frequency": "How often",
        "frequency_immediate": "at once",
        "frequency_daily": "daily",
        "frequency_weekly": "weekly",
        "receive_alerts": "Receive alerts",
        "save": "Save",
        "relevant_q": "Relevant?",
        "relevant": "Relevant",
        "not_relevant": "Not relevant",
        "nav_digest": "Weekly digest",
        "digest_approved_now": "Approved. The exporters' weekly digests can go out.",
        "digest_sent_now": (
            "Queued {officials} officials' and {exporters} exporters' "
            "messages; {sent} delivered, {failed} failed."
        ),
        "digest_approved_by": "Approved by {who} at {when}.",
        "digest_pending": "Waiting for approval: the exporters' weekly digests go out once approved.",
        "digest_no_review": "No approval needed ([digest] review_required is off).",
        "approve": "Approve",
        "digest_send": "Send",
        "digest_recipients": "{n} officials' addresses configured",
        "exporters_alerted": "Zone exporters alerted",
        "alerts_n": "{n} alerts",
        "nav_rules": "Rules",
        "nav_evaluation": "Evaluation",
        "nav_feedback": "Feedback",
        "nav_reclassify": "Reclassify",
        "nav_mappings": "Mappings",
        "rule_saved": "Rule {id} saved; the notifications it affects are reclassified.",
        "version": "Version",
        "phrases": "Phrases",
        "exclusions": "Exclusions",
        "author": "Author",
        "note": "Note",
        "edit": "Edit",
        "remove": "Remove",
        "rule_edit": "Change rule {id}",
        "rule_add": "Add a rule",
        "one_per_line": "one per line",
        "hs_codes_help": "2, 4 or 6-digit HS 2022 codes, separated by spaces",
        "preview": "Preview",
        "history": "History",
        "action": "Action",
        "match_changes": "{n} of {checked} stored notifications change their matches",
        "gains": "Gains",
        "loses": "Loses",
        "evaluation_change": "Evaluation on the labelled set ({n} notifications)",
        "before": "Before",
        "after": "After",
        "cancel": "Cancel",
        "evaluation_intro": "{n} labelled notifications ({skipped} skipped); alert threshold {threshold}.",
        "evaluation_cli": "With the learner's cross-validation:",
        "feedback_help": (
            'What exporters said about their alerts, "not relevant" '
            "first: candidates for a rule or an exclusion."
        ),
        "reclassify_running": "Reclassifying: {done} of {total} notifications…",
        "reclassify_done": "Last run: {n} notifications classified, {matched} with matches ({when}).",
        "reclassify_idle": "Reclassify every stored notification with the current rules.",
        "reclassify_start": "Reclassify all",
        "sectors_how": "The [[sectors]] tables of config.toml, with the changes saved here.",
        "sectors_default_how": (
            "No [[sectors]] in config.toml: the 21 HS sections, with the changes saved here. "
            "[[sectors]] tables (key, name_en, name_zh, hs_prefixes) would replace them."
        ),
        "key": "Key",
        "ics_mapping": "ICS to HS mapping",
        "ics_how": (
            "The shipped classifiers/data/ics_hs.csv, with the changes saved here. A notification's "
            "ICS code is looked up itself, then its group, then its field."
        ),
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
        "feedback_thanks": "谢谢",
        "feedback_recorded_relevant": "已记录：该预警与您相关。",
        "feedback_recorded_not_relevant": "已记录：该预警与您无关。分析人员将核查。",
        "unsubscribe": "退订",
        "unsubscribed": "已退订：该邮箱将不再收到此企业的预警。",
        "unsubscribe_confirm": "停止向该邮箱发送此企业的预警邮件？",
        "nav_my_subscriptions": "我的订阅",
        "nav_my_alerts": "我的预警",
        "exporter_sign_in": "企业登录",
        "exporter_link_sent": "如果 {email} 已订阅预警，登录链接已发送至该邮箱。",
        "exporter_sign_in_help": "请输入接收预警的邮箱，我们将发送登录链接。",
        "exporter_send_link": "发送登录链接",
        "saved": "已保存。",
        "sectors": "行业",
        "hs_prefixes": "HS编码前缀（2、4或6位，以空格或逗号分隔）",
        "markets": "市场（成员代码，逗号分隔，或 *）",
        "min_level": "最低预警等级",
        "frequency": "发送频率",
        "frequency_immediate": "即时",
        "frequency_daily": "每日",
        "frequency_weekly": "每周",
        "receive_alerts": "接收预警",
        "save": "保存",
        "relevant_q": "是否相关？",
        "relevant": "相关",
        "not_relevant": "不相关",
        "nav_digest": "每周摘要",
        "digest_approved_now": "已批准，企业周报可以发送。",
        "digest_sent_now": (
            "已排队 {officials} 封官员邮件和 {exporters} 封企业邮件；已发送 {sent} 封，失败 {failed} 封。"
        ),
        "digest_approved_by": "已由 {who} 于 {when} 批准。",
        "digest_pending": "待批准：批准后发送企业周报。",
        "digest_no_review": "无需批准（[digest] review_required 未开启）。",
        "approve": "批准",
        "digest_send": "发送",
        "digest_recipients": "已配置 {n} 个官员邮箱",
        "exporters_alerted": "涉及本区企业",
        "alerts_n": "{n} 条预警",
        "nav_rules": "规则",
        "nav_evaluation": "评估",
        "nav_feedback": "反馈",
        "nav_reclassify": "重新分类",
        "nav_mappings": "映射",
        "rule_saved": "规则 {id} 已保存，受影响的通报已重新分类。",
        "version": "版本",
        "phrases": "关键词",
        "exclusions": "排除词",
        "author": "作者",
        "note": "备注",
        "edit": "编辑",
        "remove": "删除",
        "rule_edit": "修改规则 {id}",
        "rule_add": "新增规则",
        "one_per_line": "每行一个",
        "hs_codes_help": "2、4或6位HS 2022编码，空格分隔",
        "preview": "预览",
        "history": "历史",
        "action": "操作",
        "match_changes": "{checked} 项通报中有 {n} 项匹配发生变化",
        "gains": "新增",
        "loses": "失去",
        "evaluation_change": "标注集评估（{n} 项通报）",
        "before": "修改前",
        "after": "修改后",
        "cancel": "取消",
        "evaluation_intro": "{n} 项标注通报（跳过 {skipped} 项）；预警阈值 {threshold}。",
        "evaluation_cli": "含学习器交叉验证：",
        "feedback_help": "企业对预警的反馈，“不相关”在前：可据此新增规则或排除词。",
        "reclassify_running": "正在重新分类：{done}/{total} 项通报…",
        "reclassify_done": "上次：已分类 {n} 项通报，其中 {matched} 项有匹配（{when}）。",
        "reclassify_idle": "用当前规则重新分类全部通报。",
        "reclassify_start": "全部重新分类",
        "sectors_how": "config.toml 的 [[sectors]]，加上在此保存的修改。",
        "sectors_default_how": (
            "config.toml 未定义 [[sectors]]：使用HS的21类，加上在此保存的修改。"
            "添加 [[sectors]]（key、name_en、name_zh、hs_prefixes）可替换之。"
        ),
        "key": "标识",
        "ics_mapping": "ICS与HS对应表",
        "ics_how": (
            "随附的 classifiers/data/ics_hs.csv，加上在此保存的修改。"
            "通报的ICS编码先按本身查找，再按组、按领域。"
        ),
    },
}

# Each capability keeps its strings in its own module (i18n_<capability>.py).
for _part in (
    MAPPING_TEXTS,
    EXPORTER_TEXTS,
    FEEDBACK_TEXTS,
    SECURITY_TEXTS,
    SIGNUP_TEXTS,
    TRANSLATION_TEXTS,
    ANALYST_TEXTS,
    REVIEW_TEXTS,
    STAFF_TEXTS,
    RESPONSES_STAFF_TEXTS,
    RESPONSE_TEXTS,
):
    for _lang, _texts in _part.items():
        CATALOGUE[_lang].update(_texts)

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


#: Time zones as readers name them; others are shown by their IANA name.
ZONE_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "Asia/Shanghai": "北京时间",
        "Asia/Chongqing": "北京时间",
        "Asia/Harbin": "北京时间",
        "Asia/Urumqi": "乌鲁木齐时间",
        "Asia/Hong_Kong": "香港时间",
        "Asia/Macau": "澳门时间",
        "Asia/Taipei": "台北时间",
        "UTC": "协调世界时(UTC)",
    },
    "en": {
        "Asia/Shanghai": "Beijing time",
        "Asia/Chongqing": "Beijing time",
        "Asia/Harbin": "Beijing time",
        "Asia/Hong_Kong": "Hong Kong time",
        "Asia/Macau": "Macau time",
        "Asia/Taipei": "Taipei time",
        "UTC": "UTC",
    },
}


def zone_name(tz: str, lang: str) -> str:
    """A time zone as a reader of ``lang`` names it ("北京时间", "Beijing time"); an IANA zone
    without a common name as "Europe/Berlin time" / "Europe/Berlin时间"."""
    names = ZONE_NAMES["zh" if lang == "zh" else "en"]
    if tz in names:
        return names[tz]
    return f"{tz}时间" if lang == "zh" else f"{tz} time"


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
