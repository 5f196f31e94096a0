"""Expand one outline point into a grounded speech section.

retrieve -> plan the paragraphs from the passages' sentences -> write each paragraph
from its sources, blocked from copying; rag/check/finish.py then attaches citations and
checks copying.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from rag.check.cite import Embed, passage_sentences, split_draft, support_score
from rag.check.drift import check_point_kept
from rag.check.misquotes import mended_formulae, mended_opposites, mended_point, mended_quotes
from rag.corpus.clean import bigrams, core_text
from rag.corpus.structure import SLOT, heading_of, split_sentences
from rag.errors import WengaoError
from rag.llm.copyblock import CopyBlock, block_tokens
from rag.llm.generate import Clock, OnToken, check_input, messages_for, token_budget, write
from rag.llm.guard import without_instructions
from rag.llm.prompts import CONTEXT_CHARS, choose_passages
from rag.search.hybrid import Searcher
from rag.search.query import search_text, without_ordinal
from rag.search.relevance import require_relevant
from rag.settings import Settings
from rag.types import Draft, Passage
from rag.write.plan import Paragraph, plan_section

MAX_POINT_CHARS = 200
MIN_LENGTH, MAX_LENGTH = 50, 3000
# A leading salutation or greeting belongs to the whole speech, not to a section; so does the
# speaker introducing the talk (今天，我很荣幸…… / 我想和大家分享……).
_GREETING = re.compile(
    r"^\s*(尊敬的[^\n：:，,。]{0,20}[：:，,]|各位[^\n：:]{0,20}[：:]|各位[^\n：:，,。]{1,6}[，,]"
    r"|同志们[：:，,！!]|大家好[！!，,。]?"
    r"|(今天，?)?我(今天)?(非常|很)?(荣幸|高兴|想|要)?(在这里)?(和|与|跟|向)大家[^\n。！!]{0,40}[。！!]"
    r"|(今天，?)?我(非常|很)(荣幸|高兴)[^\n。！!]{0,40}[。！!])\s*"
)

# The model talking about its task (在撰写讲话稿时，我们应……; 原句中提到……) rather than doing it,
# framing the speech (下面我将从几个方面……), or speaking as an assistant (好的，我明白了; 感谢您……;
# 当然，我可以帮助你完成这个任务。请提供之前的文字内容).
# Greetings and thanks belong to the speech's opening and close, not inside a section.
_ASIDE = re.compile(r"撰写讲话稿|讲话稿中|讲话稿正文|这段话|这一段|本段|原句|原文|素材|上文|下文"
                    r"|以上几句|借鉴上面|请听我|听我(讲|说)一下|稍等|我(会|将)[^。！？]{0,6}(完成|输出|写出|提供)|^约?\d+字"
                    r"|这一部分讲|第[一二三四五六七八九十]段|写一段(话|讲话)|您|谢谢|大家好|^好的|我明白了|请参考|请随时|告诉我|如有需要|重写|改写"
                    r"|我[^。！？]{0,8}(演讲|讲话|发言|报告)的(主题|题目)|(和|与|跟|向)大家分享"
                    r"|(下面|接下来)，?我(将|就|想|要)|可以帮(助)?你|帮(助)?你(完成|写|修改)|请(继续)?提供|用户输入")

# The model announcing or measuring its own text: （以上内容约162字）, 以下是正文内容：
_META_SPAN = re.compile(r"[（(]以上[^）)\n]{0,20}[）)]|(以下|下面)是[^。！？：:\n]{0,20}[：:]")
# What belongs to a speech's opening or closing, not to one of its sections: the model, given
# passages from openings, sets the meeting again (今天我们在这里召开……; 我在这里代表……向大家汇报;
# 今天，我将对……进行严肃讨论; 今天，我们在这里相聚，讨论……) or
# sums up (让我们……; 在大家的共同努力下，我们一定能够……; 我们相信……一定能够取得新的成绩).
_FRAME = re.compile(r"(今天|这次|本次|此次)[^。！？]{0,15}(召开|举行|举办)|召开(这次|此次|本次)"
                    r"|我(提出|讲|谈)[^。！？]{0,6}(几点|以下)|^让我们"
                    r"|代表[^。！？]{0,12}向大家|向大家汇报|共同努力[^。！？]{0,20}一定|我们相信[^。！？]{0,30}一定能"
                    r"|^今天，?我们?(在这里|将|想|要)[^。！？]{0,30}(讨论|探讨|交流|相聚|谈|讲)|在这里相聚"
                    r"|谈(谈|一谈)?[^。！？]{0,4}[几两三四五六七八九十]点(意见|看法|体会|想法|认识|建议)"
                    r"|(和|与|跟|同)大家(谈谈|聊聊|说说|讲讲|交流一下)|在这里(发言|讲话)")
# A phrase joined to itself (遵守党规党纪和党规党纪): the model, barred from the source's pairing,
# wrote the same words on both sides. No speech says that; once is what it meant.
_DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,8})(?:和|与|及|以及|、)\1(?![\u4e00-\u9fff])")
# So does 的 written twice (对党的的信任, 工作的的基础), or a separator (严、细、、实): barred from the
# source's run, the model stuttered. 的的确确 is a word.
_STUTTER = re.compile(r"的的(?!确)")
_EXTRA_MARKS = re.compile(r"(?<=[、，,；;])[、，,；;]+")
# 首先 opening a paragraph after the first: each paragraph is written alone, and the model opens a
# later one as if the section began there (首先，我要强调的是……).
_FIRST_OF_ALL = re.compile(r"^首先[，,]?")
# Words that give a sentence its place in a list. Each paragraph is written from its own sources,
# which bring their own: 其次 with no 首先 before it, 首先 after 其次, 再次 alone. 首先 and 其次 count
# wherever they stand (……，首先要严格遵守); 再次 and 最后 only opening a clause, before a comma, 是 or
# 要 (再次强调 is "again", 坚持到最后 no list word).
_SEQUENCER = re.compile(r"(?:(首先|其次)|(?:^|(?<=[。！？!?；;，,：:]))(再次|最后)(?=[，,：:是要]))"
                        r"([，,：:]|(?=要))?")
_PLACE = {"首先": 1, "其次": 2, "再次": 3, "最后": 4}
_SENTENCE_END = "。！？!?；;"
# A list the model numbers inside its prose (……：1.我们要……2.……; ……挂钩。一、改进督查方式): a
# section is spoken prose.
_ENUMERATOR = re.compile(r"(?:^|(?<=[：:。；;！？]))\s*(?:\d{1,2}[.．、]|[一二三四五六七八九十]{1,2}、)"
                         r"\s*(?=[^\d\s.．、])")
# A sentence (or an outline point) that says an earlier one again (the model restates the point in
# each paragraph): this share of its character pairs is in the earlier one.
REPEAT_OVERLAP = 0.7
# A sentence of another section says something again only with this many character pairs: a short
# one (要加强学习。) would take with it every sentence of this section that holds its words.
MIN_WRITTEN_PAIRS = 10

# Top-level outline markers: 一、 一要 第一，
TOP_LEVEL = {"dun", "yao", "di"}
MIN_BODY_CHARS = 12
DEFAULT_TEMPERATURE = 0.3
RETRY_TEMPERATURE = 0.7
# Writing stops when less than this share of the requested length is left to write: the
# next call would run past it.
ENOUGH_SHARE = 0.1
# The plan's reserve paragraphs are written only while the section is this far short: nearer
# its length, one more paragraph would overshoot more than it makes up.
RESERVE_SHORTFALL = 0.2
MIN_PARAGRAPH_CHARS = 40
# A paragraph more than this share of whose sentences no passage supports (rag/check/cite.py's
# judge, the model not asked) has left its sources for general talk (首先要明确职责……其次……最后，
# 让每一位员工……): it is written once more, sampled more freely, and the better-supported kept.
MAX_UNSUPPORTED_SHARE = 0.5
# A paragraph of a speech runs to about 150-250 characters; shorter written pieces are joined.
PARAGRAPH_CHARS = 150
# Passages only lend the plan their sentences (the prompt holds just the chosen ones), so a
# section can look further than a prompt of whole passages could.
PLAN_CONTEXT_CHARS = 2 * CONTEXT_CHARS
LEAD = "先用一句话点明这一部分的意思，再展开；"

OnSources = Callable[[list[Passage]], None]


@dataclass
class ExpandRequest:
    point: str
    topic: str = ""
    length: int = 600
    max_copy: int | None = None  # characters in a row a sentence may share with the corpus
    # The bodies of the speech's other sections, written already: a sentence saying one of theirs
    # again goes. Written apart from the same corpus, sections repeated a stock sentence (按照“立党
    # 为公，执政为民”要求，努力克服形式主义和官僚主义…… in three of fourteen).
    written: list[str] = field(default_factory=list)


def check_point(text: str) -> str:
    return check_input(text, "提纲要点", MAX_POINT_CHARS)


def check_length(length: int) -> int:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise WengaoError(f"字数应在 {MIN_LENGTH} 到 {MAX_LENGTH} 之间。")
    return length


def strip_greeting(text: str) -> str:
    while True:
        stripped = _GREETING.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def section_body(point: str, reply: str, topic: str = "") -> str:
    """The model's reply as one section's body.

    Without a greeting, without the heading or the speech's title repeated, and
    cut where the model went on to the next outline point of the same level
    (small models sometimes write the whole speech when asked for one section).
    """
    own = heading_of(point)
    next_point = {own.kind} if own else TOP_LEVEL
    lines: list[str] = []
    for line in strip_greeting(reply).strip().splitlines():
        bare = line.strip().strip("#*").strip().rstrip("。")
        if bare in (point, topic) or not (bare or lines):
            continue
        heading = heading_of(bare)
        if lines and heading and heading.whole_line and heading.kind in next_point:
            break
        lines.append(line)
    body = "\n".join(lines).strip()
    if body.startswith(point):
        body = body[len(point):].lstrip("。：:\n ")
    return body


def without_asides(text: str) -> str:
    """The text without sentences in which the model talks about its task instead of doing it, or
    opens or closes the meeting, and without the numbers of a list it wrote into its prose."""
    return "".join(s for s in split_sentences(_ENUMERATOR.sub("", _META_SPAN.sub("", text)))
                   if not (_ASIDE.search(s) or _FRAME.search(s)))


def without_headings(body: str) -> str:
    """A paragraph's text without the heading lines the model set in it (一、明确协调的内容和方法
    over its prose): a paragraph of a section has none, and joined to its prose one garbles it."""
    lines = [line for line in body.splitlines() if not ((h := heading_of(line)) and h.whole_line)]
    return "\n".join(lines) if any(line.strip() for line in lines) else body


def undoubled(text: str) -> str:
    """`text` with each phrase joined to itself, and each 的 or separator written twice, said once
    (see _DOUBLED)."""
    return _EXTRA_MARKS.sub("", _STUTTER.sub("的", _DOUBLED.sub(r"\1", text)))


def unnumbered_point(text: str, point: str) -> str:
    """`text` with the point, where it names it with its ordinal (总之，“三要树立热情周到的服务意识”
    是关键), named without it: inside the section the number reads as a slip."""
    bare = without_ordinal(point)
    if bare == point.strip():
        return text
    return re.sub(f"[“\"「]?{re.escape(point.strip())}[”\"」]?", bare, text)


def says_again(pairs: set[str], earlier: set[str]) -> bool:
    """Whether text with the character pairs `pairs` says again what text with `earlier` said."""
    return len(pairs & earlier) >= REPEAT_OVERLAP * max(1, min(len(pairs), len(earlier)))


def without_repeats(pieces: list[str], written: list[str] | None = None) -> list[str]:
    """The pieces without the sentences that say an earlier one again, or one of the `written`
    sections' (see MIN_WRITTEN_PAIRS)."""
    seen = [pairs for text in written or [] for s in split_sentences(text)
            if len(pairs := bigrams(s)) >= MIN_WRITTEN_PAIRS]
    kept_pieces = []
    for piece in pieces:
        kept = []
        for sentence in split_sentences(piece):
            pairs = bigrams(sentence)
            if any(says_again(pairs, earlier) for earlier in seen):
                continue
            seen.append(pairs)
            kept.append(sentence)
        kept_pieces.append("".join(kept))
    return kept_pieces


def too_thin(body: str) -> bool:
    """True when the body says nothing: empty, or only 【待填】 slots."""
    return len(core_text(SLOT.sub("", body))) < MIN_BODY_CHARS


def retrieve_for(searcher: Searcher, query: str, k: int = 10, budget: int = CONTEXT_CHARS) -> list[Passage]:
    """The passages to write from; OffCorpus when the corpus does not speak to the query."""
    found = searcher.search(query, k=k)
    require_relevant(searcher, query, found)
    return choose_passages(found, budget)


def source_lines(paragraph: Paragraph) -> str:
    return "\n".join(f"{n}. {without_instructions(s.text)[0]}"
                     for n, s in enumerate(paragraph.sources, start=1))


def paragraph_messages(settings: Settings, request: ExpandRequest, paragraph: Paragraph,
                       n: int) -> list[dict]:
    """The prompt of paragraph `n`: its sources, and for the first one the point without its
    ordinal or outline shell. A small model opens with whatever heading or occasion it is
    given, and told the point in every paragraph it restated it in each; shown the paragraph
    before, it wrote that one again. So later paragraphs are only told where they stand."""
    assignment = (f"请围绕“{search_text(request.point)}”，用自己的话把上面原句的意思写成一段讲话，" if n == 0
                  else "请用自己的话把上面原句的意思写成一段讲话，接在前文之后，直接从具体内容写起，")
    return messages_for(settings, "paragraph", assignment=assignment, sources=source_lines(paragraph),
                        length=paragraph.length, lead="" if n else LEAD)


def write_paragraph(settings: Settings, generator, request: ExpandRequest, paragraph: Paragraph, n: int,
                    block: CopyBlock, on_token: OnToken | None,
                    temperature: float = DEFAULT_TEMPERATURE) -> str:
    """One paragraph from its source sentences, as one line of text.

    The 1.5B model now and then answers with a lone 【待填】 slot; sampling more freely once
    more nearly always gives a real paragraph. Over very few sources, a model banned from
    every word it would copy can write nothing usable at all: then it is written once more
    with only the sources' own next tokens banned.
    """
    messages = paragraph_messages(settings, request, paragraph, n)
    # Nor may it echo its own instructions (a small model starts with 这一部分讲……).
    block.extra += [m["content"] for m in messages]
    text = ""
    for heat, whole_words in ((temperature, True), (RETRY_TEMPERATURE, True), (RETRY_TEMPERATURE, False)):
        reply = write(generator, messages, token_budget(paragraph.length), on_token, temperature=heat,
                      length=paragraph.length, block=replace(block, whole_words=whole_words))
        body = without_headings(section_body(request.point, reply, request.topic))
        text = unnumbered_point(undoubled(without_asides("".join(body.split()))), request.point)
        said = [source.text for source in paragraph.sources]
        text = mended_formulae(mended_opposites(mended_quotes(text, said), said), block.sources)
        text = mended_point(text, without_ordinal(request.point))
        if n:
            text = _FIRST_OF_ALL.sub("", text)
        if not too_thin(text):
            break
        if on_token:
            on_token("\n")
    return text


def in_order(pieces: list[str]) -> list[str]:
    """The pieces without the list words that break their order (see _SEQUENCER): 其次 must follow
    首先, and 再次 其次. 最后 may close clauses that no list word numbered, and after it a new list may
    begin. Only a word opening a sentence goes, and only where the sentence reads whole without it
    (其次是…… stays)."""
    place = 0  # the list word last kept; 0 before any and after 最后

    def kept(word: re.Match[str]) -> str:
        nonlocal place
        now = _PLACE[word.group(1) or word.group(2)]
        if (now == 1 and place == 0) or (now in (2, 3) and place == now - 1) or now == 4:
            place = 0 if now == 4 else now
            return word.group(0)
        opens = word.start() == 0 or word.string[word.start() - 1] in _SENTENCE_END
        return "" if opens and word.group(3) is not None else word.group(0)

    return [_SEQUENCER.sub(kept, piece) for piece in pieces]


def trim_to_length(pieces: list[str], length: int) -> list[str]:
    """The pieces without their last sentences while dropping one brings the section nearer
    `length`: the model stops only at a sentence end past its length, and its sentences run
    long, so the last one can overshoot by half a paragraph."""
    pieces = [p for p in pieces if p]
    total = sum(len(core_text(p)) for p in pieces)
    while pieces:
        sentences = split_sentences(pieces[-1])
        shorter = total - len(core_text(sentences[-1]))
        if abs(shorter - length) >= abs(total - length):
            break
        total = shorter
        pieces[-1] = "".join(sentences[:-1])
        if not pieces[-1]:
            pieces.pop()
    return pieces


def join_short(pieces: list[str]) -> list[str]:
    """Pieces written one call each, as paragraphs: a short piece goes on the paragraph before it."""
    paragraphs: list[str] = []
    for piece in pieces:
        if paragraphs and len(core_text(paragraphs[-1])) < PARAGRAPH_CHARS:
            paragraphs[-1] += piece
        else:
            paragraphs.append(piece)
    return paragraphs


class SupportCheck:
    """How much of a written paragraph the passages support, judged as its citations will be."""

    def __init__(self, passages: list[Passage], embed: Embed):
        self.embed = embed
        said = [(p.chunk.text, passage_sentences(p.chunk.text)) for p in passages]
        self.passages = [(text, embed(sentences)) for text, sentences in said if sentences]

    def unsupported_share(self, text: str) -> float:
        claims = [u.text for u in split_draft(text) if u.kind == "claim"]
        if not claims or not self.passages:
            return 0.0
        vectors = np.asarray(self.embed(claims))
        unsupported = sum(not any(support_score(claim, passage, vector, rows)["supported"]
                                  for passage, rows in self.passages)
                          for claim, vector in zip(claims, vectors))
        return unsupported / len(claims)


def write_section(settings: Settings, generator, request: ExpandRequest, passages: list[Passage],
                  plan: list[Paragraph], on_token: OnToken | None,
                  temperature: float = DEFAULT_TEMPERATURE, support: SupportCheck | None = None) -> str:
    """The section's body, written paragraph by paragraph from the plan until it is long enough."""
    pieces: list[str] = []
    for n, planned in enumerate(plan):
        left = request.length - sum(len(core_text(p)) for p in pieces)
        if left < (RESERVE_SHORTFALL if planned.reserve else ENOUGH_SHARE) * request.length:
            break
        if n and on_token:
            on_token("\n\n")
        paragraph = replace(planned, length=max(MIN_PARAGRAPH_CHARS, min(planned.length, left)))
        # The heading and topic are blocked too: the model would open by writing them out again.
        block = CopyBlock([p.chunk.text for p in passages] + [request.point, request.topic],
                          n=block_tokens(request.max_copy), extra=pieces[:])
        text = write_paragraph(settings, generator, request, paragraph, n, block, on_token, temperature)
        share = support.unsupported_share(text) if support and not too_thin(text) else 0.0
        if share > MAX_UNSUPPORTED_SHARE:
            if on_token:
                on_token("\n\n——上段离材料较远，重写如下——\n\n")
            again = write_paragraph(settings, generator, request, paragraph, n, block, on_token,
                                    RETRY_TEMPERATURE)
            if not too_thin(again) and support.unsupported_share(again) < share:
                text = again
        if not too_thin(text):
            pieces.append(text)
    pieces = in_order(without_repeats(pieces, request.written))
    return "\n\n".join(join_short(trim_to_length(pieces, request.length)))


def expand(
    settings: Settings,
    searcher: Searcher,
    generator,
    request: ExpandRequest,
    on_sources: OnSources | None = None,
    on_token: OnToken | None = None,
) -> tuple[Draft, list[Passage]]:
    """Write one section; sources are reported before the first token.

    The section is planned from the passages' sentences (rag/write/plan.py) and written a paragraph
    at a time from its own sources, blocked from copying them or any passage shown, or
    repeating an earlier paragraph.
    """
    request.point = check_point(request.point)
    check_length(request.length)
    clock = Clock()
    # The point alone: a topic such as "在全市…会议上的讲话" matches every speech's opening.
    passages = retrieve_for(searcher, request.point, budget=PLAN_CONTEXT_CHARS)
    plan = plan_section(request.point, passages, searcher.encode_queries, request.length)
    clock.mark_retrieved()
    if on_sources:
        on_sources(passages)
    on_token = clock.watch(on_token)
    # A section that drifts from its point is written once more, sampled more freely, from the
    # same plan; flagged if it drifts again.
    support = SupportCheck(passages, searcher.encode_queries)
    for temperature in (DEFAULT_TEMPERATURE, RETRY_TEMPERATURE):
        body = write_section(settings, generator, request, passages, plan, on_token, temperature, support)
        kept = check_point_kept(request.point, body.split("\n\n"), searcher.encode_queries) if body else None
        if kept is None or kept.on_point or temperature == RETRY_TEMPERATURE:
            break
        on_token("\n\n——上文偏离了要点，重写如下——\n\n")
    # The heading is the user's own words; the model writes only the body.
    draft = Draft(text=f"{request.point}\n{body}")
    if too_thin(body):
        draft.notes.append("模型没有写出正文，请换一种说法表述要点，或补充相关材料后再试。")
    elif kept and not kept.on_point:
        draft.notes.append("这一节重写后仍可能偏离要点，请对照要点检查，或换一种说法表述要点后再试。")
    draft.timings = clock.report(generator)
    return draft, passages
