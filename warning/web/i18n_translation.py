"""The translation interface's texts, merged into :data:`warning.web.i18n.CATALOGUE`."""

from __future__ import annotations

TRANSLATION_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "translations": "Translations",
        "translations_how": (
            "Correct a translation and save it: it is marked as reviewed and shown so in the next emails. "
            "Machine translations are labelled as such wherever they are shown."
        ),
        "field_title": "Title",
        "field_description": "Description",
        "field_products": "Products",
        "language_zh": "Chinese",
        "language_en": "English",
        "translation_into": "{field} in {language}",
        "translation_none": "no translation yet",
        "translation_stale": "translates an earlier text of this field",
        "translation_by": "by {who}, {when}",
        "save_reviewed": "Save as reviewed",
        "translation_saved": "Saved: the {field} in {language} is now a reviewed translation.",
        "translation_empty": "Write the translation before saving (the box was empty).",
        "translation_too_long": "The translation is longer than {n} characters: shorten it.",
        "translation_bad_field": "There is no field {field!r} to translate: use the form on this page.",
        "translation_bad_language": (
            "The {field} cannot be translated into {language}: it is written in that language or the "
            "language is not offered."
        ),
        "original_language": "notified in {language}",
    },
    "zh": {
        "translations": "译文",
        "translations_how": (
            "修改译文并保存后，该译文标记为人工审校，并在此后的邮件中如此标注。机器翻译在所有显示之处均有标注。"
        ),
        "field_title": "标题",
        "field_description": "描述",
        "field_products": "涉及产品",
        "language_zh": "中文",
        "language_en": "英文",
        "translation_into": "{field}（{language}）",
        "translation_none": "尚无译文",
        "translation_stale": "所译为该字段的旧文本",
        "translation_by": "{who}，{when}",
        "save_reviewed": "保存为人工审校译文",
        "translation_saved": "已保存：{field}的{language}译文现为人工审校译文。",
        "translation_empty": "请先填写译文再保存（输入框为空）。",
        "translation_too_long": "译文超过 {n} 个字符，请缩短。",
        "translation_bad_field": "没有可翻译的字段 {field!r}，请使用本页的表单。",
        "translation_bad_language": "{field}不能译为{language}：原文即为该语言，或不提供该语言。",
        "original_language": "原文为{language}",
    },
}
