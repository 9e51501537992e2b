"""The mapping editor's interface texts, merged into :data:`warning.web.i18n.CATALOGUE`."""

from __future__ import annotations

MAPPING_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "mappings_how": (
            "Changes are stored with their author and time over the shipped mapping and the configured "
            "sectors; preview one to see which notifications gain or lose a match or a sector."
        ),
        "mapping_saved": "Saved: {what}.",
        "action_add": "add",
        "action_change": "change",
        "action_remove": "remove",
        "overridden": "changed here",
        "removed_rows": "Removed here",
        "mapping_changes": "{n} of {checked} stored notifications change their matches or sectors",
        "sector_gains": "Enters sectors",
        "sector_loses": "Leaves sectors",
        "sector_subscriptions": "{n} subscriptions name this sector.",
        "ics_search": "Find an ICS code by code or words (English or Chinese)",
        "ics_search_clear": "Show all",
        "ics_found": "{n} of {total} ICS rows match.",
        "ics_all": "{total} ICS rows.",
        "page_of": "Page {page} of {pages}.",
        "ics_title": "Title",
    },
    "zh": {
        "mappings_how": (
            "修改记录作者与时间，叠加在随附的对应表与配置的行业之上；保存前可预览哪些通报增减匹配或行业。"
        ),
        "mapping_saved": "已保存：{what}。",
        "action_add": "新增",
        "action_change": "修改",
        "action_remove": "删除",
        "overridden": "已在此修改",
        "removed_rows": "已在此删除",
        "mapping_changes": "{checked} 项通报中有 {n} 项匹配或行业发生变化",
        "sector_gains": "新增行业",
        "sector_loses": "失去行业",
        "sector_subscriptions": "有 {n} 个订阅使用该行业。",
        "ics_search": "按代码或词语（中文或英文）查找ICS代码",
        "ics_search_clear": "显示全部",
        "ics_found": "{total} 行ICS中有 {n} 行符合。",
        "ics_all": "共 {total} 行ICS。",
        "page_of": "第 {page} 页，共 {pages} 页。",
        "ics_title": "名称",
    },
}
