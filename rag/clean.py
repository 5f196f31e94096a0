"""Separate speech text from the noise that web copies of speeches carry.

Nothing here lists any one site's strings. Noise is recognised by what it is:
- lines with advertising, contact, navigation or page-counter patterns;
- short non-sentence lines repeated across files or within a file (site boilerplate);
- short non-sentence lines wedged between noise lines (the rest of an ad block);
- a teaser line ending in an ellipsis that repeats the text that follows;
- a phrase glued after the last sentence of many paragraphs (a watermark).

Every character ends up either kept or in `removed` with a reason, so the
cleaning can be audited and tested for losing speech text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rag.structure import TERMINAL, ends_sentence, heading_of, is_salutation, is_structural

# --- normalisation -------------------------------------------------------

_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”‘’（）《》、，。：；！？]"
_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<={_CJK})[,:;!?()]|[,:;!?()](?={_CJK})")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})[ \t]+(?={_CJK})")
_SPACE_AT_FULLWIDTH = re.compile(r"(?<=[，。：；！？、（）“”])[ \t]+|[ \t]+(?=[，。：；！？、（）“”])")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize(text: str) -> str:
    """Consistent punctuation and spacing; the same rules for every file."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = text.replace("\u3000", " ").replace("\u00a0", " ")
    # Full-width letters and digits to ASCII, leaving CJK punctuation as it is.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff5a" else ch for ch in text
    )
    text = text.replace("...", "……").replace("。。。", "……")
    text = _PUNCT_NEAR_CJK.sub(lambda m: _ASCII_TO_FULL[m.group()], text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SPACE_AT_FULLWIDTH.sub("", text)


# --- noise patterns --------------------------------------------------------

# Each of these alone marks a line as noise.
_STRONG = [
    re.compile(r"https?://|www\.|\.(com|cn|net|org|cc)\b", re.I),
    re.compile(r"(QQ|qq|微信|微博|抖音|电话|手机|邮箱|e-?mail)\s*(群|号)?\s*[:：]?\s*[\w@.\-]{6,}"),
    re.compile(r"(QQ|qq|微信|交流|会员|读者|粉丝)群\s*[:：]"),
    re.compile(r"当前位置|首页\s*[>›»]|[>›»]\s*正文"),
    re.compile(r"第\s*\d+\s*页\s*[/，,]?\s*共\s*\d+\s*页|^[-—\s]*\d+\s*[/／]\s*\d+[-—\s]*$"),
    re.compile(r"^[-—－\s]*第?\s*\d+\s*页?[-—－\s]*$"),
    re.compile(r"推荐(访问|阅读)|相关(推荐|文章|阅读|范文)|猜你喜欢|热门(文章|推荐|范文)|上一篇|下一篇"),
    re.compile(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?\s*\d{1,2}:\d{2}(:\d{2})?"),
    re.compile(r"版权所有|©|免责声明|转载请注明|未经授权"),
]
# Each of these is a hint; two hints, or one on a short non-sentence line, make noise.
_WEAK = re.compile(
    "会员|订阅|VIP|vip|下载|付费|充值|优惠|扫码|二维码|公众号|关注我们|点赞|收藏|"
    "倒卖|外传|商用|商业用途|免费(领取|赠送|获取)|完整版|资料咨询|唯一指定|"
    "仅供(学习|参考|内部|个人)|用后删除|(整理|收集)(发布|分享)|为大家整理|供大家参考|"
    "本文来源|来源[:：]|更多(精彩|范文|资料|内容)|范文|文库|门户|网站|写作网|"
    "点击(查看|下载|进入)|返回(首页|顶部)|阅读全文|举报|客服|违者"
)


def noise_score(line: str) -> int:
    """2 or more means certainly noise; 1 means noise if the line is not prose.

    Long sentences are speech text unless advertising words are dense in them:
    a speech may say 关注 or 下载 in passing, an ad says little else.
    """
    long_prose = _prose(line) and len(line) > 100
    if not long_prose and any(p.search(line) for p in _STRONG):
        return 2
    hits = len(_WEAK.findall(line))
    if _prose(line) and hits < max(2, len(line) // 25):
        return 0
    return hits


def _prose(line: str) -> bool:
    return ends_sentence(line) and len(line) >= 12


def _short_fragment(line: str) -> bool:
    """A line that is neither a sentence nor part of the speech's structure."""
    return len(line) <= 40 and not ends_sentence(line) and not is_structural(line)


def core_text(text: str) -> str:
    """Letters and digits only: text compared without spaces and punctuation."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


# --- data ------------------------------------------------------------------


@dataclass
class Removal:
    text: str
    reason: str
    line: int


@dataclass
class CleanedText:
    """A file's speech lines after cleaning, and everything taken out."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)


@dataclass
class CorpusStats:
    """What is repeated across the corpus: the evidence for boilerplate."""

    line_files: dict[str, int]
    tails: Counter

    @classmethod
    def from_texts(cls, texts: list[str]) -> CorpusStats:
        line_files: dict[str, set[int]] = defaultdict(set)
        line_counts: Counter = Counter()
        tails: Counter = Counter()
        for i, text in enumerate(texts):
            for raw in text.split("\n"):
                line = raw.strip()
                if not line:
                    continue
                line_files[line].add(i)
                line_counts[(i, line)] += 1
                tail = glued_tail(line)
                if tail:
                    tails[core_text(tail)] += 1
        # A line counts as repeated if it is in two files or twice in one.
        repeats = {line: len(files) for line, files in line_files.items()}
        for (_, line), n in line_counts.items():
            if n > 1:
                repeats[line] = max(repeats[line], n)
        return cls(repeats, tails)


def glued_tail(line: str) -> str:
    """The text after a line's last sentence end, if the line has sentences before it."""
    ends = list(TERMINAL.finditer(line))
    if not ends:
        return ""
    tail = line[ends[-1].end():]
    return tail if 2 <= len(core_text(tail)) <= 40 else ""


# --- cleaning --------------------------------------------------------------


def clean_text(text: str, stats: CorpusStats | None = None) -> CleanedText:
    """Clean one normalised file's text, using corpus-wide repetition evidence."""
    stats = stats or CorpusStats.from_texts([text])
    raw_lines = text.split("\n")
    lines = [line.strip() for line in raw_lines]
    reasons: dict[int, str] = {}
    for i, line in enumerate(lines):
        if not line:
            continue
        reason = _line_noise(line, stats)
        if reason:
            reasons[i] = reason
    _mark_teasers(lines, reasons)
    _mark_wedged(lines, reasons)

    kept: list[tuple[int, str]] = []
    removed: list[Removal] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if i in reasons:
            removed.append(Removal(line, reasons[i], i + 1))
            continue
        line, glued = _strip_watermark(line, stats)
        if glued:
            removed.append(Removal(glued, "watermark", i + 1))
        if line:
            kept.append((i, line))
    return CleanedText(_repair_breaks(kept), removed)


def _line_noise(line: str, stats: CorpusStats) -> str | None:
    score = noise_score(line)
    if score >= 2:
        return "advertising/navigation"
    if is_structural(line):
        return None
    if score == 1 and not _prose(line) and len(line) <= 60:
        return "advertising/navigation"
    if _short_fragment(line) and stats.line_files.get(line, 0) >= 2:
        return "repeated boilerplate"
    return None


def _mark_teasers(lines: list[str], reasons: dict[int, str]) -> None:
    """A line ending in an ellipsis whose text reappears below is a page's excerpt."""
    for i, line in enumerate(lines):
        if i in reasons or not re.search(r"(……|…)$", line):
            continue
        core = core_text(line)
        rest = core_text("".join(lines[i + 1:]))
        if len(core) >= 15 and core[-15:] in rest and core[:15] in rest:
            reasons[i] = "excerpt teaser"


def _mark_wedged(lines: list[str], reasons: dict[int, str]) -> None:
    """Runs of short fragments between noise lines belong to the same ad block."""
    filled = [i for i, line in enumerate(lines) if line]
    pos = 0
    while pos < len(filled):
        if filled[pos] in reasons or not _short_fragment(lines[filled[pos]]):
            pos += 1
            continue
        end = pos
        while end < len(filled) and filled[end] not in reasons and _short_fragment(lines[filled[end]]):
            end += 1
        before = filled[pos - 1] if pos > 0 else None
        after = filled[end] if end < len(filled) else None
        bounded = (before is None or before in reasons) and (after is None or after in reasons)
        if bounded and (before is not None or after is not None):
            for i in filled[pos:end]:
                reasons[i] = "advertising block"
        pos = end


def _strip_watermark(line: str, stats: CorpusStats) -> tuple[str, str]:
    tail = glued_tail(line)
    if not tail or heading_of(tail) is not None:
        return line, ""
    if stats.tails[core_text(tail)] >= 2 or noise_score(tail) >= 1:
        return line[: len(line) - len(tail)].rstrip(), tail.strip()
    return line, ""


def _repair_breaks(kept: list[tuple[int, str]]) -> list[str]:
    """Join lines that a hard line break cut inside a sentence."""
    if not kept:
        return []
    lengths = sorted(len(line) for _, line in kept)
    wrap = lengths[int(len(lengths) * 0.75)]
    threshold = max(12, min(30, int(wrap * 0.8)))
    out: list[str] = []
    prev_index = -2
    for index, line in kept:
        if out and index == prev_index + 1 and _continues(out[-1], line, threshold):
            out[-1] += line
        else:
            out.append(line)
        prev_index = index
    return out


def _continues(previous: str, line: str, threshold: int) -> bool:
    if len(previous) < threshold or ends_sentence(previous) or previous.endswith(("：", ":")):
        return False
    if is_structural(line) or is_salutation(previous):
        return False
    return not (heading_of(previous) and len(previous) <= 60)


def clean_corpus(texts: list[str]) -> list[CleanedText]:
    """Clean normalised texts together, so boilerplate shared between files is seen."""
    stats = CorpusStats.from_texts(texts)
    return [clean_text(text, stats) for text in texts]
