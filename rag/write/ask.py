"""Answer a question about the corpus: the sentences that answer it first, then a short synthesis.

A lookup question (which speeches say X, what targets were set, how one speech put a topic)
has its answer in the corpus, so the answer is that evidence, quoted exactly with its sources
(rag/write/evidence.py), handed over before the model starts. The model then adds a few sentences
over the quoted sentences only; not over a list quoted whole (the list is the answer), nor over
the nearest sentences shown for a which-question judged off the corpus. A 1.5B model reading
passages echoed its own prompt and examples, so its prompt carries no answer-shaped text, and
every sentence it writes is held back until it is whole and checked: one that repeats a run of
the prompt ends the reply (a reply with nothing kept is written once more, then dropped: the
evidence still answers); one stating a figure, name or date the quotes do not hold is left out.
It writes under the copy block of drafting, so it cannot copy the quotes it is shown.

A follow-up (那县里的讲话呢？ 第二条具体怎么说的？) is read with the previous question and
its evidence (`Context`).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from rag.check.cite import model_verifier, strip_markers
from rag.check.copycheck import CopyIndex, figures_out_of_place, invented_specifics, normalise
from rag.check.finish import finish_draft
from rag.corpus.clean import bigrams, core_text
from rag.corpus.structure import SLOT, TERMINAL, open_title
from rag.errors import OffCorpus
from rag.index.store import CorpusIndex
from rag.llm.copyblock import CopyBlock, block_tokens
from rag.llm.generate import Clock, OnToken, check_input, token_budget, write
from rag.llm.guard import without_instructions
from rag.llm.prompts import read_prompt
from rag.search.hybrid import Searcher
from rag.search.query import quoted_phrases
from rag.search.relevance import require_relevant, term_coverage
from rag.search.speech_names import named_speeches, naming_quotes, without_speech_names
from rag.settings import Settings
from rag.types import Chunk, Draft, Passage
from rag.write.evidence import (
    FIGURE,
    Evidence,
    answer_evidence,
    candidates,
    in_reading_order,
    list_item,
    literal_evidence,
    passage_evidence,
    passages_after,
    point_evidence,
    speech_part,
    with_what_follows,
)
from rag.write.numbered_lists import cn_number, item_marker

MAX_QUESTION_CHARS = 300
ANSWER_CHARS = 300
# The synthesis is a few sentences: the quotes are the answer.
SYNTHESIS_CHARS = 120
# Quotes given to the model at most (a literal phrase can occur many times; all are listed).
PROMPT_SENTENCES = 6
PROMPT_CHARS = 800
# Characters in a row a reply sentence may share with the prompt's own text before it counts
# as echoing it: the prompt's phrases are instructions, an answer has no use for 8 of them.
ECHO_CHARS = 8
RETRY_TEMPERATURE = 0.7
SYNTHESIS_LABEL = "归纳"
ECHO_NOTE = "模型复述了提示词，归纳已略去；上面的原句就是回答。"
DROPPED_NOTE = "归纳中有原句里没有的具体信息，这些句子已略去："
NO_PHRASE_NOTE = "语料中没有找到{phrases}，下面是意思相近的原句。"
# 哪篇讲话说过……, 哪些讲话反对……: the asker remembers a speech saying it and asks in words of
# their own, which the off-corpus judge, calibrated on topics, may find nowhere in the corpus
# (美西战争时穿越丛林送信的故事 for the story of the message to Garcia). Such a question judged
# off the corpus is still shown the few sentences nearest it, flagged, with no synthesis over them.
_ASKS_WHICH = re.compile(r"哪[一几]?[篇些次个位]?(?:讲话|发言|会上|次会|材料|领导)|谁[讲说提]过")
NEAREST_SENTENCES = 3
NEAREST_NOTE = "语料中没有找到明确谈及这一意思的讲话；上面是意思最接近的原句，未必相关，请核对。"

# 后面还举了哪个例子？ asks what the speech says after what was quoted.
_AFTER_OPENERS = "后面|后边|接着|接下来|然后|再往后"
_AFTER = re.compile(f"^({_AFTER_OPENERS})")
# 那县里的讲话呢？ 还有呢？ 其中第二条……: a question that leans on the one before.
_FOLLOW_UP = re.compile(f"^(那么?|那|还有|另外|再|其中|这些?|上面|刚才|它们?|他们|{_AFTER_OPENERS})"
                        r"|呢[？?。]?$")
_ORDINAL = re.compile(r"第([一二三四五六七八九十]|\d{1,2})(?:条|点|处|句|个|项|段|种|类|方面)")
# What an ordinal follow-up names after its measure word (第三种精神, 第二条要求), if anything.
_ORDINAL_THING = re.compile(
    _ORDINAL.pattern + r"(?!具体|是|说|讲|怎|指|什|又|呢|的|内容|意思)([\u4e00-\u9fff]{2})")
# 其中抓作风建设那一条: a follow-up naming one item of the previous answer by its words, asking for
# what that point says (the point's heading was quoted; what it asks comes after it).
_NAMED_ITEM = re.compile(r"([\u4e00-\u9fff“”\"]{2,16}?)(?:那|这)一?(?:条|点|项|部分|块|方面)")
# The share of the named words' character pairs an item must hold to be the one named.
ITEM_NAMED_SHARE = 0.5
# What a follow-up says besides what it is about: 那, 呢, 讲话, 怎么说的.
_FOLLOW_UP_WORDS = re.compile(
    f"^(那么?|还有|另外|再|其中|{_AFTER_OPENERS})|呢|的?讲话|那篇|这篇|具体|怎么(说|讲|要求)的?"
    r"|是什么|[？?。，,！!]")

# What a question asking where a quoted phrase stands says besides the phrase: 哪几篇讲话里出现过,
# 这个说法出自哪篇讲话, 是哪些讲话用的. Letters left beyond these, BEYOND_CHARS or more, ask more.
_WHERE_WORDS = re.compile(
    r"哪几篇|哪篇|哪些|哪里|哪儿|讲话|地方|出现|出自|用了|用到|用过|用的|提到|提过|说到|讲到|讲了|讲的|"
    r"说法|提法|俗话|这句话|这个|这句|一词|[词话里中在有是的过了吗呢那]")
BEYOND_CHARS = 4
_IN_QUOTES = re.compile(r"[“\"「『《]([^”\"」』》]{2,60})[”\"」』》]")
# A sentence about the quotes rather than their content: 这两句都依据了原句中的编号。
_ABOUT_QUOTES = re.compile(r"原句|原文|编号|引用了|这(两|几|些)句|以上(内容|几句)|上述(内容|原句)")
# A reply sentence that names no speech and adds at most RESTATED_NEW letters, none of them a
# figure, to runs of RESTATED_RUN or more of the question's own words (往上报情况要说实话 for
# 哪些讲话强调往上报情况要说实话) says back what was asked as if the quotes had said it: the small
# model writes one when the quotes do not answer. One naming a speech (《…》强调……) answers
# "which speech", and its citation is checked like any other. A long question said back gets
# a few more letters (……对办公室人员提出了更高的要求 for ……对办公室人员有什么要求): up to
# RESTATED_SHARE of the sentence.
RESTATED_RUN = 4
RESTATED_NEW = 4
RESTATED_SHARE = 0.2
# A reply sentence of QUOTE_RESTATED_CHARS letters or more whose wording is mostly one quote's (this
# share of its character bigrams, titles in 《》 aside) says that quote again, on screen above it, in
# words the copy bound made the model swap: 必须把规矩的对标尺立得更高一点 for 必须把规矩的标尺立得
# 更高一点. Over the sentences the 1.5B wrote for one set, such near-copies scored 0.78 to 0.84 and
# syntheses 0.71 at most. A short one (全年印发信息27期。) is an answer put briefly, and so is one
# stating a figure (至2015年营业收入目标是120亿元。): its numbers are checked against the quotes.
QUOTE_RESTATED = 0.75
QUOTE_RESTATED_CHARS = 20
_TITLE = re.compile(r"《[^》]*》")
# 1. 2、 (3) opening a sentence: the model numbering its list, not a figure it states.
_LIST_MARK = re.compile(r"^\s*[（(]?[0-9０-９]{1,2}\s*[.．、)）]\s*")
# A synthesis sentence naming one speech whose words are another speech's quote's (at least
# MISATTRIBUTED_PAIRS character pairs, and under MISATTRIBUTED_SHARE of them in any quote of the speech
# it names) puts one speech's words in another's mouth: the small model, asked which speech
# trains skilled workers, named the health commission's speech over the group company's words.
MISATTRIBUTED_PAIRS = 6
MISATTRIBUTED_SHARE = 0.5
# 二是……, 第三，: the items of a list a synthesis numbers must be items the quotes number so.
# Shown the first item of a list and a sentence after it, the small model numbered the words of
# that sentence as the other items (一是做实干的表率；二是默默无闻、任劳任怨；三是埋头苦干).
_ITEM_NUMBER = re.compile(r"(?:^|(?<=[，,；;：:。、\s]))"
                          r"([一二三四五六七八九十]+[是要]|第[一二三四五六七八九十]+(?=[，,、是]))")

OnEvidence = Callable[[list[Evidence]], None]


@dataclass
class Context:
    """What a follow-up is read with: the previous question as searched, and its evidence."""

    query: str
    phrases: list[str]
    speech_ids: set[str] | None
    evidence: list[Evidence]


@dataclass
class Answer:
    """The evidence (the answer to a lookup), the synthesis over it, and what was searched."""

    question: str
    query: str
    evidence: list[Evidence]
    draft: Draft
    phrases: list[str] = field(default_factory=list)
    speech_ids: set[str] | None = None
    echo_cuts: int = 0  # replies stopped for repeating the prompt (each then written once more)

    def context(self) -> Context:
        return Context(self.query, self.phrases, self.speech_ids, self.evidence)

    def passages(self) -> list[Passage]:
        return evidence_passages(self.evidence)

    def to_dict(self) -> dict:
        """The synthesis as every drafting command returns its draft, with the evidence beside it."""
        return {"question": self.question, "query": self.query, "phrases": self.phrases,
                "evidence": [e.to_dict() for e in self.evidence], "echo_cuts": self.echo_cuts,
                **self.draft.to_dict()}


@dataclass
class Request:
    """A question resolved against the one before it: what to look up, and where."""

    query: str
    phrases: list[str]
    speech_ids: set[str] | None
    focus: Evidence | None = None  # 第二条……: one quoted sentence of the previous answer
    # What the off-corpus judge reads when it is not the query: the question with the speech
    # names the query leaves out (培训班上的讲话提了哪几点要求 is about the corpus; 提了哪几点要求
    # alone names nothing it speaks of). None: judged with the question before, which this one
    # asks again of other speeches (那县里的讲话呢？).
    judged: str | None = ""
    part: str = ""  # the part of a speech asked of (evidence.speech_part)
    after: Evidence | None = None  # 后面……: the last sentence the previous answer quoted


def check_question(text: str) -> str:
    return check_input(text, "问题", MAX_QUESTION_CHARS)


def is_follow_up(question: str) -> bool:
    return bool(_FOLLOW_UP.search(question.strip()) or _ORDINAL.search(question))


def _ordinal(question: str) -> tuple[int, str] | None:
    """The number an ordinal follow-up asks for, and what it counts when it says (see _ORDINAL_THING)."""
    m = _ORDINAL.search(question)
    if not m:
        return None
    named = _ORDINAL_THING.search(question)
    return cn_number(m.group(1)), named.group(2) if named else ""


def _nth_point(evidence: list[Evidence], n: int, thing: str = "",
               index: CorpusIndex | None = None) -> Evidence:
    """The quote numbered `n` of the first list the quotes hold that has such an item (第二条 is
    the item 二是…, though sentences quoted beside the list may stand before it; 第八个 is 八是…
    when the first list, 1、…4、, leads into the list of ten), else the n-th quote.

    A follow-up naming what it counts (第三种精神) takes the list whose quoted items name it, and
    that list's item `n` from the speech when the quotes stop short of it (三是竞争能力 was quoted
    before 一是“钉子”精神 and 二是“傻子”精神)."""
    markers = [item_marker(e.text) for e in evidence]
    for e, marker in zip(evidence, markers):
        if thing and index is not None and marker and thing in e.text:
            found = e if marker[1] == n else list_item(index, e, n)
            if found is not None:
                return found
    for kind in dict.fromkeys(m[0] for m in markers if m):
        found = next((e for e, m in zip(evidence, markers) if m == (kind, n)), None)
        if found is not None:
            return found
    return evidence[n - 1]


def _named_item(question: str, evidence: list[Evidence], index: CorpusIndex) -> Evidence | None:
    """The item (五是抓好办公室作风建设。) a follow-up names by its words (其中抓作风建设那一条):
    a quoted one, else one of the quoted speeches' (the answer before may have missed the list)."""
    m = _NAMED_ITEM.search(_FOLLOW_UP_WORDS.sub("", question))
    grams = bigrams(m.group(1)) if m else set()
    if not grams or not evidence:
        return None

    def named(pool: Iterable[Evidence]) -> Evidence | None:
        shared = [(len(grams & bigrams(e.text)), e) for e in pool if item_marker(e.text)]
        best = max(shared, key=lambda pair: pair[0], default=(0, None))
        return best[1] if best[0] >= ITEM_NAMED_SHARE * len(grams) else None

    # The speeches' sentences are split only when the quotes hold no such item.
    speeches = dict.fromkeys(e.speech_id for e in evidence)
    return named(evidence) or named(e for speech_id in speeches for chunk in index.speech_chunks(speech_id)
                                    for e in passage_evidence(index, chunk.chunk_id))


def _last_quoted(question: str, context: Context, named: set[str] | None) -> Evidence | None:
    """For 后面……, where the previous answer stopped: the last sentence it quoted when it quoted one
    speech; of several, its best-scored quote (后面还举了哪个例子 after a story quoted beside other
    speeches' sentences), when one scored best. None when the question names another speech."""
    if not _AFTER.match(question) or not context.evidence:
        return None
    speeches = {e.speech_id for e in context.evidence}
    ranked = sorted(context.evidence, key=lambda e: -e.score)
    # A literal phrase's quotes all score alike: none of them is where the answer stopped.
    best = ranked[0] if len(ranked) == 1 or ranked[0].score > ranked[1].score else None
    quoted = context.evidence[-1] if len(speeches) == 1 else best
    if quoted is None or (named is not None and named != {quoted.speech_id}):
        return None
    return quoted


def resolve(question: str, searcher: Searcher, context: Context | None = None) -> Request:
    """What `question` asks for, read with the previous question when it is a follow-up."""
    request = _followed(question, searcher, context)
    request.part = speech_part(question)
    return request


def _followed(question: str, searcher: Searcher, context: Context | None) -> Request:
    index = searcher.index
    named = named_speeches(question, index)
    naming = naming_quotes(question, index)
    phrases = [p for p in quoted_phrases(question) if p not in naming]
    unnamed = without_speech_names(question, index) if named else question
    rest = _FOLLOW_UP_WORDS.sub("", unnamed)
    # 三冶那篇具体是怎么讲的？ asks nothing of its own: it leans on the question before, too.
    leans = is_follow_up(question) or (named is not None and not phrases and len(core_text(rest)) < 2)
    if context is None or not leans:
        return Request(unnamed, phrases, named, judged=question)
    ordinal = _ordinal(question)
    if ordinal is not None and 1 <= ordinal[0] <= len(context.evidence) and named is None:
        return Request(context.query, context.phrases, context.speech_ids,
                       focus=_nth_point(context.evidence, *ordinal, index))
    item = _named_item(question, context.evidence, index) if named is None else None
    if item is not None:
        return Request(context.query, context.phrases, context.speech_ids, focus=item)
    if phrases or len(core_text(rest)) >= 2:
        # 那信息工作呢？ asks the same of another subject, in the speeches asked about before. Only a
        # subject the corpus lacks is judged again: 那具体到眼下，点了哪些事？ goes on with the last, and
        # 后面还举了哪个例子？ asks of what follows a quote, not of a subject.
        known = term_coverage(index.bm25, rest, index.bm25_chars) == 1.0 and not phrases
        quoted = _last_quoted(question, context, named)
        speech_ids = {quoted.speech_id} if quoted else named or context.speech_ids
        return Request(question if phrases else rest, phrases, speech_ids,
                       judged=None if known or quoted else "", after=quoted)
    # 那县里的讲话呢？ asks the same in other speeches.
    return Request(context.query, context.phrases, named, judged=None)


def gather(searcher: Searcher, request: Request) -> tuple[list[Evidence], list[str]]:
    """The evidence for a request, numbered in reading order, and notes for the user.

    OffCorpus when a question without quoted phrases finds nothing the corpus speaks to, unless it
    asks which speech said something (see _ASKS_WHICH).
    """
    index = searcher.index
    notes: list[str] = []
    nearest_only = False
    if request.focus is not None:
        return in_reading_order(point_evidence(index, request.focus), index), notes
    # A phrase standing as a point's heading (六是内容要实) is quoted with what the point says.
    items = with_what_follows([e for phrase in request.phrases
                               for e in literal_evidence(index.chunks, phrase, request.speech_ids)], index)
    if request.phrases and not items:
        notes.append(NO_PHRASE_NOTE.format(phrases="、".join(f"“{p}”" for p in request.phrases)))
    if not items or asks_beyond(request.query, request.phrases):
        found = candidates(searcher, request.query, request.speech_ids)
        if request.after is not None:
            found = passages_after(index, found, request.after) or found
        if request.judged is not None and not items:
            # Judged on the whole index's top 10, as the judge was calibrated.
            judged = request.judged or request.query
            top = found[:10] if request.speech_ids is None else searcher.search(judged, k=10)
            try:
                require_relevant(searcher, judged, top)
            except OffCorpus:
                if not _ASKS_WHICH.search(judged):
                    raise
                notes.append(NEAREST_NOTE)
                nearest_only = True
        # Quoted once per speech: a heading the phrase was found in is also a sentence of the text.
        listed = {(e.speech_id, core_text(e.text)) for e in items}
        items += [e for e in answer_evidence(searcher, request.query, found, request.speech_ids,
                                             request.part)
                  if (e.speech_id, core_text(e.text)) not in listed]
        if nearest_only:
            items = items[:NEAREST_SENTENCES]
    return in_reading_order(items, index), notes


def asks_beyond(question: str, phrases: list[str]) -> bool:
    """Whether a question with quoted phrases asks more than where they stand: “三五”规划里资产
    总额要做到多少 names the plan in quotation marks and asks for its figures; 哪些讲话用了“雷厉风行”
    asks only where the phrase is."""
    rest = question
    for phrase in phrases:
        rest = rest.replace(phrase, " ")
    return len(core_text(_WHERE_WORDS.sub(" ", rest))) >= BEYOND_CHARS


def evidence_passages(evidence: list[Evidence]) -> list[Passage]:
    """Each quoted sentence as a passage of its own, in citation order: the synthesis is cited
    against the sentences it was written from, and [n] is the number the sentence is shown with."""
    return [Passage(Chunk(str(e.n), e.speech_id, e.title, e.source,
                          e.section.split(" > ") if e.section else [], e.text, e.n), e.score, e.n)
            for e in evidence]


def quote_lines(evidence: list[Evidence]) -> str:
    """The quotes as the model reads them: numbered, each under its speech, within PROMPT_CHARS."""
    lines, used = [], 0
    for e in evidence[:PROMPT_SENTENCES]:
        line = f"[{e.n}]《{e.title}》{without_instructions(e.text)[0]}"
        if lines and used + len(line) > PROMPT_CHARS:
            break
        lines.append(line)
        used += len(line)
    return "\n".join(lines)


def synthesis_messages(settings: Settings, evidence: list[Evidence], question: str,
                       length: int) -> list[dict]:
    return [{"role": "system", "content": read_prompt(settings.prompts, "ask_system")},
            {"role": "user", "content": read_prompt(settings.prompts, "ask").format(
                quotes=quote_lines(evidence), question=question, length=length)}]


def template_text(settings: Settings) -> list[str]:
    """The prompt's own wording, without what is filled in: what a reply may not repeat."""
    pieces = [read_prompt(settings.prompts, "ask_system")]
    pieces += re.split(r"\{[a-z_]+\}", read_prompt(settings.prompts, "ask"))
    return [p for p in pieces if p.strip()]


def misquoted(sentence: str, sources: list[str]) -> bool:
    """True when the sentence puts in quotation marks or 《》 words no quote or title holds as written."""
    joined = normalise("".join(sources))
    return any(normalise(m.group(1)) not in joined for m in _IN_QUOTES.finditer(sentence))


def restates_a_quote(sentence: str, sources: list[str]) -> bool:
    """Whether `sentence` is mostly one of `sources` said again (see QUOTE_RESTATED)."""
    text = _TITLE.sub("", sentence)
    if len(core_text(text)) < QUOTE_RESTATED_CHARS or FIGURE.search(text):
        return False
    grams = bigrams(text)
    return any(len(grams & bigrams(source)) >= QUOTE_RESTATED * len(grams) for source in sources)


class EchoedPrompt(Exception):
    """Raised from the token callback to stop a reply that repeats its prompt."""


def restates(sentence: str, question: str) -> bool:
    """Whether `sentence` only says `question` back (see RESTATED_NEW)."""
    if "《" in sentence or "》" in sentence:
        return False
    text, asked = core_text(sentence), core_text(question)
    covered = [False] * len(text)
    for start in range(len(text)):
        end = start + RESTATED_RUN
        if end > len(text) or text[start:end] not in asked:
            continue
        while end < len(text) and text[start:end + 1] in asked:
            end += 1
        covered[start:end] = [True] * (end - start)
    new = "".join(ch for ch, seen in zip(text, covered) if not seen)
    allowed = max(RESTATED_NEW, int(RESTATED_SHARE * len(text)))
    return any(covered) and len(new) <= allowed and not FIGURE.search(new)


class SentenceGate:
    """Holds a reply back a sentence at a time and passes on only sentences fit to show.

    A sentence repeating ECHO_CHARS or more of the prompt's own text, or holding a 【待填】
    slot, stops the reply (what follows an echo is more of it); one stating a specific the
    quotes lack is left out and listed in `dropped`; one saying the question back, or one quote
    again, or naming one speech over and over, is left out. `titles`: the title of each speech
    quoted, once per speech (two speeches may share one); `quoted_under`: the title each quote is
    under, when known: a sentence naming one speech while saying another's words is left out.
    """

    def __init__(self, template: CopyIndex, quotes: list[str], on_token: OnToken | None,
                 question: str = "", titles: list[str] | None = None,
                 quoted_under: list[str] | None = None):
        self.template = template
        self.quotes = quotes
        self.quoted_under = quoted_under or []
        # What a specific or a quotation may come from: the quotes and the titles they are under.
        self.sources = quotes + list(dict.fromkeys(titles or []))
        self.speeches_titled = Counter(titles or [])
        self.on_token = on_token
        self.question = question
        self.pending = ""
        self.kept: list[str] = []
        self.dropped: list[str] = []
        self.echoed = False

    def __call__(self, piece: str) -> None:
        self.pending += piece
        while (end := self._sentence_end()) is not None:
            sentence, self.pending = self.pending[:end], self.pending[end:]
            self._judge(sentence)

    def _sentence_end(self) -> int | None:
        """Where the first whole sentence of `pending` ends; a stop inside a title (an untitled
        speech's label ends 秘书长…) does not end it."""
        return next((m.end() for m in TERMINAL.finditer(self.pending)
                     if not open_title(self.pending[:m.end()])), None)

    def close(self) -> None:
        if core_text(self.pending):
            self._judge(self.pending)
        self.pending = ""

    def _judge(self, sentence: str) -> None:
        sentence = _LIST_MARK.sub("", sentence)
        bare = strip_markers(sentence).strip()
        if not core_text(bare):
            return
        if SLOT.search(bare) or self.template.longest_copied_run(bare)[0] >= ECHO_CHARS:
            self.echoed = True
            raise EchoedPrompt
        if (_ABOUT_QUOTES.search(bare) or restates(bare, self.question)
                or restates_a_quote(bare, self.quotes) or self._names_a_speech_again(bare)):
            return  # talk about the quotes and their numbers, the question said back, a quote again
        if (invented_specifics(bare, self.sources) or figures_out_of_place(bare, self.sources)
                or misquoted(bare, self.sources) or self._numbers_items_unquoted(bare)
                or self._misattributes(bare)):
            self.dropped.append(bare)
            return
        self.kept.append(sentence.strip())
        if self.on_token:
            self.on_token(bare)

    def _misattributes(self, sentence: str) -> bool:
        """Whether `sentence` names one speech but says what a quote of another speech says
        (see MISATTRIBUTED_PAIRS)."""
        named = {t for t in self.quoted_under if f"《{t}》" in sentence}
        if len(named) != 1:
            return False
        grams = bigrams(_TITLE.sub("", sentence))
        shared = [(len(grams & bigrams(q)), t in named) for q, t in zip(self.quotes, self.quoted_under)]
        own = max((n for n, is_named in shared if is_named), default=0)
        other = max((n for n, is_named in shared if not is_named), default=0)
        return other >= MISATTRIBUTED_PAIRS and MISATTRIBUTED_SHARE * other > own

    def _numbers_items_unquoted(self, sentence: str) -> bool:
        """Whether `sentence` numbers an item (二是, 第三) that no quote numbers so."""
        return any(not any(m.group(1) in quote for quote in self.quotes)
                   for m in _ITEM_NUMBER.finditer(sentence))

    def _names_a_speech_again(self, sentence: str) -> bool:
        """Whether `sentence` names a title more often than speeches bear it: the small model's
        list of speeches can run on (《甲》、《乙》、《乙》、《乙》)."""
        return any(sentence.count(f"《{title}》") > n for title, n in self.speeches_titled.items())

    @property
    def text(self) -> str:
        return "".join(self.kept)


def copy_bound(sources: list[str], phrases: list[str], titles: list[str]) -> CopyBlock:
    """The copy bound of drafting over the quotes (they are on screen already, the synthesis says
    it anew), except the phrases asked about: a phrase is named as it is written, not reworded;
    and a speech's title is named whole. The reply may repeat itself: an answer names one
    speech's title in several sentences."""
    for phrase in phrases:
        sources = [part for s in sources for part in s.split(phrase)]
    return CopyBlock(sources, n=block_tokens(None), self_repeat=False, allowed=titles)


def synthesise(settings: Settings, generator, evidence: list[Evidence], question: str, length: int,
               on_token: OnToken | None = None,
               phrases: list[str] | None = None) -> tuple[str, list[str], int]:
    """A few sentences over the quoted sentences only, notes on what was left out, and how many
    replies were cut for echoing the prompt."""
    messages = synthesis_messages(settings, evidence, question, length)
    template = CopyIndex(template_text(settings))
    sources = [e.text for e in evidence]
    # Titles are named again and again in an answer, and are not copying: the quotes are.
    titles = list(dict.fromkeys(e.title for e in evidence))
    block = copy_bound(sources, phrases or [], titles)
    titled = list({e.speech_id: e.title for e in evidence}.values())
    notes: list[str] = []
    echoes = 0
    for temperature in (0.3, RETRY_TEMPERATURE):
        gate = SentenceGate(template, sources, on_token, question, titled, [e.title for e in evidence])
        try:
            write(generator, messages, token_budget(length), gate, temperature=temperature,
                  length=length, block=block)
            gate.close()
        except EchoedPrompt:
            echoes += 1
        if gate.kept or not gate.echoed:
            break
    if gate.echoed and not gate.kept:
        notes.append(ECHO_NOTE)
    if gate.dropped:
        notes.append(DROPPED_NOTE + "".join(gate.dropped))
    return gate.text, notes, echoes


def renumber(draft: Draft) -> Draft:
    """Citations from finish_draft, numbered as the quoted sentences are shown.

    The synthesis is aligned with one passage per quoted sentence whose id is the sentence's
    number, so a citation's chunk id is the number it is shown with.
    """
    numbers = {c.n: int(c.chunk_id) for c in draft.citations}
    for sentence in draft.sentences:
        sentence.citations = [numbers[n] for n in sentence.citations]
    draft.citations = sorted((replace(c, n=numbers[c.n]) for c in draft.citations), key=lambda c: c.n)
    return draft


def answer(
    settings: Settings,
    searcher: Searcher,
    generator,
    question: str,
    length: int = ANSWER_CHARS,
    on_evidence: OnEvidence | None = None,
    on_token: OnToken | None = None,
    context: Context | None = None,
) -> Answer:
    """The evidence (reported before the model starts), then the synthesis over it, checked and cited."""
    question = check_question(question)
    clock = Clock()
    request = resolve(question, searcher, context)
    evidence, notes = gather(searcher, request)
    clock.mark_retrieved()
    if on_evidence:
        on_evidence(evidence)
    text, synthesis_notes, echoes = "", [], 0
    # Quotes that may be beside the point are for the asker to judge, not to be summed up; a list
    # is quoted whole and in order, and a synthesis could only list its items again, garbled by the
    # copy bound (一要做知识的保鲜 for the item the quote above says right).
    if evidence and NEAREST_NOTE not in notes and not all(e.listed for e in evidence):
        text, synthesis_notes, echoes = synthesise(settings, generator, evidence, question,
                                           min(length, SYNTHESIS_CHARS), clock.watch(on_token),
                                           request.phrases)
    draft = Draft(text=text, notes=notes + synthesis_notes)
    if text:
        finish_draft(draft, evidence_passages(evidence), searcher.index, searcher.encode_queries,
                     model_verifier(generator, settings.prompts))
        renumber(draft)
    # The model's figures only when it wrote this time (a stale call's would mislead).
    draft.timings = clock.report(generator) if evidence else {
        "retrieve": round(clock.retrieved - clock.start, 3),
        "total": round(time.perf_counter() - clock.start, 3)}
    draft.timings["evidence"] = draft.timings["retrieve"]
    return Answer(question, request.query, evidence, draft, request.phrases, request.speech_ids, echoes)
