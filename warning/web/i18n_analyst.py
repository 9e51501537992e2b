"""Texts of the analysts' evaluation, feedback and preview pages (issue 20), merged into
:data:`warning.web.i18n.CATALOGUE`."""

from __future__ import annotations

ANALYST_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "exporter_effects": "Exporters whose alert would change: {n}",
        "no_exporter_effects": "No exporter's alert would appear, disappear or change level.",
        "alert_change": "Alert",
        "alert_appears": "would appear",
        "alert_disappears": "would disappear",
        "alert_level_changes": "would change level",
        "level_before": "Level now",
        "level_after": "Level after",
        "rule_kind": "What the rule does",
        "rule_kind_map": "match these HS codes where a phrase is found",
        "rule_kind_suppress": "exclusion: no match to these HS codes where a phrase is found",
        "rule_is_exclusion": "Exclusion",
        "draft_exclusion": "Draft an exclusion",
        "draft_rule": "Draft a rule",
        "feedback_fix": "Fix",
        "feedback_score": "Score",
        "feedback_evidence": "Evidence",
        "feedback_note": "from {email}'s answer on {symbol}",
    },
    "zh": {
        "exporter_effects": "预警将发生变化的出口企业：{n} 家",
        "no_exporter_effects": "没有出口企业的预警会新增、消失或改变级别。",
        "alert_change": "预警",
        "alert_appears": "将新增",
        "alert_disappears": "将消失",
        "alert_level_changes": "级别将改变",
        "level_before": "当前级别",
        "level_after": "修改后级别",
        "rule_kind": "规则作用",
        "rule_kind_map": "出现词语时匹配这些HS编码",
        "rule_kind_suppress": "排除：出现词语时不匹配这些HS编码",
        "rule_is_exclusion": "排除",
        "draft_exclusion": "起草排除规则",
        "draft_rule": "起草规则",
        "feedback_fix": "处理",
        "feedback_score": "得分",
        "feedback_evidence": "依据",
        "feedback_note": "来自 {email} 对 {symbol} 的反馈",
    },
}
