"""Duplication check (查重): how much of a draft is copied verbatim from the corpus,
and which specifics (numbers, dates, names, places) it states that no source does.

CopyIndex design. Whitespace is removed from chunks and sentences; everything
else, punctuation included, is compared as is. Every GRAM-character window of
the corpus is hashed (a polynomial hash over code points, computed in numpy
over batches of chunks) and kept as a sorted array of hashes with the
chunk each came from. A sentence's windows are looked up with searchsorted;
every hit is a seed, verified against the chunk's text (a hash can collide,
and consecutive hits can come from different places) and extended in both
directions, so reported runs are exact and maximal.

Size: the index holds one (hash, chunk) pair, 12 bytes, per indexed window.
Up to FULL_LIMIT corpus characters every window is indexed and every run of
GRAM or more characters is found. Above it only windows starting at every
`stride`-th position of a chunk are indexed (stride 8: an eighth of the memory);
a run of GRAM + stride - 1 (15) characters or more still always holds one, so
everything that matters for flagging (20+) is found exactly, while runs of 8-14
characters may be missed. Chunks are hashed in batches (the numpy temporaries
take ~40 bytes a character), then one argsort. Candidate chunks are tried most
seeds first and skipped when their seeds cannot beat what is already found, so
a stock sentence present in hundreds of chunks is extended once.

Measured with `python eval/calibrate_support.py --bench-copy` (2 cores shared
with another job; a 40-sentence draft, half copied from the corpus):
    bundled corpus, 155 chunks, 47k chars      0.5 MB   build 0.01 s   23 ms
    100k random chunks, 30M chars, stride 8     42 MB   build 2.4 s    11 ms
    the same indexed at every position         336 MB   build 12 s     22 ms
    100k chunks of recombined corpus sentences  48 MB   build 3.1 s   307 ms
(the last is the worst case: each real sentence recurs ~400 times). A million
chunks of 300 characters (stride 8) extrapolates to ~430 MB of postings, ~30 s
to build, plus the chunk texts themselves (~600 MB as Python strings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from rag.corpus.structure import SLOT
from rag.corpus.words import posseg

GRAM = 8
FULL_LIMIT = 20_000_000  # corpus characters indexed at every position (~240 MB of postings)
BATCH_CHARS = 4_000_000
SPARSE_STRIDE = 8
_BASE = np.uint64(0x9E3779B97F4A7C15)  # an odd 64-bit multiplier; arithmetic wraps mod 2**64
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """What copying is measured on: the text without any whitespace."""
    return _SPACE.sub("", text)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _window_hashes(codes: np.ndarray) -> np.ndarray:
    """Hash of every GRAM-long window: sum of code * BASE**(GRAM-1-t), mod 2**64."""
    n = len(codes) - GRAM + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for t in range(GRAM):
            h = h * _BASE + codes[t : t + n]
    return h


class CopyIndex:
    """Hashed GRAM-character windows of the corpus, to find verbatim runs in a sentence."""

    def __init__(self, texts: Iterable[str], stride: int | None = None):
        self.texts = [normalise(t) for t in texts]
        total = sum(len(t) for t in self.texts)
        self.stride = stride or (1 if total <= FULL_LIMIT else SPARSE_STRIDE)
        # Hashed a batch of chunks at a time: the temporaries take ~40 bytes a character.
        hashes, owners = [], []
        first = 0
        while first < len(self.texts):
            last, size = first, 0
            while last < len(self.texts) and (last == first or size < BATCH_CHARS):
                size += len(self.texts[last]) + 1
                last += 1
            h, o = self._hash_chunks(first, last)
            hashes.append(h)
            owners.append(o)
            first = last
        all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        order = np.argsort(all_hashes, kind="stable")
        self.hashes = all_hashes[order]
        self.owner = (np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32))[order]

    def _hash_chunks(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """Indexed window hashes of texts[first:last] and the chunk each comes from."""
        texts = self.texts[first:last]
        # Chunks joined by a separator no text contains; windows crossing it are dropped.
        hashes = _window_hashes(_codes("\x00".join(texts)))
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
        owner = np.repeat(np.arange(len(texts), dtype=np.int32), lengths + 1)[: len(hashes)]
        offset = np.arange(len(hashes), dtype=np.int64) - starts[owner]
        keep = (offset + GRAM <= lengths[owner]) & (offset % self.stride == 0)
        return hashes[keep], owner[keep] + np.int32(first)

    @classmethod
    def from_chunks(cls, chunks, stride: int | None = None) -> CopyIndex:
        return cls((c.text for c in chunks), stride)

    def _candidates(self, sentence: str) -> list[tuple[int, list[int]]]:
        """(chunk, sentence positions whose window hashes to one of the chunk's windows),
        chunks with the most seeds first."""
        hashes = _window_hashes(_codes(sentence))
        lo = np.searchsorted(self.hashes, hashes, side="left")
        count = np.searchsorted(self.hashes, hashes, side="right") - lo
        if not count.any():
            return []
        # Every (position, posting) pair at once: a common phrase can hit many chunks.
        pos = np.repeat(np.arange(len(hashes)), count)
        first = np.repeat(lo - (np.cumsum(count) - count), count)
        chunk = self.owner[np.arange(int(count.sum())) + first]
        pairs = np.unique(chunk.astype(np.int64) * (len(hashes) + 1) + pos)
        chunk, pos = pairs // (len(hashes) + 1), pairs % (len(hashes) + 1)
        ids, starts, sizes = np.unique(chunk, return_index=True, return_counts=True)
        order = np.argsort(-sizes, kind="stable")
        return [(int(ids[k]), pos[starts[k] : starts[k] + sizes[k]].tolist()) for k in order]

    def _reach(self, seeds: int) -> int:
        """Longest run a chunk with this many seeds can share with the sentence: a run of
        length L holds at least (L - GRAM + 1) // stride indexed windows of its chunk."""
        return self.stride * (seeds + 1) + GRAM - 2

    def runs(self, sentence: str, min_len: int = GRAM) -> list[tuple[int, int]]:
        """Maximal (start, end) spans of the normalised sentence found verbatim in one chunk,
        at least min_len long and containing a letter (CJK counts): punctuation and digit
        strings alone are not copying. Together they cover every such run; a run lying
        wholly inside spans already found may be left out (a stock sentence found in
        hundreds of chunks is extended once, not hundreds of times)."""
        sentence = normalise(sentence)
        found: set[tuple[int, int]] = set()
        covered = np.zeros(len(sentence), dtype=bool)
        # A run holding seed p lies within [p - stride + 1, p + GRAM + stride - 1) of it, so a
        # seed whose whole neighbourhood is covered cannot add anything new.
        before, after = self.stride - 1, GRAM + self.stride - 1
        for chunk, positions in self._candidates(sentence):
            if self._reach(len(positions)) < min_len:
                break  # chunks come most seeds first: none after this one can reach min_len
            fresh = [p for p in positions if not covered[max(p - before, 0) : p + after].all()]
            for a, b in _extend(sentence, self.texts[chunk], fresh) if fresh else ():
                if b - a >= min_len and _wordy(sentence, (a, b)):
                    found.add((a, b))
                    covered[a:b] = True
        return sorted(found)

    def longest_copied_run(self, sentence: str) -> tuple[int, str]:
        """Length and text of the longest run of the sentence (whitespace removed) that
        occurs verbatim in one corpus chunk; (0, "") below GRAM characters."""
        sentence = normalise(sentence)
        best = (0, 0)
        for chunk, positions in self._candidates(sentence):
            if self._reach(len(positions)) <= max(best[1] - best[0], GRAM - 1):
                break  # most seeds first: no later chunk can beat the best either
            # Nor can a chunk whose seeds span no more than the best run found.
            lo, hi = max(positions[0] - self.stride + 1, 0), positions[-1] + GRAM + self.stride - 1
            if min(hi, len(sentence)) - lo <= best[1] - best[0]:
                continue
            for span in _extend(sentence, self.texts[chunk], positions):
                if span[1] - span[0] > best[1] - best[0] and _wordy(sentence, span):
                    best = span
        return best[1] - best[0], sentence[best[0] : best[1]]


def _wordy(sentence: str, span: tuple[int, int]) -> bool:
    return any(ch.isalpha() for ch in sentence[span[0] : span[1]])


def _extend(sentence: str, text: str, positions: list[int]) -> set[tuple[int, int]]:
    """Each seed window, where it really occurs in `text`, grown to a maximal common run."""
    spans: set[tuple[int, int]] = set()
    covered: set[tuple[int, int]] = set()  # (diagonal, sentence position) already inside a run
    for pos in positions:
        window = sentence[pos : pos + GRAM]
        at = text.find(window)
        while at >= 0:
            shift = at - pos  # text index = sentence index + shift along this alignment
            if (shift, pos) not in covered:
                a, b = pos, pos + GRAM
                while a > 0 and a + shift > 0 and sentence[a - 1] == text[a - 1 + shift]:
                    a -= 1
                while b < len(sentence) and b + shift < len(text) and sentence[b] == text[b + shift]:
                    b += 1
                spans.add((a, b))
                covered.update((shift, p) for p in range(a, b - GRAM + 1))
            at = text.find(window, at + 1)
    return spans


def copy_report(sentences: list[str], copy_index: CopyIndex, flag_at: int = 20) -> dict:
    """Verbatim copying over a draft's sentences.

    longest / longest_text: the longest copied run in any sentence; copied_share:
    share of the draft's characters (whitespace excluded) inside runs of at least
    flag_at characters; flagged: indices of sentences holding such a run.
    """
    longest, longest_text, copied, total, flagged = 0, "", 0, 0, []
    for i, sentence in enumerate(sentences):
        norm = normalise(sentence)
        total += len(norm)
        length, run = copy_index.longest_copied_run(norm)
        if length > longest:
            longest, longest_text = length, run
        inside = np.zeros(len(norm), dtype=bool)
        for a, b in copy_index.runs(norm, flag_at) if length >= flag_at else []:
            inside[a:b] = True
        if inside.any():
            flagged.append(i)
            copied += int(inside.sum())
    return {
        "longest": longest,
        "longest_text": longest_text,
        "copied_share": round(copied / total, 4) if total else 0.0,
        "flagged": flagged,
    }


# --- specifics a draft states that no source does ----------------------------------

# Common surnames whose character is rarely anything else right before a title
# (于/向/方/万/高 and the like are left out: 对于书记… 向书记汇报 would be false alarms).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙胡朱郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧肖蔡潘袁董蒋杜魏程苏吕丁沈"
    "姚卢姜崔钟谭陆汪范廖贾夏韦傅邹孟熊秦邱尹薛闫段雷侯郝龚邵钱严覃戴莫孔汤黎贺顾殷"
)
TITLES = "书记|副书记|省长|市长|县长|区长|州长|乡长|镇长|主任|部长|厅长|局长|处长|秘书长|主席|同志"
# 王书记, 李明同志, 张建国市长: a surname, up to two given-name characters, a title.
# A lookahead, so that 对李明同志 is tried at 李 too (matches would otherwise not overlap).
_PERSON = re.compile(rf"(?=(([\u4e00-\u9fff])([\u4e00-\u9fff]{{0,2}}?)({TITLES})))")
# Words that start with a surname character and come before 同志 in speeches.
_NOT_A_NAME = ("许多", "周围", "周边")
# Digits (half or full width) with decimals and separators, then a percent sign or a unit.
_NUMBER = re.compile(r"[0-9０-９]+(?:[.,．][0-9０-９]+)*\s*(?:%|％|‰|个百分点)?")
_DATE = re.compile(r"[0-9０-９]{4}\s*年(?:\s*[0-9０-９]{1,2}\s*月(?:\s*[0-9０-９]{1,2}\s*日)?)?|"
                   r"[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日")
# Chinese-numeral amounts: 五千万元, 三点五亿元, 百分之十二.
_CN_AMOUNT = re.compile(r"[零〇一二两三四五六七八九十百千点]+[万亿]元|百分之[零一二三四五六七八九十点]+")
# A set named by its count, in quotation marks (“四个要”, “三服务”, “两个维护”), is a formulation
# (提法) quoted as the speeches hold it; one they do not hold is made up.
_COUNTED_SET = re.compile(r"[“\"「]([一二三四五六七八九十两]{1,2}[个大项条种点]?[\u4e00-\u9fff]{1,4})[”\"」]")
_PLACE_SUFFIX = ("省", "市", "县", "区", "州")
# jieba tags 各市县, 本市 or 和省州县 as places now and then: a name does not start so.
_NOT_A_NAME_START = set("全各我本该此省市县区州和与及在到对向从")
# Placeholders the prompt asks for where a fact is unknown: X, XX, ××, 【待填：…】.
_PLACEHOLDER = re.compile(rf"{SLOT.pattern}|[XＸ×xｘ]+")
# "1." "2、" "(3)" opening a line number a list, they state no figure.
_LIST_NUMBER = re.compile(r"^\s*[（(]?[0-9０-９]{1,2}\s*[.．、)）]", re.MULTILINE)
_WIDE = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")

# A figure with what it counts: 98起, 5.5%, 65亿元, 10日. 元 and the width of digits aside, the
# words after a number say what it is.
_MEASURED = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s*"
                       r"(?:%|％|‰|个百分点|[万亿]元?|元|[起人名件条项个家户次期天年月日倍所座吨])")


def figures_out_of_place(text: str, sources: list[str]) -> list[str]:
    """Figures of `text` with their measure word (98起) that no source states with it, though a
    source may hold the number: a synthesis over figures gave 死亡98人 as 98起 and 8月10日 as
    10年. Each once, in order."""
    joined = normalise("\n".join(sources)).translate(_WIDE).replace("元", "")
    found: list[str] = []
    for m in _MEASURED.finditer(_PLACEHOLDER.sub(" ", text)):
        figure = normalise(m.group()).translate(_WIDE).replace("元", "")
        if not re.search(rf"(?<![0-9.]){re.escape(figure)}", joined) and m.group() not in found:
            found.append(m.group())
    return found


def _places(text: str) -> list[str]:
    """Place names ending in 省/市/县/区/州 with a name of their own (杭州市, 易门县; not 全市, 我县)."""
    return [
        w.word for w in posseg().cut(text)
        if w.flag == "ns" and len(w.word) >= 3 and w.word.endswith(_PLACE_SUFFIX)
        and w.word[0] not in _NOT_A_NAME_START
    ]


def _number_core(token: str) -> str:
    return token.translate(_WIDE).replace(",", "").replace(" ", "").rstrip(".%‰").replace("个百分点", "")


def invented_specifics(text: str, sources: list[str]) -> list[str]:
    """Specifics in `text` that appear in none of `sources`, each once, by kind in the order below.

    Checked: dates (2024年3月5日, 3月5日) as written; other numbers and
    percentages by their digits (65亿 is backed by a source saying 65亿元 or 65);
    Chinese-numeral amounts (五千万元); persons as surname + title (王书记,
    李明同志; 同志 only after a full name) with a real surname; places ending in 省/市/县/区/州 with a name of
    their own, as jieba tags them; sets named by their count in quotation marks (“四个要”).
    Placeholders (X, XX, ××, 【待填：…】) are removed
    first, so X书记 or XX市 are never reported. Deliberately simple: a bare name
    without a title, a number written out in words without 万/亿元, or an invented
    organisation is not caught.
    """
    draft = _LIST_NUMBER.sub(" ", _PLACEHOLDER.sub(" ", text))
    joined = normalise("\n".join(sources)).translate(_WIDE)
    source_numbers = {_number_core(m.group()) for m in _NUMBER.finditer(joined)}
    found: list[str] = []

    def report(token: str) -> None:
        if token not in found:
            found.append(token)

    for m in _DATE.finditer(draft):
        if normalise(m.group()).translate(_WIDE) not in joined:
            report(normalise(m.group()))
    undated = _DATE.sub(" ", draft)
    for m in _NUMBER.finditer(undated):
        if _number_core(m.group()) not in source_numbers:
            report(m.group().strip())
    for m in _CN_AMOUNT.finditer(draft):
        if m.group() not in joined:
            report(m.group())
    for m in _PERSON.finditer(draft):
        name, surname, given, title = m.groups()
        if surname not in SURNAMES or name.startswith(_NOT_A_NAME):
            continue
        # 同志 follows a full name (李明同志), never a bare surname: 任何同志, 感谢同志们.
        if title == "同志" and (not given or draft[m.end(1) : m.end(1) + 1] == "们"):
            continue
        if name not in joined:
            report(name)
    for place in _places(draft):
        if place not in joined:
            report(place)
    for m in _COUNTED_SET.finditer(draft):
        if m.group(1) not in joined:
            report(m.group(1))
    return found
