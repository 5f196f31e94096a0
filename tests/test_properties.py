"""Properties of cleaning, splitting, chunking and citation alignment on generated text.

The generated text is either arbitrary Unicode or speech-like: titles, salutations,
numbered headings (一、 （一） 第一， 一要 一是 1、), sentences ending in 。！？；
with numbers and quotes, web noise and watermarks, mixed line ends, BOM and
zero-width characters, and paragraphs long enough to be cut into windows.
"""

import re
import unicodedata
from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rag.check.cite import MARKER, align, cited_paragraphs, split_draft, strip_markers
from rag.corpus.chunk import MAX_CHARS, chunk_speech
from rag.corpus.clean import clean_corpus, clean_text, core_text, normalize
from rag.corpus.split import split_speeches
from rag.corpus.structure import ENDS_SENTENCE, SectionTracker, heading_of, split_sentences
from rag.types import Chunk, Passage, Speech

FAST = settings(max_examples=100, deadline=None)
WITH_FIXTURE = settings(max_examples=80, deadline=None,
                        suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- speech-like text -----------------------------------------------------------------

WORDS = ["办公室", "督查", "工作", "落实", "调查研究", "干部", "群众", "发展", "安全生产", "作风建设",
         "统筹协调", "服务大局", "责任", "制度", "全市", "各部门", "要", "进一步", "加强", "提高",
         "切实", "推动", "高质量", "我们", "必须", "坚持", "问题导向", "信访", "学习"]
FIGURES = ["2023年", "15.6%", "一百二十公里", "65亿元", "三个", "XX", "××", "【待填：数字】", "１２３",
           "ＡＢＣ", "version 2.0", "3:45"]
CN_DIGITS = "一二三四五六七八九十"
NOISE = ["更多范文请访问 www.example-wenku.cn", "第 2 页 共 3 页", "扫码关注微信公众号“笔杆子素材库”",
         "当前位置：首页 > 正文", "上一篇：在某会议上的讲话", "版权所有 © 某某网", "— 3 —",
         "QQ交流群：12345678", "会员专享 下载完整版", "2023-05-06 12:30"]
WATERMARKS = ["笔杆子之家", "公文素材库整理"]
INVISIBLE = ["\ufeff", "\u200b", "\u200d", "\u00ad", "\u3000", "\u00a0"]

figure = st.one_of(st.integers(0, 10**6).map(str), st.sampled_from(FIGURES))
clause = st.lists(st.one_of(st.sampled_from(WORDS), figure), min_size=1, max_size=6).map("".join)
quoted = clause.map(lambda c: f"“{c}”")


@st.composite
def sentence(draw) -> str:
    parts = draw(st.lists(st.one_of(clause, quoted), min_size=1, max_size=5))
    text = draw(st.sampled_from("，、")).join(parts) + draw(st.sampled_from("。！？；"))
    return f"“{text}”" if draw(st.booleans()) and len(parts) == 1 else text


# A sentence longer than a chunk: cut at its commas, or anywhere if it has none.
long_sentence = st.builds(lambda c, n, sep: sep.join([c] * n) + "。", clause, st.integers(60, 160),
                          st.sampled_from(["，", ""]))
heading_marker = st.one_of(
    st.sampled_from(CN_DIGITS).map(lambda d: f"{d}、"),
    st.sampled_from(CN_DIGITS).map(lambda d: f"（{d}）"),
    st.sampled_from(CN_DIGITS).map(lambda d: f"第{d}，"),
    st.sampled_from(CN_DIGITS).map(lambda d: f"{d}要"),
    st.sampled_from(CN_DIGITS).map(lambda d: f"{d}是"),
    st.integers(1, 12).map(lambda d: f"{d}、"),
    st.integers(1, 12).map(lambda d: f"（{d}）"),
    st.sampled_from(["首先，", "其次，", "最后，"]),
)
heading = st.builds(lambda m, c: m + c, heading_marker, clause)
sentences = st.lists(sentence(), min_size=1, max_size=4).map("".join)
paragraph = st.one_of(
    heading,
    st.builds(lambda h, s: h + "。" + s, heading, sentences),
    sentences,
    sentences,
    st.builds(lambda s, n: s * n, sentences, st.integers(5, 30)),
    long_sentence,
    st.sampled_from(["同志们：", "各位领导、同志们：", "谢谢大家！", "同志们，朋友们："]),
    st.builds(lambda c: f"在全市{c}会议上的讲话", clause),
    st.sampled_from(["【篇1】", "第二篇：在全县作风建设会议上的讲话", "范文3："]),
    st.sampled_from(NOISE),
    st.builds(lambda s, w: s + w, sentences, st.sampled_from(WATERMARKS)),
)


@st.composite
def speech_paragraphs(draw) -> list[str]:
    """Paragraphs as cleaning hands them on: stripped, non-empty, one line each."""
    speechy = st.lists(paragraph, min_size=1, max_size=12)
    anything = st.lists(st.text(min_size=1).map(str.strip).filter(lambda p: p and "\n" not in p),
                        min_size=1, max_size=8)
    return draw(st.one_of(speechy, speechy, anything))


@st.composite
def raw_file(draw) -> str:
    """A file's text as read: paragraphs with mixed line ends, stray spaces and invisible characters."""
    lines = draw(st.one_of(st.lists(paragraph, max_size=15), st.lists(st.text(), max_size=6)))
    out = "\ufeff" if draw(st.booleans()) else ""
    for line in lines:
        if draw(st.booleans()):
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.sampled_from(INVISIBLE + [" ", "\t"])) + line[at:]
        out += line + draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\n  \n"]))
    return out


# --- cleaning -----------------------------------------------------------------------

WIDE_TO_ASCII = {0xFF01 + i: 0x21 + i for i in range(94)}


@FAST
@given(raw_file())
@example("\r\n\r")
@example("\ufeff\u200b")
@example("\u2028\n")
def test_normalize_keeps_every_line_letter_and_digit(text):
    """normalize() unifies line ends (every one Unicode knows: U+2028, U+2029, a form feed, a
    vertical tab) and changes only spaces, invisible characters and punctuation; full-width letters
    and digits become ASCII, and combining accents compose with their letters (NFC)."""
    out = normalize(text)
    assert out.count("\n") == len(re.findall(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", text))
    assert core_text(out) == core_text(unicodedata.normalize("NFC", text)).translate(WIDE_TO_ASCII)


def _accounts_for(text: str, cleaned) -> None:
    """Every character of `text` is kept or reported removed, and what is kept keeps its order.

    Allowed changes beyond removal: whitespace (lines are re-flowed, spaces between Chinese
    characters dropped).
    """
    kept = "".join(cleaned.lines)
    removed = "".join(r.text for r in cleaned.removed)
    assert _chars(kept) + _chars(removed) == _chars(text)
    source = iter(ch for ch in text if not ch.isspace())
    assert all(ch in source for ch in kept if not ch.isspace()), "kept text is in source order"
    assert all(r.text.strip() for r in cleaned.removed), "no empty removal"
    assert all(line and line == line.strip() for line in cleaned.lines)


@FAST
@given(raw_file())
@example("")
@example("第 2 页 共 3 页\n当前位置：首页 > 正文\n")
def test_cleaning_keeps_or_reports_every_line(raw):
    text = normalize(raw)
    _accounts_for(text, clean_text(text))


@FAST
@given(st.lists(raw_file(), min_size=2, max_size=3))
def test_cleaning_a_corpus_keeps_or_reports_every_line(raws):
    texts = [normalize(raw) for raw in raws]
    for text, cleaned in zip(texts, clean_corpus(texts)):
        _accounts_for(text, cleaned)


def _chars(text: str) -> Counter:
    return Counter(ch for ch in text if not ch.isspace())


@FAST
@given(raw_file())
@example("在全市办公室会议上的讲话\n")
def test_splitting_keeps_or_reports_every_character(raw):
    text = normalize(raw)
    cleaned = clean_text(text)
    speeches, front = split_speeches(cleaned, "a.txt")
    kept = Counter()
    for speech in speeches:
        assert speech.paragraphs
        if not speech.title_derived:
            kept += _chars(speech.title)
        kept += sum((_chars(p) for p in speech.paragraphs), Counter())
    removed = sum((_chars(r.text) for r in cleaned.removed + front), Counter())
    assert kept + removed == _chars(text)


# --- sentences ----------------------------------------------------------------------

END_CHARS = "。！？!?…；;”’」』）)]】"


@FAST
@given(st.text(alphabet=END_CHARS + "“（好要 a\n", max_size=30) | st.text())
# A closing quote after the full stop ended the sentence but did not split it from the next.
@example("江泽民同志指出：“创新是灵魂。”因此，要学习。")
def test_sentences_end_after_a_stop_and_its_closers(text):
    """Split after a run of stops and up to three closing quotes/brackets, nowhere else."""
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert all(ENDS_SENTENCE.search(piece) for piece in pieces[:-1])
    for piece in pieces:
        for i in range(1, len(piece)):
            end = ENDS_SENTENCE.search(piece[:i])
            if end and len(end.group()) <= 4:
                assert ENDS_SENTENCE.search(piece[: i + 1]), f"{piece[:i]!r} ends a sentence"


# --- chunking -----------------------------------------------------------------------

CLAUSE_END = "，,、：:"


def _headed_lines(paragraphs: list[str]) -> set[int]:
    """Indexes of the heading-only lines that some later paragraph stands under.

    Such a line is still on the section stack when the next paragraph that is not a
    heading-only line is read (the same entry, not an equal one: a heading repeated
    closes the first).
    """
    tracker, stacks = SectionTracker(), []
    for p in paragraphs:
        tracker.update(p)
        stacks.append(list(tracker.stack))
    headed = set()
    for i, p in enumerate(paragraphs):
        if not ((h := heading_of(p)) and h.whole_line):
            continue
        entry, depth = stacks[i][-1], len(stacks[i]) - 1
        for j in range(i + 1, len(paragraphs)):
            if (h := heading_of(paragraphs[j])) and h.whole_line:
                continue
            if len(stacks[j]) > depth and stacks[j][depth] is entry:
                headed.add(i)
            break
    return headed


def _check_chunks(speech: Speech) -> None:
    """Chunks cover the speech's text in order and never cut a sentence.

    Heading-only lines with a paragraph under them are not chunk text (they are the
    section path of the chunks that follow); those with none are. A sentence longer
    than MAX_CHARS is the exception: it is cut after a clause separator, or, where a
    clause alone is too long, at exactly MAX_CHARS characters.
    """
    chunks = chunk_speech(speech)
    headed = _headed_lines(speech.paragraphs)
    body = [p for i, p in enumerate(speech.paragraphs) if i not in headed]
    stream = "\n".join(body)
    ends, pos = {}, 0
    for chunk in chunks:
        assert chunk.text and len(chunk.text.replace("\n", "")) <= MAX_CHARS
        if not stream.startswith(chunk.text, pos) and stream.startswith("\n" + chunk.text, pos):
            pos += 1
        assert stream.startswith(chunk.text, pos), "chunks follow the text in order"
        pos += len(chunk.text)
        ends[pos] = chunk
    assert pos == len(stream), "nothing after the last chunk"

    start = 0
    for p in body:
        for s in split_sentences(p):
            cuts = [e for e in ends if start < e < start + len(s)]
            if len(s) <= MAX_CHARS:
                assert not cuts, f"sentence cut: {s!r}"
            for e in cuts:
                assert stream[e - 1] in CLAUSE_END or len(ends[e].text) == MAX_CHARS
            start += len(s)
        start += 1  # the line break between paragraphs


@FAST
@given(speech_paragraphs())
# A lead-in line must not run into the first sentence of a long paragraph and be cut with it.
@example(["第二篇：在全县作风建设会议上的讲话", "办公室" * 180 + "。"])
@example(["同志们：", "加强督查工作，" * 71 + "落实。"])
# Heading-only lines with nothing under them: before one of their level, under a parent
# with nothing else under it yet, after a full chunk, at the end.
@example(["同志们：", "一、办公室", "二、督查", "加强督查工作。", "（一）落实", "（二）学习"])
@example(["一、工作", "（一）落实", "（二）督查", "加强督查工作。", "最后，谢谢大家！"])
@example(["推动高质量发展。" * 60, "一、办公室"])
def test_chunks_cover_the_speech_and_keep_sentences_whole(paragraphs):
    _check_chunks(Speech("s-1", "在某会议上的讲话", "a.txt", paragraphs))


@settings(max_examples=60, deadline=None)
@given(raw_file())
def test_whole_pipeline_never_fails(raw):
    speeches, _ = split_speeches(clean_text(normalize(raw)), "a.txt")
    for speech in speeches:
        _check_chunks(speech)


# --- citations ----------------------------------------------------------------------

marker = st.builds(
    lambda form, ns: form[0] + form[1].join(map(str, ns)) + form[2],
    st.sampled_from([("[", ",", "]"), ("【", "、", "】"), ("［", "、", "］"), (" [", ", ", "]")]),
    st.lists(st.integers(0, 6), min_size=1, max_size=3),
)
# Brackets, closers and stops next to markers are where marker handling can go wrong.
TRICKY = ["】", "]", "”", "）", "。", "！", "……", " ", "[", "【", "【待填：时间】", "同志们：", "谢谢大家！", "\n"]
# No digits in the random text: a number glued inside another bracket ([1[2]]) would leave
# a marker-like [1] behind once [2] is removed, which is not how markers are written.
no_digits = st.text(st.characters(exclude_categories=["Nd", "Cs"]), max_size=8)
draft_piece = st.one_of(sentence(), sentence(), marker, heading, st.sampled_from(TRICKY), no_digits)


def _passages(texts: list[str]) -> list[Passage]:
    return [Passage(Chunk(f"c-{n}", "s", "在某会议上的讲话", "a.txt", ["一、标题"], text, n), 1.0, n)
            for n, text in enumerate(texts, start=1)]


@st.composite
def draft_and_passages(draw) -> tuple[str, list[Passage]]:
    """A draft that reuses some passage sentences (so some citations pass), with markers."""
    pool = draw(st.lists(sentence(), min_size=1, max_size=8))
    texts = draw(st.lists(st.lists(st.sampled_from(pool), max_size=4).map("".join) | st.text(max_size=30),
                          max_size=4))
    pieces = draw(st.lists(st.sampled_from(pool) | draft_piece, max_size=12))
    return "".join(pieces), _passages(texts)


def _in_order(units: list[str], text: str) -> None:
    """Each unit is found after the one before; what lies between them has no letters or digits."""
    pos = 0
    for unit in units:
        at = text.find(unit, pos)
        assert at >= 0, f"{unit!r} not in {text[pos:]!r}"
        assert not core_text(text[pos:at]), text[pos:at]
        pos = at + len(unit)
    assert not core_text(text[pos:])


@WITH_FIXTURE
@given(draft_and_passages())
def test_align_cites_only_existing_passages(hash_embedder, case):
    """Citations name given passages; a marker is kept only for a passage that exists."""
    text, passages = case
    units = split_draft(text)
    sentences, citations = align(text, passages, hash_embedder.queries)
    assert [s.text for s in sentences] == [u.text for u in units]
    # Citations are numbered 1..n by first use and name passages that were given.
    used = list(dict.fromkeys(n for s in sentences for n in s.citations))
    assert used == list(range(1, len(citations) + 1))
    ids = [p.chunk.chunk_id for p in passages]
    assert len({c.chunk_id for c in citations}) == len(citations)
    for c in citations:
        chunk = passages[ids.index(c.chunk_id)].chunk
        assert c.quote in chunk.text
    for s, unit in zip(sentences, units):
        assert len(s.citations) <= 2 and s.supported == bool(s.citations)
        assert set(s.dropped_markers) <= set(unit.markers)
        kept = [m for m in dict.fromkeys(unit.markers) if m not in s.dropped_markers]
        assert all(1 <= m <= len(passages) for m in kept)
        cited = [citations[n - 1].chunk_id for n in s.citations]
        assert [ids[m - 1] for m in kept[:2]] == cited[: len(kept[:2])]


@FAST
@given(draft_and_passages())
@example(("同志们：\n一、加强督查落实\n健全督查制度[1]。要发挥作用。[1][3]", []))
# The space after a marker written after a stop was lost, so the sentence was not found.
@example(("“办公室。”[0] “办公室。”", []))
# A marker after a run of stops was moved in front of the last stop only.
@example(("办公室。。[0]", []))
@example(("A;”。[0]", []))
@example(("\n[0]", []))
@example(("\n\n\n", []))
# A first line holding only a marker became an empty heading.
@example(("[0]\n办公室。", []))
def test_sentences_are_the_draft_without_markers(case):
    """Markers and the whitespace around sentences are all that split_draft takes out."""
    text, _ = case
    stripped = strip_markers(text)
    # Stripping again changes nothing but blank lines at the end (lines are re-joined).
    assert strip_markers(stripped).rstrip() == stripped.rstrip()
    units = split_draft(text)
    assert [u.text for u in split_draft(stripped)] == [u.text for u in units]
    _in_order([u.text for u in units], stripped)


@WITH_FIXTURE
@given(draft_and_passages())
# A marker placed after 。】 or after 。。 was taken for the start of the next sentence.
@example(("办公室办公室办公室。】办公室办公室督查。", _passages(["办公室办公室办公室。"])))
@example(("办公室办公室办公室。。", _passages(["办公室办公室办公室。"])))
# Moving the first marker in front of 。 left 】 before the second, which stayed behind.
@example(("办公室。[0]】[0]】", []))
def test_realigning_the_cited_text_is_stable(hash_embedder, case):
    """The text with verified markers, aligned again, gives the same sentences and citations."""
    text, passages = case
    sentences, citations = align(text, passages, hash_embedder.queries)
    ids = [p.chunk.chunk_id for p in passages]
    # Markers in a draft name passages by position, citations are numbered by first use.
    position = {c.n: ids.index(c.chunk_id) + 1 for c in citations}
    paragraphs = cited_paragraphs(text, sentences, position.__getitem__)
    stripped = [line.strip() for line in strip_markers(text).splitlines() if line.strip()]
    assert [strip_markers(p) for p in paragraphs] == stripped
    added = sum(len(MARKER.findall(p)) for p in paragraphs) - sum(len(MARKER.findall(s)) for s in stripped)
    assert added == sum(bool(s.citations) for s in sentences), "every cited sentence was located"

    again, again_citations = align("\n".join(paragraphs), passages, hash_embedder.queries)
    assert [s.text for s in again] == [s.text for s in sentences]
    assert [s.citations for s in again] == [s.citations for s in sentences]
    assert [c.chunk_id for c in again_citations] == [c.chunk_id for c in citations]
    assert all(not s.dropped_markers for s in again if s.kind == "claim")
