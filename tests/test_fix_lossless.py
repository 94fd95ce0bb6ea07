"""``--fix`` is lossless, really (issue 12): a half-width mark inside a URL, an e-mail address, a
domain name, a path, a number or code is not punctuation of the Chinese text. The fix leaves it
alone (and PUN001 does not report it), and still fixes the sentence punctuation around it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_texts import RULESET, check_text

from validators.checks.punctuation_width import edits, halfwidth_positions
from validators.fix import fix_bytes
from validators.load import decode

PUN001 = RULESET.rules["PUN001"]


def fixed(text: str) -> str:
    return fix_bytes(text.encode("utf-8"), RULESET)[0].decode("utf-8")


def pun001(text: str) -> list[tuple[int, int]]:
    """(line, column) of PUN001 findings, from the rule alone (fast enough for property tests)."""
    return [(h.line, h.column) for h in PUN001.check.check(decode("x.txt", text.encode()), PUN001.options)]


# (text, what --fix makes of it): the protected part is kept, the sentence punctuation is fixed
EXAMPLES = {
    "IDN domain": ("访问例子.中国。", "访问例子.中国。"),
    "IDN domain then a comma": ("访问例子.中国,然后看看", "访问例子.中国，然后看看"),
    "domain, port and path": ("例子.中国:8080/路径,好 好,吗", "例子.中国:8080/路径,好 好，吗"),
    "Han labels, ASCII TLD": ("他在北京.大学.cn工作", "他在北京.大学.cn工作"),
    "ASCII domain": ("公司.com.cn,好", "公司.com.cn,好"),
    "e-mail": ("邮件张三@公司.中国,谢谢", "邮件张三@公司.中国，谢谢"),
    "e-mail, dotted local part": ("写给张.三@公司.中国吧", "写给张.三@公司.中国吧"),
    "e-mail at the end": ("发邮件到张三@公司.中国.", "发邮件到张三@公司.中国。"),
    "URL, Han path and query": ("见http://例子.中国/路径?查询=值,a", "见http://例子.中国/路径?查询=值,a"),
    "URL then sentence marks": ("访问http://例子.中国,然后看看.", "访问http://例子.中国，然后看看。"),
    "URL in brackets": ("(详见http://a.cn/页面)好", "（详见http://a.cn/页面）好"),
    "URL with its own brackets": ("见http://例子.中国/维基(消歧义)好", "见http://例子.中国/维基(消歧义)好"),
    "URL with user and port": ("见ftp://张三:密码@例子.中国:21/文件", "见ftp://张三:密码@例子.中国:21/文件"),
    "www without scheme": ("网址www.例子.中国,好", "网址www.例子.中国，好"),
    "Markdown link": ("[链接](http://例子.中国/路径,页)很好", "[链接](http://例子.中国/路径,页)很好"),
    "numbers": ("圆周率3.14,共1,000元,比例1:2,12:30开会,增长50%",
                "圆周率3.14,共1,000元，比例1:2,12:30开会，增长50%"),
    "version": ("版本v1.2.3发布,好", "版本v1.2.3发布，好"),
    "file name": ("见文件说明.报告.txt", "见文件说明.报告.txt"),
    "Windows path": ("路径C:\\文档\\报告,终稿.txt", "路径C:\\文档\\报告,终稿.txt"),
    "Unix path": ("见/home/用户/文件,1.txt 好,的", "见/home/用户/文件,1.txt 好，的"),
    "inline code": ("运行`print(\"你好,世界\")`看看,好", "运行`print(\"你好,世界\")`看看，好"),
    "code identifiers": ("访问`用户.名字`属性", "访问`用户.名字`属性"),
    "function call": ("函数f(x)的值,好", "函数f(x)的值，好"),
    "ellipsis": ("等等...好", "等等...好"),
    "Latin text": ("他说Hello, world!很好", "他说Hello, world!很好"),
    "quoted ASCII": ("输入\"yes,no\"后,好", "输入\"yes,no\"后，好"),
    "full-width letters in a URL": ("访问http://例子.中国/ＡＢＣ，和ＡＢＣ", "访问http://例子.中国/ＡＢＣ，和ABC"),
    "still fixed: Han context": ("定焦(dingjiaoone)原创,好吗?", "定焦（dingjiaoone）原创，好吗？"),
    "still fixed: a name in brackets": ("ChatGPT(GPT-4)发布了", "ChatGPT（GPT-4）发布了"),
}


@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_fix_keeps_what_is_not_sentence_punctuation(case: str) -> None:
    text, expected = EXAMPLES[case]
    assert fixed(text) == expected
    assert fixed(expected) == expected  # and the fixed text is clean: rule and fix agree
    assert pun001(expected) == []


@pytest.mark.parametrize("text", ["访问例子.中国。", "张三@公司.中国", "见http://例子.中国/路径?查询=值,a"])
def test_no_false_alarm_inside_addresses(text: str) -> None:
    assert [f for f in check_text(text) if f.rule == "PUN001"] == []


def test_a_fenced_code_block_is_left_alone() -> None:
    text = "示例如下,请看:\n```\nprint(\"你好,世界\")\n用户.名字\n```\n结束了,好"
    assert fixed(text) == "示例如下，请看:\n```\nprint(\"你好,世界\")\n用户.名字\n```\n结束了，好"
    doc = decode("x.txt", text.encode())
    assert [(line, col) for line, col, _ in edits(doc, PUN001.options)] == [(1, 4), (6, 3)]


def test_a_long_line_stays_linear() -> None:
    """Many URL, address and domain anchors in one line: bounded scans, same result as one."""
    from validators.checks.punctuation_width import protected_spans

    unit = "见http://例子.中国/路径,页 写给张三@公司.中国,好 访问例子.中国,然后"
    spans = protected_spans(unit * 2000)
    assert len(spans) == 3 * 2000
    assert halfwidth_positions(unit * 2000, ",") == [i * len(unit) + p for i in range(2000)
                                                     for p in halfwidth_positions(unit, ",")]


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
HAN_WORD = st.text(HAN, min_size=1, max_size=4)
ASCII_WORD = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True)
LABEL = st.one_of(HAN_WORD, ASCII_WORD)
INNER = st.sampled_from(",.;:!?")     # half-width marks inside a query value, between words
# what follows the URL or address in the sentence: (before it, after it)
FRAMES = [("", " "), ("", "。"), ("", "，"), ("（", "）"), ("“", "”"), ("", "")]


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str, bool]:
    """(url, netloc, has a path, query or fragment) built from Han and ASCII parts."""
    scheme = draw(st.sampled_from(["http", "https", "ftp"]))
    netloc = ".".join(draw(st.lists(LABEL, min_size=2, max_size=4)))
    if draw(st.booleans()):
        netloc += f":{draw(st.integers(1, 65535))}"
    path = "".join("/" + p for p in draw(st.lists(LABEL, max_size=3)))
    query = "&".join(f"{k}={v}{p}{w}" for k, v, p, w in draw(st.lists(
        st.tuples(LABEL, LABEL, st.sampled_from(["", ","]) | INNER, LABEL), max_size=2)))
    fragment = draw(st.one_of(st.just(""), LABEL))
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == (scheme, netloc)  # urllib.parse recognises it
    return url, netloc, bool(path or query or fragment)


@st.composite
def addresses(draw: st.DrawFn) -> str:
    """``local@label(.label)+``, the local part itself dotted words."""
    local = ".".join(draw(st.lists(LABEL, min_size=1, max_size=2)))
    return local + "@" + ".".join(draw(st.lists(LABEL, min_size=2, max_size=4)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(url=urls(), frame=st.sampled_from(FRAMES), words=st.lists(HAN_WORD, min_size=4, max_size=4))
def test_fix_never_changes_a_url_and_fixes_the_sentence_around_it(
        url: tuple[str, str, bool], frame: tuple[str, str], words: list[str]) -> None:
    link, _, has_path = url
    if frame == ("", "") and has_path:
        frame = ("", " ")  # a path would run on into the Han text: where it ends is unknowable
    a, b, c, d = words
    text = f"{a},{b}请访问{frame[0]}{link}{frame[1]}{c},{d}?"
    assert fixed(text) == f"{a}，{b}请访问{frame[0]}{link}{frame[1]}{c}，{d}？"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(address=addresses(), frame=st.sampled_from(FRAMES), words=st.lists(HAN_WORD, min_size=4, max_size=4))
def test_fix_never_changes_an_email_address_and_fixes_the_sentence_around_it(
        address: str, frame: tuple[str, str], words: list[str]) -> None:
    a, b, c, d = words
    text = f"{a},{b}请写信给{frame[0]}{address}{frame[1]}{c},{d}?"
    result = fixed(text)
    assert result == f"{a}，{b}请写信给{frame[0]}{address}{frame[1]}{c}，{d}？"
    assert pun001(result) == []


# --- the other fixes (fix.py): a joiner that carries meaning, a CR inside a paragraph ---------

@pytest.mark.parametrize(("text", "expected"), [
    ("一家人👨\u200d👩\u200d👧来了", "一家人👨\u200d👩\u200d👧来了"),        # one family emoji, not three people
    ("波斯语می\u200cخواهم", "波斯语می\u200cخواهم"),                        # Persian ZWNJ
    ("大\u200d模\u200c型\u200b应用", "大模型应用"),                          # clutter between Han: removed
    ("👍\u200b好", "👍好"),
])
def test_a_joiner_that_carries_meaning_is_kept(text: str, expected: str) -> None:
    assert fixed(text) == expected


def test_a_lone_cr_inside_a_paragraph_is_not_made_a_line_break() -> None:
    text = "第一行。\r\n<a>不仅</a>便宜\r<a>也</a>好用。\r\n"
    result = fixed(text)
    assert result == "第一行。\n<a>不仅</a>便宜\r<a>也</a>好用。\n"
    assert not any(f.rule.startswith("PAIR") for f in check_text(result))
    assert fixed("第一行\r第二行\r") == "第一行\n第二行\n"  # a classic Mac file: CR is the line ending
