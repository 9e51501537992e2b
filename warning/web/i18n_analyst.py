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
        "eval_intro": (
            "The classifier on {n} labelled notifications of the bundled sample (member-given HS codes "
            "as the truth, hidden from it; {skipped} records skipped, listed below). A match alerts "
            "from a score of {threshold}."
        ),
        "eval_view_tbtwarn": "tbtwarn",
        "eval_view_baseline": "Baseline",
        "eval_view_learner_cv": "With a learner, cross-validated",
        "eval_view_calibrated_cv": "Calibration cross-validated",
        "eval_metric_chapter_top1": "Right chapter first",
        "eval_metric_chapter_top3": "Right chapter in the top three",
        "eval_metric_heading_top5": "Right heading in the top five",
        "eval_metric_chapter_precision": "Alerted chapters that are right (precision)",
        "eval_metric_chapter_recall": "Right chapters that alert (recall)",
        "eval_metric_chapter_f1": "Chapters: precision and recall together (F1)",
        "eval_metric_heading_precision": "Alerted headings that are right",
        "eval_metric_heading_recall": "Right headings that alert",
        "eval_metric_coverage": "Notifications with any match",
        "eval_metric_n": "Notifications measured",
        "eval_metric_sector_precision": "Sectors given that are right (precision)",
        "eval_metric_sector_recall": "Right sectors given (recall)",
        "eval_metric_sector_f1": "Sectors: precision and recall together (F1)",
        "eval_baseline_explained": (
            "The baseline is plain TF-IDF retrieval over the HS nomenclature's text alone: no glossary, "
            "no Chinese bridge, no ICS codes, no calibration. Its scores are text similarities that never "
            "reach the alert threshold, so it alerts nothing: its precision and recall are 0 by "
            "construction, and only its rankings compare."
        ),
        "eval_cv_explained": (
            "Cross-validated: each notification is scored by a learner (or a calibration) fitted on the "
            "other {folds} - 1 parts of the set only. The closer these are to tbtwarn's own figures, the "
            "less they owe to fitting this very set."
        ),
        "eval_by_language": "By language (calibration cross-validated in brackets)",
        "eval_language": "{language} ({n})",
        "eval_cv_short": "CV",
        "eval_confusions": "Which chapter came first instead of the right one",
        "eval_true_chapter": "Right chapter",
        "eval_our_chapter": "Our first chapter",
        "eval_count": "Times",
        "eval_records": "Record",
        "eval_failures": "Notifications whose right chapter was not first: {n}",
        "eval_text": "Text",
        "eval_truth": "Right codes",
        "eval_our_top3": "Our first three, with the evidence",
        "eval_in_top3": "right chapter in the top three",
        "eval_skipped": "Records left out: {n}",
        "eval_line": "Line",
        "eval_reason": "Why",
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
        "eval_intro": (
            "分类器在随附样本的 {n} 项标注通报上的表现（以成员给出的HS编码为标准答案，分类时不可见；"
            "跳过 {skipped} 项，见下文）。得分达到 {threshold} 的匹配会发出预警。"
        ),
        "eval_view_tbtwarn": "tbtwarn",
        "eval_view_baseline": "基线",
        "eval_view_learner_cv": "加学习器（交叉验证）",
        "eval_view_calibrated_cv": "校准（交叉验证）",
        "eval_metric_chapter_top1": "第一位即正确的章",
        "eval_metric_chapter_top3": "正确的章在前三位",
        "eval_metric_heading_top5": "正确的品目在前五位",
        "eval_metric_chapter_precision": "预警的章中正确的比例（精确率）",
        "eval_metric_chapter_recall": "正确的章中发出预警的比例（召回率）",
        "eval_metric_chapter_f1": "章：精确率与召回率综合（F1）",
        "eval_metric_heading_precision": "预警的品目中正确的比例",
        "eval_metric_heading_recall": "正确的品目中发出预警的比例",
        "eval_metric_coverage": "有任何匹配的通报",
        "eval_metric_n": "评估的通报数",
        "eval_metric_sector_precision": "给出的行业中正确的比例（精确率）",
        "eval_metric_sector_recall": "正确的行业中被给出的比例（召回率）",
        "eval_metric_sector_f1": "行业：精确率与召回率综合（F1）",
        "eval_baseline_explained": (
            "基线只用HS目录文本做TF-IDF检索：没有词表、没有中英桥接、没有ICS代码、没有校准。"
            "其得分是文本相似度，从不达到预警阈值，因此不发出任何预警：精确率和召回率按构造为0，只有排序可比。"
        ),
        "eval_cv_explained": (
            "交叉验证：每项通报由只在其余 {folds} - 1 份数据上拟合的学习器（或校准）打分。"
            "越接近tbtwarn本身的数字，说明越少依赖对本数据集的拟合。"
        ),
        "eval_by_language": "按语言（括号内为校准交叉验证）",
        "eval_language": "{language}（{n}）",
        "eval_cv_short": "交叉验证",
        "eval_confusions": "哪些章排在了正确的章之前",
        "eval_true_chapter": "正确的章",
        "eval_our_chapter": "我们的第一章",
        "eval_count": "次数",
        "eval_records": "记录",
        "eval_failures": "正确的章未排第一的通报：{n} 项",
        "eval_text": "文本",
        "eval_truth": "正确编码",
        "eval_our_top3": "我们的前三位及依据",
        "eval_in_top3": "正确的章在前三位",
        "eval_skipped": "未纳入的记录：{n} 项",
        "eval_line": "行",
        "eval_reason": "原因",
    },
}
