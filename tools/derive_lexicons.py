#!/usr/bin/env python3
"""Derive the default connective lexicons from the CDTB connective list.

Reads ``cdtb_connectives.xml`` (DiMLex-style XML: the connectives of the Chinese
Discourse Treebank, CoNLL-2016 release, with senses and frequencies, aggregated by
ACoLi in acoli-repo/rdf4discourse; Apache-2.0) and writes

* ``rules/lexicons/connectives.yaml``        single (contiguous) connectives
* ``rules/lexicons/paired-connectives.yaml`` discontinuous two-part connectives

Every judgement call is explicit data below, so that a reviewer can read it:

* ``MULTI_TOKEN``: how each multi-token CDTB entry is used (contiguous word,
  two-part pair, or skipped and why). The script refuses to run if the source
  has a multi-token entry that is not classified here, or if this table names an
  entry the source does not have, so the table and the source cannot drift apart.
* ``NON_HAN``: CDTB entries that contain something other than Han characters.
* ``CURATED_SINGLES`` / ``CURATED_PAIRS``: additions that are not in CDTB (or not
  in the form annotators tag), with the reason for each group.

Usage (from the repository root)::

    python tools/derive_lexicons.py [path/to/cdtb_connectives.xml] [--out-dir DIR]

The output is deterministic: running the script twice gives identical bytes.
Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT / "tools" / "lexicon-sources" / "cdtb_connectives.xml"
DEFAULT_OUT_DIR = REPO_ROOT / "rules" / "lexicons"

ATTRIBUTION = (
    "Derived from the connective list of the Chinese Discourse Treebank (CDTB), "
    "CoNLL-2016 shared task release (LDC2016E50), as aggregated with relation senses "
    "and frequencies by ACoLi in the repository "
    "acoli-repo/rdf4discourse, commit ce1c53f6b708438417ff4f239fb16a3584dfc4fa, "
    "path discourse-markers/src/cdtb/cdtb.xml, licensed under the Apache License 2.0. "
    "Its authors state that these aggregate statistics (connective forms, senses and "
    "frequencies) are not under LDC copyright, as no annotation nor primary data is "
    "exchanged. Curated additions by the corpus-validators project."
)
LICENSE = "Apache-2.0"

# Han characters: CJK Unified Ideographs, Extension A, compatibility ideographs and
# the supplementary-plane extensions. (stdlib ``re`` has no \p{Han}.)
HAN_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+$")


# ---------------------------------------------------------------------------
# Judgement 1: entries that are not Han characters only.
# ---------------------------------------------------------------------------
# Keyed by the CDTB ``word`` attribute. A value of str means "this is that Han
# connective with stray punctuation from the CTB tokenisation"; its frequency
# and senses are merged into that connective. None means "dropped".
NON_HAN: dict[str, str | None] = {
    "，": None,  # a bare comma (implicit-style Conjunction), not a lexical connective
    "＊ ＊": None,  # asterisks used as list bullets
    "（ 一 ） （ 二 ）": None,  # enumeration labels (一)(二)…, not lexical connectives
    "（ 一 ） 及 （ 二 ）": None,
    "（ 二 ） （ 三 ）": None,
    "（ 三 ） （ 四 ）": None,
    "（ 甲 ） （ 乙 ）": None,
    "（ 乙 ） （ 丙 ）": None,
    "（ 丙 ） 及 （ 丁 ）": None,
    "尽管如此 ，": "尽管如此",  # trailing comma; merged into the single 尽管如此
    "， 一旦": "一旦",  # leading comma; merged into the single 一旦
}


# ---------------------------------------------------------------------------
# Judgement 2: multi-token entries (CTB tokens separated by spaces).
# ---------------------------------------------------------------------------
# CONTIG       contiguous multi-word connective: the tokens are joined without spaces
#              and the result is a single connective.
# pair(a, b)   discontinuous two-part connective a…b. Several CDTB entries may map
#              to one pair (their frequencies and senses are summed):
#              - a third part that only reinforces the second clause (也 还 却 并 会
#                能 …, e.g. 不仅 而且 也) is folded into the core pair, because the
#                corpus format pairs <a> spans two by two and annotators tag the core;
#              - a modifier glued to a part (并/远 不是, 大概是 由于, 仅仅 因为) is
#                folded into the plain pair that annotators tag.
# skip(reason) not used; the reason says why.
CONTIG = ("contiguous",)


def pair(first: str, second: str) -> tuple[str, str, str]:
    return ("pair", first, second)


def skip(reason: str) -> tuple[str, str]:
    return ("skip", reason)


ENUMERATION = "bare enumeration numerals (一、…二、…), list labels rather than connectives"
FRAGMENT = "fragment or ad-hoc co-occurrence of words, not a reusable connective"
NO_STANDARD = "no standard connective; parts already covered by single entries"

MULTI_TOKEN: dict[str, tuple] = {
    # -- contiguous multi-word connectives ----------------------------------
    "与 此 同时": CONTIG,  # 与此同时
    "另 一 方面": CONTIG,  # 另一方面
    "为 此": CONTIG,  # 为此
    "由 此": CONTIG,  # 由此
    "自 此": CONTIG,  # 自此
    "在 此 之前": CONTIG,  # 在此之前
    "也 因此": CONTIG,  # 也因此
    "也 就 是": CONTIG,  # 也就是
    "也 就 是 说": CONTIG,  # 也就是说
    "正 因为": CONTIG,  # 正因为
    "是 因为": CONTIG,  # (这)是因为
    "是 为了": CONTIG,  # (这)是为了
    "而 是": CONTIG,  # 而是 (Alternative; also the second half of 不是…而是)
    "而 不 是": CONTIG,  # 而不是
    "不 是": CONTIG,  # 不是 (first half of 不是…而是 tagged alone)
    "若 是": CONTIG,  # 若是 'if'
    "以 使": CONTIG,  # 以使 'so that'
    "以 期": CONTIG,  # 以期 'in the hope of'
    "还 有": CONTIG,  # 还有 'in addition'
    "每 当": CONTIG,  # 每当 (also a single-token CDTB entry; merged)
    "每 逢": CONTIG,  # 每逢
    "直 至": CONTIG,  # 直至
    "稍早 前": CONTIG,  # 稍早前
    "相反 的": CONTIG,  # 相反的 'on the contrary'
    "的 同时": CONTIG,  # …的同时 with 在 omitted
    # -- discontinuous pairs: numbered enumeration 一是…二是… -----------------
    "一 是 二 是": pair("一是", "二是"),
    "二 是 三 是": pair("二是", "三是"),
    "三 是 四 是": pair("三是", "四是"),
    "四 是 五 是": pair("四是", "五是"),
    "五 是 六 是": pair("五是", "六是"),
    "六 是 七 是": pair("六是", "七是"),
    # -- sequence ---------------------------------------------------------------
    "首先 其次": pair("首先", "其次"),
    "首先 第二": pair("首先", "第二"),
    "首先 再": pair("首先", "再"),
    "其次 第三": pair("其次", "第三"),
    "其次 此外": pair("其次", "此外"),
    "第二 第三": pair("第二", "第三"),
    "第三 最后": pair("第三", "最后"),
    "先 然后": pair("先", "然后"),
    "一 就": pair("一", "就"),
    # -- 一方面…: split into the two parts annotators tag ------------------------
    "一 方面 一 方面": pair("一方面", "一方面"),
    "一 方面 一 方面 也": pair("一方面", "一方面"),  # + reinforcing 也
    "一 方面 但是 另 一 方面": pair("一方面", "另一方面"),  # 但是 is its own connective
    # -- progression / conjunction ----------------------------------------------
    "不仅 也": pair("不仅", "也"),
    "不仅 更": pair("不仅", "更"),
    "不仅 而且": pair("不仅", "而且"),
    "不仅 而且 也": pair("不仅", "而且"),
    "不仅 而且 还": pair("不仅", "而且"),
    "不仅 还": pair("不仅", "还"),
    "不仅 不 反而": pair("不仅", "反而"),  # 不仅不…反而
    "不仅仅 也": pair("不仅仅", "也"),
    "不 要 说 就 连": pair("不要说", "就连"),
    "别 说 连": pair("别说", "连"),
    "既 也": pair("既", "也"),
    "既 又": pair("既", "又"),
    "而且 也": pair("而且", "也"),
    "此外 也": pair("此外", "也"),
    "此外 还": pair("此外", "还"),
    "此外 还 有": pair("此外", "还有"),
    "另外 也": pair("另外", "也"),
    "另外 还": pair("另外", "还"),
    "另外 还 有": pair("另外", "还有"),
    "同时 也": pair("同时", "也"),
    "同时 亦": pair("同时", "亦"),
    "同时 并": pair("同时", "并"),
    "同时 更": pair("同时", "更"),
    "同时 还": pair("同时", "还"),
    "与 此 同时 也": pair("与此同时", "也"),
    "与 此 同时 还": pair("与此同时", "还"),
    "的 同时 也": pair("的同时", "也"),
    "而 也": pair("而", "也"),
    "而 亦": pair("而", "亦"),
    "而 又": pair("而", "又"),
    "从而 也": pair("从而", "也"),
    "至于 则": pair("至于", "则"),
    "至於 则": pair("至於", "则"),
    "除 外": pair("除", "外"),
    "除 外 也": pair("除", "外"),
    "除 外 并": pair("除", "外"),
    "除 外 还": pair("除", "外"),
    "除了 外": pair("除了", "外"),
    "除了 外 还": pair("除了", "外"),
    "除了 之外": pair("除了", "之外"),
    "除了 之外 也": pair("除了", "之外"),
    "或 或": pair("或", "或"),
    "是 还是": pair("是", "还是"),
    "不管 还是": pair("不管", "还是"),
    "不管 还 是": pair("不管", "还是"),  # tokenisation variant of 还是
    # -- contrast ----------------------------------------------------------------
    "不 是 而 是": pair("不是", "而是"),
    "并 不 是 而 是": pair("不是", "而是"),  # 并不是…而是
    "远 不 是 而 是": pair("不是", "而是"),  # 远不是…而是
    "虽 但": pair("虽", "但"),
    "虽 却": pair("虽", "却"),
    "虽 然而": pair("虽", "然而"),
    "虽然 但": pair("虽然", "但"),
    "虽然 但 却": pair("虽然", "但"),
    "虽然 但是": pair("虽然", "但是"),
    "虽然 可是": pair("虽然", "可是"),
    "尽管 但": pair("尽管", "但"),
    "尽管 但是": pair("尽管", "但是"),
    "尽管 但是 却": pair("尽管", "但是"),
    "尽管 然而": pair("尽管", "然而"),
    "尽管 仍然": pair("尽管", "仍然"),
    "尽管 还是": pair("尽管", "还是"),
    "但 却": pair("但", "却"),
    "但 则": pair("但", "则"),
    "但是 却": pair("但是", "却"),
    "但是 也": pair("但是", "也"),
    "可是 却": pair("可是", "却"),
    "然而 却": pair("然而", "却"),
    "然而 也": pair("然而", "也"),
    "不过 却": pair("不过", "却"),
    "而 则": pair("而", "则"),
    "而 却": pair("而", "却"),
    "与 相比": pair("与", "相比"),
    "即使 也": pair("即使", "也"),
    "即使 至少": pair("即使", "至少"),
    "即便 也": pair("即便", "也"),
    # -- condition -----------------------------------------------------------------
    "如果 就": pair("如果", "就"),
    "如果 则": pair("如果", "则"),
    "如果 那": pair("如果", "那"),
    "如果 那么": pair("如果", "那么"),
    "如果 那么 就": pair("如果", "那么"),
    "如 便": pair("如", "便"),
    "如 则": pair("如", "则"),
    "如 就": pair("如", "就"),
    "若 就": pair("若", "就"),
    "一旦 就": pair("一旦", "就"),
    "只有 才": pair("只有", "才"),
    "只有 才 能": pair("只有", "才"),
    "只要 就": pair("只要", "就"),
    "要 想 就": pair("要想", "就"),
    "不论 均": pair("不论", "均"),
    "不论 都": pair("不论", "都"),
    "不管 总": pair("不管", "总"),
    "无论 也 会": pair("无论", "也"),
    "与其 不如": pair("与其", "不如"),
    # -- cause / purpose -----------------------------------------------------------
    "之所以 因为": pair("之所以", "因为"),
    "之所以 是 因为": pair("之所以", "是因为"),
    "之所以 是 因为 的 缘故": pair("之所以", "是因为"),  # + 的缘故
    "由于 所以": pair("由于", "所以"),
    "大概 是 由于 所以": pair("由于", "所以"),  # 大概是由于…所以
    "由于 因此": pair("由于", "因此"),
    "由于 因而": pair("由于", "因而"),
    "由于 于是": pair("由于", "于是"),
    "由于 令": pair("由于", "令"),
    "由於 故": pair("由於", "故"),
    "因 故": pair("因", "故"),
    "仅仅 因为 就": pair("因为", "就"),  # 仅仅因为…就
    # -- temporal frames (preposition … localiser) -------------------------------
    "当 时": pair("当", "时"),
    "当 的 时候": pair("当", "的时候"),
    "当 后": pair("当", "后"),
    "当 後": pair("当", "後"),
    "正 当 时": pair("正当", "时"),
    "正 值 之 际": pair("正值", "之际"),
    "在 时": pair("在", "时"),
    "在 的 时候": pair("在", "的时候"),
    "就 在 的 时候": pair("在", "的时候"),  # 就在…的时候
    "在 后": pair("在", "后"),
    "在 後": pair("在", "後"),
    "在 前": pair("在", "前"),
    "在 之前": pair("在", "之前"),
    "在 之后": pair("在", "之后"),
    "在 之际": pair("在", "之际"),
    "在 前夕": pair("在", "前夕"),
    "在 期间": pair("在", "期间"),
    "在 中": pair("在", "中"),
    "在 过程 中": pair("在", "过程中"),
    "在 的 过程 中": pair("在", "的过程中"),
    "在 的 同时": pair("在", "的同时"),
    "在 的 同时 也": pair("在", "的同时"),
    "在 的 同时 却": pair("在", "的同时"),
    "在 的 同时 还": pair("在", "的同时"),
    "在 下": pair("在", "下"),  # 在…(的推动)下, mostly Causation
    "在 的 情况 下": pair("在", "的情况下"),
    "在 的 情况 下 还": pair("在", "的情况下"),
    "到 时": pair("到", "时"),
    "从 以来": pair("从", "以来"),
    "从 后": pair("从", "后"),
    "自 以来": pair("自", "以来"),
    "自 之后": pair("自", "之后"),
    "自 后": pair("自", "后"),
    "自 後": pair("自", "後"),
    "自从 以来": pair("自从", "以来"),
    "自从 以后": pair("自从", "以后"),
    "自从 后": pair("自从", "后"),
    "继 之后": pair("继", "之后"),
    "继 后": pair("继", "后"),
    "经过 之后": pair("经过", "之后"),
    "随着 也": pair("随着", "也"),
    "随着 时": pair("随着", "时"),
    # -- skipped -------------------------------------------------------------------
    "一 二": skip(ENUMERATION),
    "二 三": skip(ENUMERATION),
    "三 四": skip(ENUMERATION),
    "四 五": skip(ENUMERATION),
    "五 六": skip(ENUMERATION),
    "六 七": skip(ENUMERATION),
    "七 八": skip(ENUMERATION),
    "八 九": skip(ENUMERATION),
    "九 十": skip(ENUMERATION),
    "一 二 三 四": skip(ENUMERATION),
    "二 是 此外": skip("mixed enumeration label and 此外; not a reusable pair"),
    "首先 同时 也": skip("three unrelated connectives (首先, 同时, 也)"),
    "不 不 而": skip(FRAGMENT),
    "不 不 而 是": skip(FRAGMENT),
    "不 而": skip("不…而 (不战而胜) is a verb-phrase pattern; 不 alone is too generic"),
    "并 不 而": skip("negation 并不…而: 不 is not a connective"),
    "并 不 而 是": skip("negation 并不…而是: 不 is not a connective (不是…而是 is kept)"),
    "不 就": skip(FRAGMENT),
    "不 再 只是": skip("不再只是 'no longer only': an adverbial phrase, not a connective"),
    "不 是 也": skip("rare variant of 不是…而是 whose second part is bare 也"),
    "不 是 却 是": skip("rare variant of 不是…而是; 却是 is not a standard second part"),
    "不 是 才 是": skip("rare variant of 不是…而是; 才是 is not a standard second part"),
    "不 是 是": skip("rare variant of 不是…而是; bare 是 is not a standard second part"),
    "是 不 是": skip("A-not-A question form, not a connective"),
    "不过 并": skip("并 here is the emphatic negation adverb (并不), not a connective"),
    "为了 为了": skip("repetition of 为了 across clauses; 为了 is kept as a single"),
    "也 就": skip("adverb sequence 也就, no frequency in the source; 也 and 就 are singles"),
    "却 也": skip("adverb sequence 却也, no frequency in the source; 却 and 也 are singles"),
    "从而 使": skip("从而 + causative verb 使; 从而 is kept as a single"),
    "通过 使": skip("preposition 通过 + causative verb 使; 通过 is kept as a single"),
    "但 也 并": skip(FRAGMENT),
    "但 实际上": skip("但 + adverb 实际上, compositional; 但 is kept as a single"),
    "但是 同时 又": skip(FRAGMENT),
    "何况 还 有": skip("何况 + 还有, compositional; both are singles"),
    "后 还": skip(FRAGMENT),
    "後 才": skip(FRAGMENT),
    "只 就": skip(FRAGMENT),
    "还 再": skip(FRAGMENT),
    "还 甚至": skip(FRAGMENT),
    "而 不过": skip(FRAGMENT),
    "而 就 更为": skip(FRAGMENT),
    "本来 结果": skip("rare (1) ad-hoc contrast; 本来 is not a connective on its own"),
    "因为 因为 由於": skip(FRAGMENT),
    "如果 仍然 还": skip(FRAGMENT),
    "如果 将": skip("将 is the future auxiliary, not a connective part"),
    "如果 说 的话 那么 又": skip("five parts; 如果…的话 and 如果…那么 are kept"),
    "虽然 如此 但是": skip("虽然如此，但是: a contiguous anaphoric phrase + 但是"),
    "在 上": skip("在…上 is mostly locative; a single occurrence in CDTB"),
    "在 的 年代": skip("在…的年代: a noun phrase frame, not a connective part"),
    "在 的 前 一 天": skip("在…的前一天: a noun phrase frame, not a connective part"),
    "在 时 在 时": skip("two separate 在…时 frames"),
    "在 下 在 的 基础 上": skip("two frames combined; not a reusable connective"),
    "早 在 中": skip("早在…中: ad-hoc frame"),
    "每 到 时节": skip("每到…时节: ad-hoc noun frame"),
    "继 以来 又": skip(FRAGMENT),
    "的 目的 就 是 要": skip("purpose paraphrase (AltLex), not a lexical connective"),
    "这 说明": skip("pronoun + verb (AltLex), not a lexical connective"),
}


# ---------------------------------------------------------------------------
# Judgement 3: curated single connectives (source: curated, freq 0).
# ---------------------------------------------------------------------------
# Anything already in CDTB is ignored here (the CDTB entry wins), so this list may
# safely name connectives that CDTB also has.
CURATED_SINGLES: dict[str, list[str]] = {
    # Tagged as <cand> in the annotated sample document seeds/000_…: 如今 and 让 are
    # not in CDTB. 让 is a causative (like CDTB's 令 and 使) that the sample tags.
    "sample corpus coverage": ["如今", "让"],
    "contrast / concession": [
        "不料", "倒是", "反之", "反而", "固然", "偏偏", "然而", "虽", "虽说", "可",
        "即便如此", "话虽如此", "只不过", "但", "但是", "不过", "可是", "却", "则",
    ],
    "cause / result": [
        "既然", "因此", "因而", "所以", "于是", "从而", "故而", "以致", "以至",
        "以至于", "致使", "由此可见", "可见", "鉴于", "是故", "之所以", "正是因为",
    ],
    "condition": [
        "倘若", "要是", "万一", "如若", "假若", "若是", "假如", "只有", "除非",
        "否则", "不然", "要不然", "要不", "无论", "不管", "不论", "即使", "哪怕",
        "就算", "纵然", "纵使", "即便",
    ],
    "purpose": ["以便", "以免", "免得", "省得", "为的是"],
    "conjunction / progression": [
        "并且", "而且", "况且", "何况", "甚至", "甚至于", "乃至", "此外", "另外",
        "再者", "再说", "加上", "加之", "同时", "同样", "也", "还", "又", "亦",
        "并", "及", "以及", "不但", "不仅", "不仅如此", "更何况", "尤其是",
    ],
    "alternative": ["或者", "或是", "还是", "抑或", "要么", "或", "与其", "不如", "宁可", "宁愿"],
    "expansion / restatement / example": [
        "总之", "总而言之", "综上所述", "换言之", "换句话说", "也就是说", "即",
        "亦即", "例如", "比如", "譬如", "诸如", "事实上", "实际上", "其实", "毕竟",
    ],
    "temporal / sequence": [
        "然后", "接着", "随后", "之后", "以后", "之前", "以前", "此后", "后来",
        "最后", "最终", "终于", "起初", "当初", "首先", "其次", "再次", "第一",
        "第二", "第三", "直到", "等到", "一旦", "每当", "此时", "这时", "那时",
        "当时", "同时", "与此同时",
    ],
}

# ---------------------------------------------------------------------------
# Judgement 4: curated paired connectives (source: curated unless CDTB has them).
# ---------------------------------------------------------------------------
# The four pairs annotated in the sample document (不仅…也, 除了…外, 不是…而是,
# 但…却) are all in CDTB; they are repeated here so that coverage does not depend
# on the source alone.
CURATED_PAIRS: list[tuple[str, str]] = [
    # sample corpus coverage
    ("不仅", "也"), ("除了", "外"), ("不是", "而是"), ("但", "却"),
    # cause / result
    ("因为", "所以"), ("因为", "因此"), ("由于", "所以"), ("由于", "因此"),
    ("之所以", "是因为"), ("之所以", "是由于"), ("之所以", "在于"),
    ("既然", "就"), ("既然", "那么"), ("既然", "也"), ("因", "而"),
    ("正因为", "才"), ("因为", "才"),
    # contrast / concession
    ("虽然", "但是"), ("虽然", "但"), ("虽然", "却"), ("虽然", "可是"),
    ("虽", "但"), ("虽", "却"), ("虽说", "但"), ("虽说", "可是"),
    ("尽管", "但是"), ("尽管", "但"), ("尽管", "也"), ("尽管", "却"), ("尽管", "还是"),
    ("固然", "但"), ("固然", "可是"), ("但", "却"), ("但是", "却"),
    ("不是", "而是"), ("不是", "就是"), ("不是", "便是"),
    ("不但", "反而"), ("不仅", "反而"),
    # condition
    ("如果", "就"), ("如果", "那么"), ("如果", "的话"), ("如果", "则"), ("如果", "便"),
    ("要是", "就"), ("要是", "的话"), ("假如", "就"), ("假如", "那么"), ("假如", "的话"),
    ("倘若", "就"), ("倘若", "便"), ("若", "则"), ("若", "就"), ("万一", "就"),
    ("只有", "才"), ("只要", "就"), ("只要", "便"), ("一旦", "就"), ("一", "就"),
    ("除非", "否则"), ("除非", "才"), ("除非", "不然"),
    ("无论", "都"), ("无论", "也"), ("无论", "还是"), ("不管", "都"), ("不管", "也"),
    ("不论", "都"), ("不论", "也"),
    ("即使", "也"), ("即使", "还"), ("即使", "都"), ("即便", "也"), ("哪怕", "也"),
    ("哪怕", "都"), ("就算", "也"), ("纵然", "也"), ("纵使", "也"),
    ("要不是", "就"),
    # progression / conjunction
    ("不仅", "而且"), ("不仅", "还"), ("不仅", "更"), ("不仅", "也"),
    ("不但", "而且"), ("不但", "并且"), ("不但", "也"), ("不但", "还"), ("不但", "更"),
    ("不仅", "并且"), ("不仅仅", "而且"), ("不仅仅", "也"), ("不仅仅", "还"),
    ("既", "又"), ("既", "也"), ("又", "又"), ("尚且", "何况"), ("尚且", "更"),
    ("别说", "连"), ("别说", "就是"), ("连", "都"), ("连", "也"),
    ("除了", "之外"), ("除了", "外"), ("除了", "以外"), ("除了", "还"), ("除了", "也"),
    ("及", "也"),
    # alternative / preference
    ("或者", "或者"), ("或是", "或是"), ("或", "或"), ("要么", "要么"), ("是", "还是"),
    ("不是", "还是"), ("与其", "不如"), ("与其说", "不如说"), ("宁可", "也不"),
    ("宁可", "也"), ("宁愿", "也不"), ("宁愿", "也"),
    # parallel / correlative
    ("一边", "一边"), ("边", "边"), ("一面", "一面"), ("一方面", "另一方面"),
    ("一方面", "一方面"), ("一来", "二来"), ("越", "越"),
    # temporal / sequence
    ("当", "的时候"), ("当", "时"), ("在", "的时候"), ("在", "时"),
    ("先", "再"), ("先", "然后"), ("先", "后"), ("先", "接着"),
    ("首先", "其次"), ("首先", "然后"), ("首先", "最后"), ("起初", "后来"),
    ("刚", "就"), ("一", "便"),
]


# ---------------------------------------------------------------------------
# Derivation
# ---------------------------------------------------------------------------
class Tally:
    """Frequency per sense for one lexicon entry (merged over CDTB entries)."""

    def __init__(self) -> None:
        self.senses: dict[str, int] = defaultdict(int)

    def add(self, senses: list[tuple[str, int]]) -> None:
        for sense, freq in senses:
            self.senses[sense] += freq

    @property
    def freq(self) -> int:
        return sum(self.senses.values())

    def sorted_senses(self) -> list[str]:
        return [s for s, f in sorted(self.senses.items(), key=lambda kv: (-kv[1], kv[0]))]


def read_cdtb(path: Path) -> list[tuple[str, list[tuple[str, int]]]]:
    """(word, [(sense, freq), …]) per entry. A sense without freq counts 0."""
    root = ET.parse(path).getroot()
    entries = []
    for entry in root.iter("entry"):
        word = entry.get("word")
        if not word:
            raise SystemExit(f"{path}: entry id={entry.get('id')} has no word attribute")
        senses = [
            (rel.get("sense", ""), int(rel.get("freq") or 0))
            for rel in entry.iter("chdt_relation")
        ]
        entries.append((word.strip(), senses))
    return entries


def is_han(text: str) -> bool:
    return bool(HAN_RE.match(text))


def derive(entries):
    singles: dict[str, Tally] = {}
    pairs: dict[tuple[str, str], Tally] = {}
    seen_multi: set[str] = set()

    for word, senses in entries:
        tokens = word.split()
        if not all(is_han(t) for t in tokens):
            if word not in NON_HAN:
                raise SystemExit(f"unclassified non-Han CDTB entry {word!r}: add it to NON_HAN")
            target = NON_HAN[word]
            if target is not None:
                singles.setdefault(target, Tally()).add(senses)
            continue
        if len(tokens) == 1:
            singles.setdefault(tokens[0], Tally()).add(senses)
            continue
        seen_multi.add(word)
        if word not in MULTI_TOKEN:
            raise SystemExit(f"unclassified multi-token CDTB entry {word!r}: add it to MULTI_TOKEN")
        kind = MULTI_TOKEN[word]
        if kind == CONTIG:
            singles.setdefault("".join(tokens), Tally()).add(senses)
        elif kind[0] == "pair":
            pairs.setdefault((kind[1], kind[2]), Tally()).add(senses)
        elif kind[0] != "skip":
            raise SystemExit(f"bad classification for {word!r}: {kind!r}")

    stale = sorted(set(MULTI_TOKEN) - seen_multi)
    if stale:
        raise SystemExit(f"MULTI_TOKEN names entries not in the source: {stale}")

    single_rows = {
        text: {"text": text, "freq": t.freq, "senses": t.sorted_senses(), "source": "cdtb"}
        for text, t in singles.items()
    }
    pair_rows = {
        key: {"first": key[0], "second": key[1], "freq": t.freq, "source": "cdtb"}
        for key, t in pairs.items()
    }
    for first, second in CURATED_PAIRS:
        pair_rows.setdefault(
            (first, second), {"first": first, "second": second, "freq": 0, "source": "curated"}
        )
    curated = [text for group in CURATED_SINGLES.values() for text in group]
    # every half of every pair is also a valid single (annotators often tag one half)
    curated += [part for key in pair_rows for part in key]
    for text in curated:
        single_rows.setdefault(text, {"text": text, "freq": 0, "senses": [], "source": "curated"})

    for text in single_rows:
        if not is_han(text):
            raise SystemExit(f"non-Han single connective {text!r}")
    for first, second in pair_rows:
        if not (is_han(first) and is_han(second)):
            raise SystemExit(f"non-Han paired connective {first!r}…{second!r}")

    return (
        [single_rows[k] for k in sorted(single_rows)],
        [pair_rows[k] for k in sorted(pair_rows)],
    )


# ---------------------------------------------------------------------------
# YAML output
# ---------------------------------------------------------------------------
class _FlowList(list):
    pass


class _Folded(str):
    pass


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents block sequences inside mappings ("  - text: …")."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">")
)


def header(name: str) -> str:
    return (
        f"# {name}.yaml: generated by tools/derive_lexicons.py; do not edit by hand.\n"
        "# Regenerate: python tools/derive_lexicons.py (see NOTICE.md in this folder).\n"
        "# Source: Chinese Discourse Treebank (CDTB) connectives, CoNLL-2016 release, as\n"
        "# aggregated by ACoLi: acoli-repo/rdf4discourse, commit\n"
        "# ce1c53f6b708438417ff4f239fb16a3584dfc4fa, discourse-markers/src/cdtb/cdtb.xml;\n"
        "# Apache-2.0. Plus curated additions (source: curated). See NOTICE.md.\n"
    )


def dump(path: Path, name: str, description: str, entries: list[dict]) -> None:
    for e in entries:
        if "senses" in e:
            e["senses"] = _FlowList(e["senses"])
    doc = {
        "name": name,
        "description": _Folded(description),
        "attribution": _Folded(ATTRIBUTION),
        "license": LICENSE,
        "entries": entries,
    }
    body = yaml.dump(
        doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88,
        default_flow_style=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header(name) + body, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help="cdtb_connectives.xml (default: %(default)s)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="where to write the YAML lexicons (default: rules/lexicons)")
    args = parser.parse_args(argv)

    singles, pairs = derive(read_cdtb(args.source))
    dump(
        args.out_dir / "connectives.yaml",
        "connectives",
        "Single (contiguous) Chinese discourse connectives: the texts a <cand> span may "
        "contain. freq is the total CDTB frequency summed over senses (0 for curated "
        "additions); senses are the CDTB senses, most frequent first. Includes both halves "
        "of every paired connective, since annotators often tag one half alone.",
        singles,
    )
    dump(
        args.out_dir / "paired-connectives.yaml",
        "paired-connectives",
        "Discontinuous two-part Chinese discourse connectives (first…second), the pairs "
        "two <a> spans of one sentence may form. freq is the total CDTB frequency of the "
        "CDTB entries mapped to the pair (0 for curated additions).",
        pairs,
    )
    print(f"connectives: {len(singles)} entries; paired-connectives: {len(pairs)} entries",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
