"""The corpus sentences that answer a question, quoted exactly, each with its source.

A lookup question (which speeches say X, what targets a report set, how one speech put
a topic) has its answer in the corpus already, so 素材问答 shows that first. Two ways in:

- a phrase in quotation marks (“…”, "…", 「…」) is looked up literally in every chunk of
  the index, and every sentence that holds it is listed, not only those of the top passages;
- otherwise the hybrid search picks the passages, and within them the sentences nearest
  the question: each sentence scores by its stored sentence vectors (rag/index/store.py embeds
  every sentence and the clauses of long ones) and by the question's words it holds;
- a list question (哪几点要求, 哪四个坚持, 提出了哪些措施) is answered by every item of the
  numbered list that answers it, in order (rag/write/numbered_lists.py), not by a few sentences;
- a question asking of a speech's opening or close (讲话开头…, 那篇讲话最后…) puts that quarter
  of the speech's sentences first among near equals.

A question may name speeches (全县办公室主任会议上的讲话, 县里那篇, 培训班上的讲话; see
rag/search/speech_names.py): the evidence then comes from those speeches only, from a wider pool of
their passages than the whole index gives.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from itertools import groupby, takewhile

import numpy as np

from rag.check.cite import passage_sentences
from rag.check.copycheck import normalise
from rag.corpus.clean import bigrams, core_text
from rag.corpus.structure import ends_sentence
from rag.corpus.traditional import to_simplified
from rag.index.store import CorpusIndex, per_index, sentence_units
from rag.search.hybrid import Searcher
from rag.search.query import phrase_pattern, search_text
from rag.search.speech_names import without_common_title_words
from rag.types import Chunk, Passage
from rag.write.numbered_lists import (
    LIST_WORDS,
    Item,
    NumberedList,
    asked_count,
    asked_thing,
    asks_list,
    cn_number,
    item_marker,
    speech_lists,
)

# “…” "…" 「…」 『…』 ‘…’ and 《…》 hold what the user wants found as written; 《》 also names
# titles, which are words like any other.
# Passages whose sentences are looked at: the hybrid search's best, from the whole index, or
# from the speeches a question names.
CANDIDATE_CHUNKS = 12
NAMED_CANDIDATE_CHUNKS = 40
# 同志们： 谢谢大家！ say nothing a question could ask about.
MIN_SENTENCE_CHARS = 6
# A sentence shorter than this heads what follows it (二〇一一年一季度生产经营状况。).
HEADING_CHARS = 16
# A field of a list a colon announces (营业收入：70亿元), and how many of them are quoted.
_FIELD = re.compile(r"^[^：:。！？]{2,16}[：:][^：:。！？]{1,30}[。；;]?$")
MAX_FIELDS = 8
# What a heading heads is quoted up to this many sentences.
MAX_NOTES = 3
# A sentence opening so goes on from the one before it: it names that one's parts or the rest, or
# draws the lesson of the story or example it told (这个传奇故事蕴涵着一个真谛……, 这说明……).
_GOES_ON = re.compile(r"^\s*(其中|其余|其他|其它|另有|另外还有|分别|剩余|剩下的|余下的"
                      r"|(这|那)[个些则段位][^，,。]{0,6}(故事|例子|事例|典故|案例|经历|比喻)"
                      r"|这(说明|告诉我们|启示我们|给我们的启示))")
# Shown at most: a list longer than this is read by nobody (a literal phrase lists all).
MAX_SENTENCES = 6
MAX_PER_SPEECH = 3
# Sentences quoted after a list whose items and sections share no word with the question.
GUESSED_LIST_SENTENCES = 3
MAX_PER_CHUNK = 2
# Asked of named speeches, a question's answer often fills one passage of them: more of it comes
# (a point, what it means, and what it asks of the office: 四是突发性、紧急性的事情越来越多。……
# 这就要求办公室人员……). 3 → 4 on the earlier ask splits pooled: 0.889 → 0.893, 3 gained, 1 lost.
MAX_PER_CHUNK_NAMED = 4
# A sentence is kept while its score is within this of the best one's.
SCORE_MARGIN = 0.08
# How much the share of the question's bigrams a sentence holds adds to its cosine.
WORD_WEIGHT = 0.15
# The passage's rank in the hybrid search (its words, its vectors, its best sentence together)
# adds PASSAGE_WEIGHT / sqrt(rank): between sentences the question's vector scores alike, the
# one in the passage the search put first. Measured on the ask splits (eval/ask.py --no-model),
# 0.01 / 0.02 / 0.04 against none: test5 0.844 -> 0.875 / 0.938 / 0.906, the six others as they were.
PASSAGE_WEIGHT = 0.02
# A sentence's cosine by the second encoder, USE (rag/search/hybrid.py), times this is added to
# e5's: USE brings near some paraphrases e5 does not.
USE_SENTENCE_WEIGHT = 0.05
# 讲话开头, 那篇讲话最后: a question asking of a speech's opening or close. Sentences in that
# share of the speech's passages come first among near equals.
_SPEECH_PART = re.compile(r"(?:讲话|那篇|发言)[，,]?的?(?:(开头|开篇|一开始|开场)|(最后|结尾|末尾|结束时))")
PART_SHARE = 0.25
PART_BONUS = 0.03
# Sentences holding a figure come first for questions that ask for figures.
FIGURE_BONUS = 0.05
# A section heading or numbered point holding the question's words states the point its
# passage makes: it comes first among near equals (一要认真抓好学习 over a sentence on learning).
HEADING_BONUS = 0.03
_ASKS_FIGURES = re.compile(
    r"多少|几[个项条期件次年]|数字|数据|指标|目标|比例|比率|百分|金额|亿|万元|日期|时间|哪年|何时")
# A figure in digits, or in Chinese numerals with what they count (十多年, 三个, 两千余人, 百分之).
FIGURE = re.compile(r"[0-9０-９]|[一二三四五六七八九十百千万两]+[多余]?[亿万年个项人次家件条天倍所名位]"
                     r"|百分之")
# The number of a numbered point (2、 （3） 4.) is no figure it states.
_POINT_NUMBER = re.compile(r"^\s*[（(]?[0-9０-９]{1,2}[)）、.．]")
# 哪五个坚持, 三个“决不允许”: a count, then the word each item opens with.
_COUNTED = re.compile(r"([一二三四五六七八九十两]+|\d{1,2})[个条项种][“\"]?([\u4e00-\u9fff]{2,4})")
# A list question: at most this many items are quoted (a list and the lists its items lead).
MAX_LIST_ITEMS = 16
# A list answers a question whose subject its lead-in and section name at least this share of.
LABEL_SHARE = 0.5
# How much the subject named by a list's lead-in and section, and an item count as asked, add;
# the count's bonus twice when the lead-in announces that count of the thing asked (我讲五点意见).
LABEL_WEIGHT = 0.1
COUNT_BONUS = 0.2
# The asking, not the subject: 哪些讲话谈到…, …怎么说的, 有什么要求.
_ASKING = re.compile(r"哪些讲话|哪篇讲话|讲话中|讲话里|哪里|哪些|什么|怎么|怎样|如何|是否|多少|几点|"
                     r"谈到|讲到|说到|提到|提出|提了|谈了|讲了|说了|要求|各|的[？?]|[？?]")
_LIST_ASKING = re.compile(f"{_ASKING.pattern}|{LIST_WORDS.pattern}")
# Words that go with any subject (保密工作, 信息方面): the subject's words are the others.
_FILLER = re.compile(r"工作|方面|问题|情况|讲话|会议")


@dataclass
class Evidence:
    """One corpus sentence that bears on a question, as it is quoted and cited.

    n is the number it is cited by ([n]); phrase is the quoted phrase it holds, for a
    literal lookup; listed, whether it is an item of a list quoted whole for a list question.
    """

    text: str
    chunk_id: str
    speech_id: str
    title: str
    section: str
    source: str
    n: int = 0
    phrase: str = ""
    score: float = 0.0
    listed: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def asks_figures(question: str) -> bool:
    return bool(_ASKS_FIGURES.search(question))


def holds_figure(sentence: str) -> bool:
    return bool(FIGURE.search(_POINT_NUMBER.sub("", sentence)))


def _evidence(chunk: Chunk, sentence: str, **extra) -> Evidence:
    return Evidence(sentence, chunk.chunk_id, chunk.speech_id, chunk.title, chunk.section_path,
                    chunk.source, **extra)


def literal_evidence(chunks: list[Chunk], phrase: str, speech_ids: set[str] | None = None) -> list[Evidence]:
    """Every sentence of the corpus that holds `phrase`, in corpus order.

    Compared on letters and digits alone: 身在兵位,胸为帅谋 typed with a half-width comma is
    the phrase the corpus writes with a full-width one. Chunks of one long paragraph overlap,
    so a sentence found twice in one speech is listed once. A section heading is a sentence of
    its speech too (第三，遵照规范，才能使办公室工作忙而不乱), quoted with the first passage under it.
    A phrase typed with an ellipsis (“刚才，传达学习了……会议精神”) is its parts, in order.
    """
    wanted = phrase_pattern(phrase)
    if wanted is None:
        return []
    found: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    for chunk in chunks:
        if speech_ids is not None and chunk.speech_id not in speech_ids:
            continue
        headings = [h for h in chunk.section if wanted.search(core_text(to_simplified(h)))]
        if not headings and not wanted.search(core_text(to_simplified(chunk.text))):
            continue
        for sentence in headings + _sentences_holding(chunk.text, wanted):
            # A heading the passage also opens with (六是内容要实 / 六是内容要实。) is one occurrence.
            key = (chunk.speech_id, core_text(to_simplified(sentence)))
            if key not in seen:
                seen.add(key)
                found.append(_evidence(chunk, sentence, phrase=phrase, score=1.0))
    return found


def _sentences_holding(text: str, wanted: re.Pattern[str]) -> list[str]:
    """The sentences of `text` holding `wanted`; where it runs across a sentence end, those joined."""
    sentences = passage_sentences(text)
    flat = [core_text(to_simplified(s)) for s in sentences]
    letters = len(re.sub(r"\W", "", wanted.pattern))  # the phrase's own letters
    out: list[str] = []
    for i, sentence in enumerate(flat):
        if wanted.search(sentence):
            out.append(sentences[i])
            continue
        # The phrase starts in this sentence and ends in a later one.
        for j in range(i + 1, len(flat)):
            joined = "".join(flat[i:j + 1])
            if wanted.search(joined) and not wanted.search("".join(flat[i + 1:j + 1])):
                out.append("".join(sentences[i:j + 1]))
                break
            if len(joined) - len(sentence) > letters:
                break
    return out


@per_index
def _chunk_rows(index: CorpusIndex) -> dict[str, int]:
    """Chunk id -> row."""
    return {chunk.chunk_id: i for i, chunk in enumerate(index.chunks)}


def _sentence_scores(index: CorpusIndex, row: int, question: Asked) -> list[tuple[str, float]]:
    """Each sentence of chunk `row` with its best stored unit score, e5's cosine and USE's weighted
    (a unit is a sentence, short sentences joined, or a clause of a long one: a sentence scores by
    the units it shares text with)."""
    chunk = index.chunks[row]
    sentences = passage_sentences(chunk.text)
    rows = np.arange(int(index.sentences.offsets[row]), int(index.sentences.offsets[row + 1]))
    units = [normalise(unit) for unit in sentence_units(chunk)]
    scores = (index.sentences.row_scores(rows, question.vector)
              + USE_SENTENCE_WEIGHT * index.sentences.row_scores(rows, question.use_vector, use=True))
    out = []
    for sentence in sentences:
        plain = normalise(to_simplified(sentence))
        held = [float(s) for u, s in zip(units, scores) if u and (u in plain or plain in u)]
        out.append((sentence, max(held) if held else float(scores.min()) if len(scores) else 0.0))
    return out


def candidates(searcher: Searcher, query: str, speech_ids: set[str] | None = None) -> list[Passage]:
    """The passages whose sentences are looked at: the best of the whole index, or of the named
    speeches a wider pool (what one speech says of a subject may rank low in the whole index)."""
    if speech_ids is None:
        return searcher.search(query, k=CANDIDATE_CHUNKS)
    found = searcher.search(query, k=len(searcher.index.chunks))
    return [p for p in found if p.chunk.speech_id in speech_ids][:NAMED_CANDIDATE_CHUNKS]


@dataclass
class Asked:
    """What a question's sentences are scored against: its subject's text, vector and bigrams
    (the whole question's when its subject is under two characters: `bare`)."""

    text: str
    vector: np.ndarray
    use_vector: np.ndarray
    grams: set[str]
    bare: bool


def asked(searcher: Searcher, query: str, asking: re.Pattern[str] = _ASKING) -> Asked:
    """The question without its asking words (`asking`), encoded once for every sentence it scores."""
    text, grams, bare = _subject(query, asking)
    vector = np.asarray(searcher.encode_queries([text]), dtype=np.float32)[0]
    use_vector = np.asarray(searcher.encode_use([text]), dtype=np.float32)[0]
    return Asked(text, vector, use_vector, grams, bare)


def _subject(query: str, asking: re.Pattern[str]) -> tuple[str, set[str], bool]:
    """What `asked` reads of a question before encoding it: its subject's text and bigrams, and
    whether it is bare (under two characters, the whole question standing for it)."""
    subject = asking.sub(" ", query)
    bare = len(core_text(subject)) < 2
    text = search_text(query if bare else subject)
    return text, bigrams(_FILLER.sub(" ", text)) or bigrams(text), bare


def speech_part(question: str) -> str:
    """"opening" or "closing" when a question asks of that part of a speech, else ""."""
    m = _SPEECH_PART.search(to_simplified(question))
    return "" if not m else "opening" if m.group(1) else "closing"


def _in_part(index: CorpusIndex, chunk: Chunk, part: str) -> bool:
    """Whether `chunk` stands in the `part` (see speech_part) of its speech."""
    last = index.speech_chunks(chunk.speech_id)[-1].ordinal
    if last <= 1:  # a speech of one passage opens and closes in it
        return True
    where = (chunk.ordinal - 1) / (last - 1)
    return where <= PART_SHARE if part == "opening" else where >= 1 - PART_SHARE


def answer_evidence(searcher: Searcher, query: str, passages: list[Passage],
                    speech_ids: set[str] | None = None, part: str = "") -> list[Evidence]:
    """The evidence for a question without quoted phrases: the whole list a list question asks
    for when one answers it, else the sentences of `passages` nearest the question."""
    found = []
    if asks_list(query):
        found = inline_list_evidence(query, passages) or list_evidence(searcher, query, passages, speech_ids)
        if found and _holds_subject(searcher, query, found):
            return found
    # Asked of one speech, every quote is from it: the cap that spreads quotes over speeches would
    # leave its answer at three sentences.
    per_speech = MAX_SENTENCES if speech_ids is not None and len(speech_ids) == 1 else MAX_PER_SPEECH
    per_chunk = MAX_PER_CHUNK if speech_ids is None else MAX_PER_CHUNK_NAMED
    figures = asks_figures(query)
    nearest = sentence_evidence(searcher, query, passages, figures, per_speech=per_speech,
                                per_chunk=per_chunk, part=part)
    if figures and not any(holds_figure(e.text) for e in nearest):
        nearest += point_figures(searcher.index, nearest)
    if not found:
        return nearest
    # A list that none of the question's subject names was taken for its count alone
    # (2011年是哪两个规划的开局之年 found a list of two problems): the nearest sentences come too.
    listed = {normalise(e.text) for e in found}
    return found + [e for e in nearest[:GUESSED_LIST_SENTENCES] if normalise(e.text) not in listed]


def _holds_subject(searcher: Searcher, query: str, found: list[Evidence]) -> bool:
    """Whether a list question's subject (what is left without its asking and list words) is
    named by the quoted items or the sections they stand in; a question with no subject left
    (提了哪几点要求) is answered by any list."""
    _, grams, bare = _subject(without_common_title_words(query, searcher.index), _LIST_ASKING)
    return bare or any(_share(grams, f"{e.text} {e.section}") for e in found)


def sentence_evidence(searcher: Searcher, query: str, passages: list[Passage], figures: bool = False,
                      limit: int = MAX_SENTENCES, per_speech: int = MAX_PER_SPEECH,
                      per_chunk: int = MAX_PER_CHUNK, part: str = "") -> list[Evidence]:
    """The sentences of `passages` nearest `query`, best first; a section heading or numbered
    point holding the question's words first among near equals (it states the point made)."""
    if not passages:
        return []
    index = searcher.index
    question = asked(searcher, without_common_title_words(query, index))
    rows = _chunk_rows(index)
    scored: list[Evidence] = []
    for passage in passages:
        headings = {core_text(h) for h in passage.chunk.section}
        placed = PART_BONUS if part and _in_part(index, passage.chunk, part) else 0.0
        for sentence, cosine in _sentence_scores(index, rows[passage.chunk.chunk_id], question):
            if len(core_text(sentence)) < MIN_SENTENCE_CHARS:
                continue
            words = _share(question.grams, sentence)
            score = cosine + WORD_WEIGHT * words + PASSAGE_WEIGHT / max(passage.rank, 1) ** 0.5 + placed
            if figures and FIGURE.search(sentence):
                score += FIGURE_BONUS
            if words and (core_text(sentence) in headings or item_marker(sentence)):
                score += HEADING_BONUS
            scored.append(_evidence(passage.chunk, sentence, score=score))
    return with_what_follows(pick(scored, limit, per_speech, per_chunk), index)


def with_what_follows(items: list[Evidence], index: CorpusIndex) -> list[Evidence]:
    """`items`, each one that only announces (……如下：) or heads (一季度生产经营状况。, ……，一要周密。)
    followed by the sentence after it, which says what it announces; each followed by the sentences
    that go on from it (其中……, 其余……), and one that goes on from the sentence before it preceded
    by that one."""
    rows = _chunk_rows(index)
    chosen = {(e.chunk_id, normalise(e.text)) for e in items}
    out: list[Evidence] = []
    for item in items:
        chunk = index.chunks[rows[item.chunk_id]]
        sentences = passage_sentences(chunk.text)
        # A heading quoted as it stands in the section path has no full stop: letters are compared.
        at = next((i for i, s in enumerate(sentences) if core_text(s) == core_text(item.text)), None)
        if at is None:
            out.append(item)
            continue
        before = sentences[at - 1:at] if at and _GOES_ON.match(item.text) else []
        announces = item.text.rstrip().endswith(("：", ":"))
        following: list[str] = []
        if announces:
            # What a colon announces may be a list of fields (新签合同额：90亿元): all of it comes.
            fields = list(takewhile(lambda s: _FIELD.match(s), sentences[at + 1:at + 1 + MAX_FIELDS]))
            following = fields or sentences[at + 1:at + 2]
        elif len(core_text(item.text)) < HEADING_CHARS or _ends_with_point(item.text):
            # What a heading heads may be notes (年计划65亿。三月底完成……): they come until a full
            # sentence's worth of text has.
            following = _through_first_full(sentences[at + 1:at + 1 + MAX_NOTES])
        end = at + 1 + len(following)
        # A total's parts (负债34亿。其中长期借款2亿元。其余是短期借款。) are half an answer without the rest.
        following += takewhile(_GOES_ON.match, sentences[end:end + MAX_NOTES])
        for sentence in [*before, item.text, *following]:
            if sentence == item.text:
                out.append(item)
            elif (item.chunk_id, normalise(sentence)) not in chosen:
                chosen.add((item.chunk_id, normalise(sentence)))
                out.append(_evidence(chunk, sentence, score=item.score))
    return out


def _ends_with_point(sentence: str) -> bool:
    """Whether a sentence's last clause opens a numbered point (要搞好综合协调，一要周密。): what
    the point says comes after it."""
    last = re.split(r"[，,；;]", sentence.strip().rstrip("。．.！!"))[-1]
    return len(core_text(last)) < HEADING_CHARS and item_marker(last) is not None


def _through_first_full(sentences: list[str]) -> list[str]:
    """`sentences` up to the first that, with those before it, holds HEADING_CHARS letters."""
    taken = 0
    for n, sentence in enumerate(sentences, start=1):
        taken += len(core_text(sentence))
        if taken >= HEADING_CHARS:
            return sentences[:n]
    return sentences


def _share(grams: set[str], text: str) -> float:
    """The share of `grams` that `text` holds."""
    return len(grams & bigrams(text)) / len(grams) if grams else 0.0


def list_evidence(searcher: Searcher, query: str, passages: list[Passage],
                  speech_ids: set[str] | None = None) -> list[Evidence]:
    """Every item, in order, of the list that answers a list question (of each named speech's
    list when it names several); [] when none does.

    The lists looked at are those of the named speeches, else those with a sentence in
    `passages`. A list answers when its lead-in or section names the question's subject (信息工作
    应把握十个“要”), when it has as many items as the question names (哪四种精神), or, for a
    question with no subject left (培训班上的讲话提了哪几点要求), at all, a list of section
    headings first: the speech's own points. The best is the one whose items and lead-in are
    nearest the question.
    """
    index = searcher.index
    question = asked(searcher, without_common_title_words(query, index), _LIST_ASKING)
    count = asked_count(query)
    thing = asked_thing(query)
    rows = _chunk_rows(index)
    shown = {rows[p.chunk.chunk_id] for p in passages}
    speeches = speech_ids if speech_ids is not None else {p.chunk.speech_id for p in passages}
    cosines: dict[int, dict[str, float]] = {}
    best: dict[str, tuple[float, NumberedList]] = {}
    for speech_id in sorted(speeches):
        for found in speech_lists(index, speech_id):
            rows_quoted = {item.row for item in found.quoted}
            if speech_ids is None and not shown & rows_quoted:
                continue
            for row in rows_quoted - set(cosines):
                cosines[row] = {normalise(s): c for s, c in _sentence_scores(index, row, question)}
            score = _list_score(index, found, question, count, cosines, thing)
            # One list per named speech; of the whole index, the best one.
            key = speech_id if speech_ids is not None else ""
            if score is not None and (key not in best or score > best[key][0]):
                best[key] = (score, found)
    # Asked for five points of the speeches named, those with five answer, not every one's best.
    if any(len(found.items) == count for _, found in best.values()):
        best = {key: kept for key, kept in best.items() if len(kept[1].items) == count}
    cap = MAX_LIST_ITEMS // max(len(best), 1)
    return [_evidence(index.chunks[item.row], item.text, score=score, listed=True)
            for score, found in best.values() for item in found.flattened(cap)]


def inline_list_evidence(query: str, passages: list[Passage]) -> list[Evidence]:
    """For 哪五个坚持 (a count, then the word each item opens with), the sentences of `passages`
    holding that word as many times: items set in one sentence (“坚持……、坚持……”的“五个坚持”),
    which a numbered list does not catch. The word is the longest of the 2 to 4 characters after
    the count that some sentence holds so often (坚持 of 哪五个坚持是什么). Each count of the
    question is tried with the word after it, in order: 十条意见里哪五个坚持 asks for five 坚持."""
    sentences = [(p.chunk, s) for p in passages for s in passage_sentences(p.chunk.text)]
    for counted in _COUNTED.finditer(to_simplified(query)):
        count, word = cn_number(counted.group(1)), counted.group(2)
        if count < 2:
            continue
        for size in range(len(word), 1, -1):
            # Opening an item: at the sentence's start or after a mark that parts items.
            opening = re.compile(rf"(?:^|[、，,；;“\"：:]){re.escape(word[:size])}")
            found = {normalise(s): (chunk, s) for chunk, s in sentences if len(opening.findall(s)) >= count}
            if found:
                return [_evidence(chunk, s, score=1.0, listed=True) for chunk, s in found.values()]
    return []


def _list_score(index: CorpusIndex, found: NumberedList, question: Asked, count: int | None,
                cosines: dict[int, dict[str, float]], thing: str = "") -> float | None:
    """How well a list answers a list question; None when it does not (see list_evidence)."""
    subject = set() if question.bare else question.grams
    label = _list_label(index, found)
    counted = count == len(found.items)
    if subject and not counted and _share(subject, label) < LABEL_SHARE:
        return None
    quoted = found.quoted
    near = max(cosines[item.row].get(normalise(item.text), 0.0) for item in quoted)
    named = _share(subject, label) if subject else _own_points(index, found)
    return (near + WORD_WEIGHT * _share(subject, " ".join(i.text for i in quoted))
            + LABEL_WEIGHT * named + COUNT_BONUS * counted
            + COUNT_BONUS * (counted and _announces(label, thing, count)))


def _own_points(index: CorpusIndex, found: NumberedList) -> float:
    """How far a list's items are the speech's own points: each counts 1 as a heading of its
    outermost sections (第一，遵从规矩……), half as a heading within one (一要……), 0 as a sentence."""
    return sum(_point_weight(index, item) for item in found.items) / len(found.items)


def _point_weight(index: CorpusIndex, item: Item) -> float:
    if not item.heading:
        return 0.0
    path = index.chunks[item.row].section
    return 1.0 if path and core_text(path[0]) == core_text(item.text) else 0.5


def _announces(label: str, thing: str, count: int) -> bool:
    """Whether a list's lead-in announces `count` of the `thing` asked for (下面，我讲五点意见
    for 讲的五点意见各是什么): a speech announcing its points so names them."""
    return bool(thing) and any(
        cn_number(m.group(1)) == count for m in re.finditer(
            rf"([一二三四五六七八九十两]+|\d{{1,2}})[条点项个种][^，。；：]{{0,3}}?{thing}", label))


def _list_label(index: CorpusIndex, found: NumberedList) -> str:
    """What a list is about: its lead-in (in item 1's sentence when item 1 follows a colon), the
    section headings it stands under, and the heading line of its own above it in the text."""
    first = found.items[0]
    lead = found.lead.text if found.lead else first.text.partition("：")[0]
    chunk = index.chunks[first.row]
    return " ".join([lead, *chunk.section, _line_heading(chunk.text, first.text)])


# A line of a passage without a sentence end, at most this long, heads what follows it
# (发挥好参谋助手作用，为县委决策服务 over the paragraph that lists 一要……二要……).
LINE_HEADING_CHARS = 40


def _line_heading(text: str, sentence: str) -> str:
    """The last heading line of `text` above `sentence`, "" when there is none."""
    at = text.find(sentence.strip())
    lines = text[:at].split("\n")[:-1] if at > 0 else []
    return next((line.strip() for line in reversed(lines)
                 if line.strip() and len(line.strip()) <= LINE_HEADING_CHARS and not ends_sentence(line)), "")


def pick(scored: list[Evidence], limit: int = MAX_SENTENCES,
         per_speech_cap: int = MAX_PER_SPEECH, per_chunk_cap: int = MAX_PER_CHUNK) -> list[Evidence]:
    """The best sentences within SCORE_MARGIN of the best, each once, a few per speech and chunk."""
    scored = sorted(scored, key=lambda e: -e.score)
    if not scored:
        return []
    floor = scored[0].score - SCORE_MARGIN
    chosen: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    per_speech: dict[str, int] = {}
    per_chunk: dict[str, int] = {}
    for item in scored:
        key = (item.speech_id, normalise(item.text))
        if item.score < floor or len(chosen) >= limit:
            break
        if key in seen or per_speech.get(item.speech_id, 0) >= per_speech_cap \
                or per_chunk.get(item.chunk_id, 0) >= per_chunk_cap:
            continue
        seen.add(key)
        per_speech[item.speech_id] = per_speech.get(item.speech_id, 0) + 1
        per_chunk[item.chunk_id] = per_chunk.get(item.chunk_id, 0) + 1
        chosen.append(item)
    return chosen


def passage_evidence(index: CorpusIndex, chunk_id: str) -> list[Evidence]:
    """Every sentence of one chunk: what 具体怎么说的 asks for about one quoted sentence."""
    chunk = index.chunks[_chunk_rows(index)[chunk_id]]
    return [_evidence(chunk, s, score=1.0) for s in passage_sentences(chunk.text)]


def point_evidence(index: CorpusIndex, focus: Evidence) -> list[Evidence]:
    """What 第八条具体怎么说的 asks for: the sentences of the quoted point's passage from the point
    up to the next point of its list; of a quote that opens no point, the whole passage."""
    sentences = passage_evidence(index, focus.chunk_id)
    marker = item_marker(focus.text)
    start = next((i for i, e in enumerate(sentences) if core_text(e.text) == core_text(focus.text)), None)
    if marker is None or start is None:
        return sentences
    kind = marker[0]
    end = next((i for i in range(start + 1, len(sentences))
                if (m := item_marker(sentences[i].text)) and m[0] == kind), len(sentences))
    return sentences[start:end]


def point_figures(index: CorpusIndex, quoted: list[Evidence]) -> list[Evidence]:
    """For a question asking figures whose quotes hold none, the sentences holding figures of the
    first numbered point quoted, up to the next point (融资难 quoted by its heading and first
    sentence: its debts come five sentences on), each with those going on from it (其中……)."""
    point = next((e for e in quoted if item_marker(e.text)), None)
    if point is None:
        return []
    sentences = point_evidence(index, point)
    kept = {normalise(e.text) for e in quoted}
    out: list[Evidence] = []
    for i, sentence in enumerate(sentences):
        goes_on = bool(out) and out[-1] is sentences[i - 1] and _GOES_ON.match(sentence.text)
        if normalise(sentence.text) not in kept and (holds_figure(sentence.text) or goes_on):
            sentence.score = point.score
            out.append(sentence)
    return out[:MAX_FIELDS]


def list_item(index: CorpusIndex, quoted: Evidence, n: int) -> Evidence | None:
    """Item `n` of the speech's list that holds the quoted item, when that list has one."""
    said = normalise(quoted.text)
    for found in speech_lists(index, quoted.speech_id):
        if any(normalise(i.text) in said or said in normalise(i.text) for i in found.items):
            item = next((i for i in found.items if (item_marker(i.text) or ("", 0))[1] == n), None)
            return _evidence(index.chunks[item.row], item.text) if item else None
    return None


def passages_after(index: CorpusIndex, passages: list[Passage], quoted: Evidence) -> list[Passage]:
    """The passages of `quoted`'s speech from its passage on: where 后面…… looks."""
    start = index.chunks[_chunk_rows(index)[quoted.chunk_id]].ordinal
    return [p for p in passages if p.chunk.speech_id == quoted.speech_id and p.chunk.ordinal >= start]


def in_reading_order(items: list[Evidence], index: CorpusIndex) -> list[Evidence]:
    """Grouped by speech (the speech of the best sentence first), in each speech in corpus order,
    numbered 1..n as shown."""
    rows = _chunk_rows(index)
    first: dict[str, int] = {}
    for rank, item in enumerate(items):
        first.setdefault(item.speech_id, rank)
    position = {id(item): i for i, item in enumerate(items)}
    ordered = sorted(items, key=lambda e: (first[e.speech_id], rows.get(e.chunk_id, 0),
                                           _place(index, rows.get(e.chunk_id), e.text), position[id(e)]))
    for n, item in enumerate(ordered, start=1):
        item.n = n
    return ordered


def _place(index: CorpusIndex, row: int | None, sentence: str) -> int:
    return index.chunks[row].text.find(sentence) if row is not None else 0


def grouped(items: list[Evidence]) -> list[tuple[tuple[str, str, str], list[Evidence]]]:
    """Items under (speech id, title, source), then kept in their order; a speech appears once."""
    groups: dict[tuple[str, str, str], list[Evidence]] = {}
    for item in items:
        groups.setdefault((item.speech_id, item.title, item.source), []).append(item)
    return list(groups.items())


def by_section(items: list[Evidence]) -> list[tuple[str, list[Evidence]]]:
    """Items in their order, each run of one section under it ("" for none)."""
    return [(section, list(run)) for section, run in groupby(items, key=lambda e: e.section)]


def evidence_chunks(index: CorpusIndex, evidence: list[Evidence]) -> dict[str, Chunk]:
    """The chunks the quoted sentences stand in, by id: a quote is read in its passage."""
    rows = _chunk_rows(index)
    return {e.chunk_id: index.chunks[rows[e.chunk_id]] for e in evidence if e.chunk_id in rows}
