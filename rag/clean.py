"""Separate speech text from the noise that web copies of speeches carry.

Nothing here lists any one site's strings. Noise is recognised by what it is, and
taken out as a span: a line that holds speech text keeps it, whatever is glued to it.

1. Marks inside the text: HTML tags left in a text file, pinyin glosses after
   characters (會(huì)議), anti-scraping strings of random ASCII, "N characters hidden",
   page counters.
2. Lines that are noise through and through (an address, a contact, navigation, a
   paywall prompt) are taken out first, so the text around them can be re-flowed.
3. Re-flow: lines a hard break cut inside a sentence are joined; a line that holds a
   whole speech is split where the speech's own structure starts (a salutation, a
   heading, a compilation marker, a paragraph indent).
4. Each paragraph is cut into sentences and each judged: advertising, paywall and
   template-site blurbs, keyword lists, boilerplate repeated across files, fragments
   wedged between noise, a teaser repeating the text below, a watermark glued after the
   last sentence. A title or salutation glued to noise is kept.

Every character ends up either kept or in `removed` with a reason, so the cleaning can
be audited and tested for losing speech text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rag.structure import (
    CN_NUM,
    COMPILATION_MARKER_BODY,
    TERMINAL,
    ends_sentence,
    heading_of,
    is_salutation,
    is_structural,
    is_title_like,
    split_sentences,
)
from rag.traditional import to_simplified

# --- normalisation -------------------------------------------------------

_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”‘’（）《》、，。：；！？]"
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<={_CJK})[,:;!?()]|[,:;!?()](?={_CJK})")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})[ \t]+(?={_CJK})")
_SPACE_AT_FULLWIDTH = re.compile(r"(?<=[，。：；！？、（）“”])[ \t]+|[ \t]+(?=[，。：；！？、（）“”])")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize(text: str) -> str:
    """Consistent punctuation and line ends; the same rules for every file.

    Spaces between Chinese characters stay until cleaning is done: they often mark where
    a banner or a heading ends in text that lost its line breaks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = text.replace("\u3000", " ").replace("\u00a0", " ")
    # Full-width letters and digits to ASCII, leaving CJK punctuation as it is.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff5a" else ch for ch in text
    )
    text = text.replace("...", "……").replace("。。。", "……")
    text = _PUNCT_NEAR_CJK.sub(lambda m: _ASCII_TO_FULL[m.group()], text)
    return _SPACE_AT_FULLWIDTH.sub("", text)


def _tidy(text: str) -> str:
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def core_text(text: str) -> str:
    """Letters and digits only: text compared without spaces and punctuation."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


# --- marks inside the text -----------------------------------------------------

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]{0,300})?/?>")
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_SYLLABLE = rf"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouüv{_TONES}]{{1,3}}(?:ng|n|r)?[1-5]?"
_GLOSS = re.compile(
    rf"(?<={_HAN})[（(\[［【〔〈⟨{{｛][ \t]*{_SYLLABLE}(?:[ \t]+{_SYLLABLE})*[ \t]*[）)\]］】〕〉⟩}}｝]"
)
_TONED = re.compile(rf"[{_TONES}]|[a-z][1-5]")
# Forums scatter runs of one- to three-character ASCII tokens through copied text. A token may
# end in punctuation that normalising made full-width, but never is only that (a real comma).
_SCRAMBLE_TOKEN = r"[!-~]{1,3}"
_SCRAMBLE = re.compile(rf"(?<![A-Za-z0-9.])(?:{_SCRAMBLE_TOKEN}[ \t]+)+{_SCRAMBLE_TOKEN}(?![A-Za-z0-9])")
_SYMBOL = re.compile(r"[!-/:-@\[-`{-~]")
# Or one run of letters, digits and symbols whose case and kind keep switching (LdQD7ngi$):
# no word, acronym, number or model name looks like that.
_ADDRESS = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,6}(?:/\S*)?|[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,6}",
                      re.A)
_RANDOM_RUN = re.compile(r"(?<![!-~])[!-~]{5,48}(?![!-~])")
_HIDDEN = re.compile(r"[（(【\[]?(?:……|…)?此处(?:已)?隐藏\s*\d+\s*个?字(?:符)?(?:……|…)?[）)】\]]?")
# A site's note in brackets inside the text: （未完，全文共2页，请下载后查看）
_ASIDE = re.compile(r"[（(【\[]([^（）()【】\[\]\n]{2,40})[）)】\]]")
_PAGE = re.compile(
    r"(?:当前)?第\s*\d+\s*页\s*[/，,、]?\s*(?:共\s*\d+\s*页)?|共\s*\d+\s*页\s*[/，,、]?\s*(?:当前)?第\s*\d+\s*页"
    r"|\bPage\s*\d+\s*(?:of|/)\s*\d+",
    re.I,
)


def _is_scramble(span: str) -> bool:
    """Short ASCII tokens in Chinese text, unless numbers or acronyms (GDP CPI, 5G 4K).

    Two tokens are a scramble only with a lower-case letter, a symbol or a lone character in
    them; three or more always are.
    """
    tokens = span.split()
    if all(re.fullmatch(r"[-—\d]+", t) for t in tokens):
        return False  # page numbers (- 2 -), numbers with spaced thousands
    if all(re.fullmatch(r"[A-Z0-9]{2,3}", t) for t in tokens):
        return False
    return len(tokens) >= 3 or any(len(t) == 1 or re.search(r"[a-z]", t) or _SYMBOL.search(t)
                                   for t in tokens)


def _is_random_run(run: str) -> bool:
    """Mixed case switching back and forth (LdQD7ngi), or from eight characters letters interleaved
    with digits or symbols (a442-aee6-d354, AH.GGH.KV): not COVID-19, iPhone15, GB/T19001, 2023-05-06."""
    if _ADDRESS.fullmatch(run) or "<" in run or ">" in run:
        # An address is judged with its sentence (an advertising line); markup that is not a
        # whole tag stays text, shown as the text it is.
        return False
    kinds = ["u" if c.isupper() else "l" if c.islower() else "d" if c.isdigit() else "s" for c in run]
    switches = sum(a != b for a, b in zip(kinds, kinds[1:]))
    letters = "u" in kinds or "l" in kinds
    mixed_case = "u" in kinds and "l" in kinds
    return switches >= 4 and (mixed_case or (letters and ("d" in kinds or "s" in kinds) and len(run) >= 8))


def _glossing(text: str) -> bool:
    """A page that glosses its characters with toned pinyin: its toneless glosses go too."""
    return sum(bool(_TONED.search(m.group())) for m in _GLOSS.finditer(text)) >= 3


def _marks(text: str, glossing: bool) -> list[tuple[int, int, str]]:
    """Spans of `text` that are marks, not text, with the reason for each."""
    spans = [(m.start(), m.end(), "pinyin gloss") for m in _GLOSS.finditer(text)
             if glossing or _TONED.search(m.group())]
    spans += [(m.start(), m.end(), "anti-scraping string") for m in _SCRAMBLE.finditer(text)
              if _is_scramble(m.group())]
    spans += [(m.start(), m.end(), "anti-scraping string") for m in _RANDOM_RUN.finditer(text)
              if _is_random_run(m.group())]
    spans += [(m.start(), m.end(), "hidden-text mark") for m in _HIDDEN.finditer(text)]
    spans += [(m.start(), m.end(), "bracketed notice") for m in _ASIDE.finditer(text)
              if _hint_spans(m.group(1)) and noise_score(m.group(1)) >= 1]
    spans += [(m.start(), m.end(), "page counter") for m in _PAGE.finditer(text)]
    merged: list[tuple[int, int, str]] = []
    for start, end, reason in sorted(spans):
        # Overlapping or touching marks are one (a spaced scramble running into a random run).
        if merged and start <= merged[-1][1] + 1 and not text[merged[-1][1]:start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, reason))
    return merged


def _cut(text: str, spans: list[tuple[int, int, str]], number: int, removed: list[Removal],
         offsets: list[int] | None = None) -> tuple[str, list[int]]:
    """`text` without `spans` (each reported removed), and `offsets` moved to match."""
    out, at = [], 0
    moved = list(offsets or [])
    for start, end, reason in spans:
        if start < at:
            continue
        out.append(text[at:start])
        removed.append(Removal(text[start:end], reason, number))
        moved = [o - (min(o, end) - start) if o > start else o for o in moved]
        at = end
    out.append(text[at:])
    return "".join(out), moved


# --- noise patterns --------------------------------------------------------

# Each of these alone marks a short line or a sentence as noise.
_STRONG = [
    re.compile(r"https?://|www\.|\.(com|cn|net|org|cc)\b", re.I),
    # An account or number, not the words after 电话 (电话会议): ASCII only.
    re.compile(r"(QQ|qq|微信|微博|抖音|电话|热线|手机|邮箱|e-?mail)\s*(群|号)?\s*[:：]?\s*[A-Za-z0-9_@.\-]{6,}"),
    re.compile(r"(QQ|qq|微信|交流|会员|读者|粉丝)群\s*[:：]"),
    re.compile(r"当前位置|首页\s*[>›»]|[>›»]\s*正文"),
    re.compile(r"^[-—\s]*\d+\s*[/／]\s*\d+[-—\s]*$"),
    re.compile(r"^[-—－\s]*第?\s*\d+\s*页?[-—－\s]*$"),
    _PAGE,
    re.compile(r"推荐(访问|阅读)|相关(推荐|文章|阅读|范文)|猜你喜欢|热门(文章|推荐|范文)|上一篇|下一篇"),
    re.compile(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?\s*\d{1,2}:\d{2}(:\d{2})?"),
    re.compile(r"版权所有|©|免责声明|转载请注明|未经授权|ICP备|公网安备|备案号"),
    re.compile(r"^\s*(关键词|关键字|主题词|标签|热词|tags?|keywords?)\s*[:：]|"
               r"^\s*[【\[](关键词|关键字|主题词|标签|热词)[】\]]", re.I),
    # a page's own fields: 人气：6598, 栏目：, 发布时间：, 推荐：
    re.compile(r"(人气|阅读|浏览|点击|热度|下载)(量|数|次数)?\s*[:：]\s*\d+|"
               r"^\s*(栏目|分类|作者|编辑|发布(时间|日期)?|更新(时间|日期)|字数|页数|大小|格式|推荐)\s*[:：]"),
    # a page's own title, as its <title> gives it: 在……上的讲话_气象讲话_某某公文网
    re.compile(r"_[^_\s]{1,12}(网|站|文库|之家)\s*$"),
    # the heading of a list of links: 热门文档, 相关阅读, 最新范文
    re.compile(r"^\s*(热门|相关|最新|推荐|精选|更多|猜你)[\u4e00-\u9fff]{0,4}\s*[:：]?\s*$"),
]
# Phrases only a document site says, as it speaks to its reader about the page: one of them
# makes a sentence of up to sixty characters noise.
DISTINCT_WEIGHT = 4
_DISTINCT = re.compile(
    "小编|为(大家|您|你|各位|广大网友)(精心|特别|用心)?(整理|收集|精选|搜集|编辑|汇编|推荐)|仅代表作者|"
    "(以下|下面|上面|如下)(就)?(是|为).{0,16}(整理|准备|收集|搜集|精选|分享|推荐|提供|编辑)的|"
    "这是一篇|本文(由|为|系|来自)|感谢(您的)?(阅读|浏览|观看)|敬请关注|欢迎(您)?(访问|光临)本|"
    "(本站|本网|本栏目|本平台)(整理|发布|提供|原创|推荐|收集|编辑)|"
    "(预览|试读)(已)?(结束|完毕)|免费试读|(全文|文档)(阅读)?已结束|"
    r"(剩余|还剩|余下)\s*\d+\s*页|此处(已)?隐藏|请先登录|登录后(即可)?(查看|阅读|下载|复制)|"
    "开通(VIP|vip|会员)|(VIP|vip)(会员|专享|用户|免费)|付费(下载|阅读|查看)|"
    "下载后可|(可|任意)编辑|以上(就)?是.{0,50}(全部|所有)内容|"
    # what the page holds back: 还有40%的内容未显示，点此解锁
    r"(内容|全文|正文|剩余部分)(未|没有|尚未)(显示|展示|加载|展开)|点(此|击)(解锁|展开|阅读全文|查看全文)|"
    r"解锁(全文|全部|剩余|完整)|(还有|剩余|剩下|余下)\s*\d+\s*[%％页字]|"
    # where the page says it came from: 本文由网友投稿整理, 以上内容是关于……的相关介绍
    "(本文|本篇|这篇|此篇|该篇|此文|该文)[^。！？，]{0,12}(由|系|来自|来源于|出自|转自|摘自)|"
    "(网友|用户)(投稿|上传|分享|整理|发布)|(以上|上述)(内容|文章|材料|范文)?(就)?是(关于|有关)|"
    "(您|你)的写作|"
    # copyright boilerplate, and what a download or forum page asks of its reader
    "如有侵权|侵权(请)?(联系|告知)|联系(我们)?删除|版权归(原)?作者|原作者所有|"
    r"获取本文|本文(的)?(Word|word|WORD|PDF|pdf|完整|电子)版|(Word|word|WORD|PDF)版本?|回复“[^”]{1,10}”|"
    r"(本文|全文)共\s*\d+\s*(字|页)|仅显示前?\s*\d+\s*[%％]|需\s*\d+(\.\d+)?\s*元|隐藏内容|回复本帖|本帖|楼主|"
    r"[（(【\[][\u4e00-\u9fff]{1,8}(网|站|文库|之家)[）)】\]]"
)
# Each of these is a hint: speech text may say any one of them in passing.
_WEAK = re.compile(
    "会员|订阅|VIP|vip|下载|付费|充值|优惠|扫码|二维码|公众号|关注我们|点赞|收藏|"
    "倒卖|外传|商用|商业用途|免费(领取|赠送|获取)|完整版|资料咨询|唯一指定|"
    "仅供(学习|参考|内部|个人)|用后删除|(整理|收集)(发布|分享)|为大家整理|供(大家|您)(参考|借鉴)|"
    "(欢迎|敬请)(大家|各位|您)?(阅读|借鉴|参考|收藏|使用|下载|分享|转发)|希望(对|能)(大家|您|你)有(所)?帮助|"
    "本站|本网|本栏目|讲话稿|发言稿|演讲稿|讲话材料|汇编|精选|模板|编辑部|的相关(介绍|内容|资料)|"
    "(带来|有所)(启发|帮助|借鉴)|站内|同类文章|未完|"
    "本文来源|来源[:：]|更多(精彩|范文|资料|内容)|范文|文库|门户|网站|写作网|大全|合集|例文|"
    "点击(查看|下载|进入|阅读)|返回(首页|顶部)|(阅读|查看)(全部|全文|完整|更多)|展开全文|继续阅读|"
    "举报|客服|违者"
)


def _hint_spans(text: str) -> list[re.Match[str]]:
    """Noise words in `text`, found in its simplified form (positions hold: folding is char for char)."""
    folded = to_simplified(text)
    folded = folded if len(folded) == len(text) else text
    return [m for p in (*_STRONG, _DISTINCT, _WEAK) for m in p.finditer(folded)]


def noise_score(line: str) -> int:
    """2 or more means certainly noise; 1 means noise if the line is not prose.

    Sentences are speech text unless advertising words are dense in them: a speech may
    say 关注 or 下载 in passing, an ad says little else.
    """
    line = to_simplified(line)  # the same words on pages in traditional characters
    long_prose = _prose(line) and len(line) > 100
    if not long_prose and any(p.search(line) for p in _STRONG):
        return 2
    distinct = DISTINCT_WEIGHT * len(_DISTINCT.findall(line))
    # A heading is the speech's own structure: only a site's own phrases make it noise.
    # Elsewhere each hint counts once: a speech on websites says 网站 more than once.
    hints = 0 if heading_of(line) else len({m.group() for m in _WEAK.finditer(line)})
    hits = hints + distinct
    if _prose(line) and hits < max(4, len(line) // 15):
        return 0
    return hits


def _certain(line: str) -> bool:
    """A short line that is noise whatever surrounds it: taken out before lines are re-flowed.

    Longer lines wait: they may be a whole speech that lost its line breaks.
    """
    if len(line) > 60 or TERMINAL.search(line):
        return False
    line = to_simplified(line)
    return any(p.search(line) for p in _STRONG) or bool(_DISTINCT.search(line))


def _prose(line: str) -> bool:
    return ends_sentence(line) and len(line) >= 12


def _short_fragment(line: str) -> bool:
    """Neither a sentence nor part of the speech's structure."""
    return len(line) <= 40 and not ends_sentence(line) and not is_structural(line)


def _keyword_list(line: str) -> bool:
    """A line of short search keywords (讲话稿 / 领导讲话 / 讲话稿大全), no sentence."""
    if TERMINAL.search(line) or heading_of(line) or is_salutation(line):
        return False
    line = to_simplified(line)
    items = re.split(r"[|｜·•]", line)
    if len(items) >= 3 and all(len(i.strip()) <= 12 for i in items):
        return True  # a menu: 首页 | 讲话稿 | 工作总结
    # Not 、: a title may list topics with it (安全生产、消防安全、食品安全工作会议).
    items = [i for i in re.split(r"[，,|/\s]+", line) if i]
    if len(items) < 3 or max(map(len, items)) > 15:
        return False
    if _WEAK.search(line) or _DISTINCT.search(line):
        return True
    if max(map(len, items)) > 10:
        return False  # clauses of a sentence, not keywords
    bigrams = Counter(b for item in items for b in {item[k:k + 2] for k in range(len(item) - 1)})
    return len(items) >= 4 and any(n * 2 >= len(items) + 1 for n in bigrams.values())


# --- data ------------------------------------------------------------------


@dataclass
class Removal:
    text: str
    reason: str
    line: int


@dataclass
class CleanedText:
    """A file's speech paragraphs after cleaning, and everything taken out."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)

    def removed_share(self) -> float:
        """Share of the file's letters and digits taken out as noise."""
        removed = sum(len(core_text(r.text)) for r in self.removed)
        total = removed + sum(len(core_text(line)) for line in self.lines)
        return removed / total if total else 0.0


@dataclass
class _Paragraph:
    """A paragraph being cleaned: its text and the first source line it came from."""

    text: str
    line: int
    # Where a hard line break was mended: the end of each line joined to the next.
    joins: list[int] = field(default_factory=list)

    def tails(self) -> list[tuple[int, int]]:
        """Spans glued after the last sentence of each of its lines (watermarks, if repeated)."""
        spans = []
        for cut in [*self.joins, len(self.text)]:
            ends = [m.end() for m in TERMINAL.finditer(self.text, 0, cut)]
            if ends and 2 <= len(core_text(self.text[ends[-1]:cut])) <= 40:
                spans.append((ends[-1], cut))
        return spans


@dataclass
class _Prepared:
    """A file after marks and certain noise are out and its lines are re-flowed."""

    paragraphs: list[_Paragraph]
    removed: list[Removal]


@dataclass
class CorpusStats:
    """What is repeated across the corpus: the evidence for boilerplate."""

    fragment_files: dict[str, int]
    tails: Counter

    @classmethod
    def from_paragraphs(cls, files: list[list[_Paragraph]]) -> CorpusStats:
        seen_in: dict[str, set[int]] = defaultdict(set)
        counts: Counter = Counter()
        tails: Counter = Counter()
        for i, paragraphs in enumerate(files):
            for paragraph in paragraphs:
                for fragment in _fragments(paragraph.text):
                    seen_in[fragment].add(i)
                    counts[(i, fragment)] += 1
                for start, end in paragraph.tails():
                    tails[core_text(paragraph.text[start:end])] += 1
        # A fragment counts as repeated if it is in two files or twice in one.
        repeats = {fragment: len(files) for fragment, files in seen_in.items()}
        for (_, fragment), n in counts.items():
            if n > 1:
                repeats[fragment] = max(repeats[fragment], n)
        return cls(repeats, tails)


def _fragments(paragraph: str) -> list[str]:
    """A paragraph's parts that may be boilerplate: whole short lines and glued tails."""
    found = [paragraph] if _short_fragment(paragraph) else []
    tail = glued_tail(paragraph)
    return found + ([tail.strip()] if tail else [])


def glued_tail(line: str) -> str:
    """The text after a line's last sentence end, if the line has sentences before it."""
    ends = list(TERMINAL.finditer(line))
    if not ends:
        return ""
    tail = line[ends[-1].end():]
    return tail if 2 <= len(core_text(tail)) <= 40 else ""


# --- 1 and 2: marks and certain noise --------------------------------------------


def _prepare(text: str) -> _Prepared:
    removed: list[Removal] = []
    # (source line, text); "" for a blank line, None for a line taken out as noise
    kept: list[tuple[int, str | None]] = []
    # HTML tags go first, line by line: they sit at the ends of paragraphs and hide the full
    # stop that decides whether a line goes on. Other marks run across hard breaks (an
    # anti-scraping string wrapped onto the next line) and go once lines are re-flowed.
    lines: list[str | None] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        tags = [(m.start(), m.end(), "HTML residue") for m in _TAG.finditer(raw)]
        line = _cut(raw, tags, number, removed)[0].strip()
        lines.append(None if raw.strip() and not line else line)
    for number, line in enumerate(lines, start=1):
        if line and _teaser(line, [rest for rest in lines[number:] if rest]):
            removed.append(Removal(line, "excerpt teaser", number))
            line = None
        elif line and _keyword_list(line):
            removed.append(Removal(line, "keyword list", number))
            line = None
        elif line and _certain(line) and not is_structural(line):
            head, tail = _salvage(line)
            removed.append(Removal(line[len(head):len(line) - len(tail)], "advertising/navigation", number))
            line = (head + " " + tail).strip() or None
        kept.append((number, line))
    glossing = _glossing(text)
    paragraphs = []
    for paragraph in _reflow(kept):
        spans = _marks(paragraph.text, glossing)
        paragraph.text, paragraph.joins = _cut(paragraph.text, spans, paragraph.line, removed,
                                               paragraph.joins)
        paragraphs += [p for p in _split_at_sentence_ends(paragraph) if p.text.strip()]
    return _Prepared(paragraphs, removed)


def _split_at_sentence_ends(paragraph: _Paragraph) -> list[_Paragraph]:
    """Undo a join made only because a mark hid the full stop that ended the line."""
    parts, start, joins = [], 0, []
    for join in paragraph.joins:
        if ends_sentence(paragraph.text[start:join]):
            parts.append(_Paragraph(paragraph.text[start:join], paragraph.line, joins))
            start, joins = join, []
        else:
            joins.append(join - start)
    parts.append(_Paragraph(paragraph.text[start:], paragraph.line, joins))
    return parts


_OPEN_BEFORE = re.compile(r"[【\[［（(][^【】\[\]［］（）()]{0,12}$")
_CLOSE_AFTER = re.compile(
    r"[^【】\[\]［］（）()。！？]{0,12}[】\]］）)]|\s*[（(]?[^，。！？\s]{0,4}\d+\s*篇[）)]?"
)


def _salvage(noise: str) -> tuple[str, str]:
    """A title, heading or salutation before or after the noise in a piece of text.

    "下载后可任意编辑 在全县XX会议上的讲话" keeps the title: the noise runs from the
    first noise word to the last, and what lies outside them stays if it is structure.
    """
    hits = _hint_spans(noise)
    if not hits:
        return "", ""
    first = min(m.start() for m in hits)
    last = max(m.end() for m in hits)
    # The noise takes its brackets (【此文档可编辑，下载后直接使用】) and a count after it (讲话稿6篇).
    opening = _OPEN_BEFORE.search(noise[:first])
    first = opening.start() if opening else first
    closing = _CLOSE_AFTER.match(noise, last)
    last = closing.end() if closing else last
    head = noise[:first]
    tail = noise[last:]
    head = head if _speech_part(head) or is_structural(head.strip(" ，,：:")) else ""
    # After a colon comes what the noise points at (上一篇：another speech's title), not the page's own text.
    tail = "" if tail.lstrip().startswith(("：", ":")) else tail.lstrip(" ，,、；;。！!")
    return head, tail if _speech_part(tail) else ""


def _speech_part(text: str) -> bool:
    """Text beside a noise phrase that is the speech's own: its structure, or a whole clean sentence
    (a paywall prompt glued to the start of one)."""
    text = text.strip()
    return is_structural(text) or (len(core_text(text)) >= 20 and noise_score(text) == 0
                                   and not _hint_spans(text))


# --- 3: re-flow ------------------------------------------------------------------

_SALUTATION_IN_LINE = re.compile(
    r"(?:(?:尊敬的|各位|亲爱的)[^。！？：:\s]{0,30})?(?:同志[们們]|同事[们們]|朋友[们們]|女士[们們]|各位代表|各位[来來][宾賓])"
    r"[^。！？：:\n]{0,10}[：:]"
)
_SALUTATION_BEFORE = re.compile(
    r"(?:(?:同志们|同事们|朋友们|女士们|先生们|各位[^，、。！？：:]{0,8})[，、])+$"
)
_MARKER_IN_LINE = re.compile(COMPILATION_MARKER_BODY)
_STOP_BEFORE = r"(?<=[。！？；…”])"
_HEADING_AHEAD = rf"(?={CN_NUM}、|[（(]{CN_NUM}[）)]|第{CN_NUM}[，、：:]|\d{{1,2}}[、．](?!\d))"
_LONG_LINE_BREAK = re.compile(rf"{_STOP_BEFORE}[ \t]*{_HEADING_AHEAD}|{_STOP_BEFORE}[ \t]{{2,}}")
# A paragraph longer than this is a whole speech that lost its line breaks.
_RUN_ON = 500


def _reflow(lines: list[tuple[int, str | None]]) -> list[_Paragraph]:
    pieces: list[tuple[int, str | None]] = []
    for number, line in lines:
        pieces += [(number, part) for part in _split_run_on(line)] if line else [(number, line)]
    return _join_breaks(pieces)


def _split_run_on(text: str) -> list[str]:
    cuts = {m.start() for m in _MARKER_IN_LINE.finditer(text)}
    if not is_salutation(text):
        for m in _SALUTATION_IN_LINE.finditer(text):
            # 同志们，朋友们： is one salutation, not 同志们， glued to the text before it.
            before = _SALUTATION_BEFORE.search(text[:m.start()])
            cuts |= {before.start() if before else m.start(), m.end()}
    if len(text) > _RUN_ON:
        cuts |= {m.end() for m in _LONG_LINE_BREAK.finditer(text)}
    bounds = sorted(cuts | {0, len(text)})
    parts = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in parts if p]


def _join_breaks(lines: list[tuple[int, str | None]]) -> list[_Paragraph]:
    """Join lines that a hard line break cut inside a sentence.

    A blank line ends a paragraph; a line taken out as noise does not (a page footer
    between two halves of a sentence).
    """
    filled = [line for _, line in lines if line]
    if not filled:
        return []
    lengths = sorted(len(line) for line in filled)
    wrap = lengths[int(len(lengths) * 0.75)]
    threshold = max(12, min(30, int(wrap * 0.8)))
    out: list[_Paragraph] = []
    open_ = False  # the last paragraph may take the next line
    for number, line in lines:
        if line is None:
            continue
        if not line:
            open_ = False
            continue
        if out and open_ and _continues(out[-1].text, line, threshold):
            out[-1].joins.append(len(out[-1].text))
            # Words of Latin script broken over a line stay apart (an anti-scraping string's tokens).
            gap = " " if out[-1].text[-1:].isascii() and line[:1].isascii() else ""
            out[-1].text += gap + line
        else:
            out.append(_Paragraph(line, number))
        open_ = True
    return out


def _continues(previous: str, line: str, threshold: int) -> bool:
    if len(previous) < threshold or ends_sentence(previous) or previous.endswith(("：", ":")):
        return False
    # A title broken over two lines: the first half has no title words of its own.
    if is_title_like(line) and not is_title_like(previous) and is_title_like(previous + line) \
            and not heading_of(line):
        return True
    if is_structural(line) or is_salutation(previous) or _MARKER_IN_LINE.match(line):
        return False
    # A title line: title words and no clause of a sentence (a wrapped line has its commas).
    if is_title_like(previous) and not re.search("[，。；、]", previous):
        return False
    heading = heading_of(previous)
    return not (heading and heading.whole_line)


# --- 4: sentences ----------------------------------------------------------------


def clean_text(text: str, stats: CorpusStats | None = None) -> CleanedText:
    """Clean one normalised file's text; `stats` brings repetition evidence from the corpus."""
    return clean_corpus([text])[0] if stats is None else _finish(_prepare(text), stats)


def clean_corpus(texts: list[str]) -> list[CleanedText]:
    """Clean normalised texts together, so boilerplate shared between files is seen."""
    prepared = [_prepare(text) for text in texts]
    stats = CorpusStats.from_paragraphs([f.paragraphs for f in prepared])
    return [_finish(f, stats) for f in prepared]


def _finish(prepared: _Prepared, stats: CorpusStats) -> CleanedText:
    removed = list(prepared.removed)
    paragraphs = [part for p in prepared.paragraphs for part in _strip_watermarks(p, stats, removed)]
    # (paragraph, sentence) -> reason
    reasons: dict[tuple[int, int], str] = {}
    sentences = [split_sentences(p.text) for p in paragraphs]
    for i, paragraph in enumerate(paragraphs):
        if _keyword_list(paragraph.text):
            reasons.update({(i, j): "keyword list" for j in range(len(sentences[i]))})
            continue
        for j, sentence in enumerate(sentences[i]):
            reason = _sentence_noise(sentence.strip(), stats)
            if reason:
                reasons[(i, j)] = reason
    _mark_wedged(paragraphs, sentences, reasons)

    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        kept = ""
        for j, sentence in enumerate(sentences[i]):
            if (i, j) not in reasons:
                kept += sentence
                continue
            head, tail = _salvage(sentence.strip())
            inner = sentence.strip()[len(head):len(sentence.strip()) - len(tail)]
            removed.append(Removal(inner.strip(), reasons[(i, j)], paragraph.line))
            kept += head + " " + tail + " "
        kept = _tidy(kept)
        if kept:
            lines.append(kept)
    return CleanedText(lines, [r for r in removed if r.text.strip()])


def _sentence_noise(sentence: str, stats: CorpusStats) -> str | None:
    score = noise_score(sentence)
    if score >= 2:
        return "advertising/navigation"
    if is_structural(sentence):
        return None
    if score == 1 and not _prose(sentence) and len(sentence) <= 60:
        return "advertising/navigation"
    if _short_fragment(sentence) and len(core_text(sentence)) >= 2 \
            and stats.fragment_files.get(sentence, 0) >= 2:
        return "repeated boilerplate"
    return None


def _teaser(text: str, below: list[str]) -> bool:
    """A line ending in an ellipsis whose text reappears below is a page's excerpt."""
    if not re.search(r"(……|…)$", text):
        return False
    core = core_text(text)
    rest = core_text("".join(below))
    return len(core) >= 15 and core[-15:] in rest and core[:15] in rest


def _mark_wedged(paragraphs: list[_Paragraph], sentences: list[list[str]],
                 reasons: dict[tuple[int, int], str]) -> None:
    """Runs of short fragments between noise belong to the same ad block; so do two or more
    titles with no sentence in them (a page's list of links: 热门文档 / 相关阅读), but not a
    lone title, which may be the speech's own."""
    order = [(i, j) for i in range(len(paragraphs)) for j in range(len(sentences[i]))]
    texts = {key: sentences[key[0]][key[1]].strip() for key in order}
    fragment = {key for key in order if _wedgeable(texts[key])}
    titled = {key for key in order if _listed_title(texts[key])}
    for members, least_titles in ((fragment, 0), (fragment | titled, 2)):
        # A list of titles needs noise on both sides: at the top of a file it may be the title itself.
        for run in _bounded_runs(order, members, reasons, edges=not least_titles):
            if sum(key in titled and key not in fragment for key in run) >= least_titles:
                reasons.update({key: "advertising block" for key in run})


def _bounded_runs(order: list[tuple[int, int]], members: set[tuple[int, int]],
                  reasons: dict[tuple[int, int], str], edges: bool) -> list[list[tuple[int, int]]]:
    """Runs of `members` not yet judged noise, with noise (or, if `edges`, the file's edge) on both sides."""
    runs, pos = [], 0
    while pos < len(order):
        if order[pos] in reasons or order[pos] not in members:
            pos += 1
            continue
        end = pos
        while end < len(order) and order[end] not in reasons and order[end] in members:
            end += 1
        before = order[pos - 1] if pos > 0 else None
        after = order[end] if end < len(order) else None
        sides = [before in reasons if before else edges, after in reasons if after else edges]
        if all(sides) and (before or after):
            runs.append(order[pos:end])
        pos = end
    return runs


def _wedgeable(text: str) -> bool:
    """A fragment an ad block may hold: no sentence, and no title unless it names the site's wares."""
    return _short_fragment(text) or (is_title_like(text) and noise_score(text) >= 1)


def _listed_title(text: str) -> bool:
    """A title with no sentence in it: between noise, two or more of them are a list of links."""
    return is_title_like(text) and not re.search("[，。；]", text)


def _strip_watermarks(paragraph: _Paragraph, stats: CorpusStats, removed: list[Removal]) -> list[_Paragraph]:
    """Cut phrases glued after the last sentence of a line: repeated ones, or noise.

    Inside a paragraph mended from several lines, a tail may be the start of a sentence the
    next line goes on with, so only repetition or a clear noise phrase marks it there; once
    it is cut, the line ended with its sentence and the paragraph ends there too.
    """
    text = paragraph.text
    parts: list[_Paragraph] = []
    for start, end in reversed(paragraph.tails()):
        tail = text[start:end]
        if heading_of(tail.strip()) is not None:
            continue
        needed = 1 if end == len(text) else 2
        if stats.tails[core_text(tail)] >= 2 or noise_score(tail) >= needed:
            removed.append(Removal(tail.strip(), "watermark", paragraph.line))
            if text[end:].strip():
                parts.append(_Paragraph(text[end:], paragraph.line))
            text = text[:start]
    return [_Paragraph(text, paragraph.line), *reversed(parts)]
