"""The numbered lists of a speech, and the questions that ask for one whole.

Speeches set out requirements as numbered items: 一是…二是…, 一要…二要…, 1、2、, （一）（二）,
第一，第二, under a lead-in (借此机会，我提几点要求： / 做到“四个坚持”。). A question asking for
a list (哪几条, 哪些要求, 几点, 哪些措施, 提出了什么要求) is answered by every item, in order,
not by the few sentences nearest its words.

A speech's items are found in its sentences in order, its section headings among them where the
text leaves them out (一、… stands alone as a heading line); an item opens a sentence, or
follows the colon of a lead-in (发扬四种精神：一是“钉子”精神), or, item 1, the subject all the
items share (各单位办公室一要……。二要……). Lists nest, and speeches nest
marker kinds differently, so each item continues the most recent open list of its kind whose
last number is one less (a heading continuing a list of headings first), which closes the lists
opened since (三、 closes those under 二、); an item 1 opens a list.

Speeches also set out the points of a section as paragraphs that open alike, each with a short
lead sentence and then its body (要拓宽视野，强化大局思维。… / 要提高站位，强化对策谋划分析。…),
numbered by nothing. Such a run is a list too, led by the numbered item or heading it stands
under, and ends at the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.check.cite import passage_sentences
from rag.corpus.clean import core_text
from rag.corpus.structure import HEADING_MARKERS, ITEM_YAO, ends_sentence
from rag.corpus.traditional import to_simplified
from rag.index.store import CorpusIndex, per_index

_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_NUMBER = re.compile(r"[一二三四五六七八九十百]+|\d{1,2}")
# Kinds whose number says the item's place (首先, 其次… do not count).
_NUMBERED = [(kind, pattern) for kind, pattern in HEADING_MARKERS if kind != "order"]
# 哪几条, 哪四种, 几点要求, 十条要求, 哪些措施, 提出了什么要求, 分别是.
_ASKS_LIST = re.compile(
    r"哪(?:几|[一二三四五六七八九十两])[条点项个种句层方类]"
    r"|哪几大?(?:部分|块|板块)"
    r"|几[条点项个种句](?:要求|意见|措施|希望|原则|方面)"
    r"|[一二三四五六七八九十两\d]+[条点项个种句](?:要求|意见|措施|希望|原则|精神|意识|能力|方面|话)"
    r"|哪些(?:要求|措施|意见|希望|方面|举措|办法|原则|做法|任务)"
    r"|提出?了?(?:什么|哪些)(?:要求|意见|措施|希望)"
    r"|分别是|有哪几")
_COUNT = re.compile(r"哪?([一二三四五六七八九十两]+|\d{1,2})[条点项个种句层]")
# What the asking adds, and whom speeches address: a list question's subject is what is left
# (对办公室干部提出了哪些要求 asks for a speech's requirements, of no one subject; the words
# most titles of a corpus share go too: rag/search/speech_names.py without_common_title_words).
LIST_WORDS = re.compile(
    r"哪几[条点项个种句层]?|哪些|几[条点项个种句层]?|分别是|什么|提出了|提出|提了|有|分[了成为]|讲了?|谈了?|[一二三四五六七八九十两\d]+[条点项个种句层]|"
    r"要求|意见|措施|希望|方面|举措|办法|原则|做法|任务|下面|(?:^|(?<=\s))[对在就]|"
    r"几大|大?部分|板?块|干部|同志们?|工作人员|人员|大家|职工|党员")
# A sentence before item 1 leads into the list when it ends in a colon, counts (四个坚持,
# 几点意见, 如下), or is a heading line without a sentence end.
_LEADS = re.compile(r"[：:]\s*$|[一二三四五六七八九十两几\d]+[点条个项种句]|如下|以下")
# A paragraph's lead sentence is a point of an unnumbered run when it is this short (letters and
# digits): the runs' leads are 10 to 16 characters, the first sentences of other paragraphs longer.
PARAGRAPH_LEAD_CHARS = 20


@dataclass
class Item:
    """A sentence of a speech as it is quoted: the chunk row it stands in, and its text."""

    row: int
    text: str
    heading: bool = False
    leads_paragraph: bool = False  # the first sentence of a paragraph that goes on after it


@dataclass
class NumberedList:
    """The items of one list in order, the sentence leading into it, and the lists its items lead."""

    kind: str
    items: list[Item]
    lead: Item | None = None
    sublists: dict[int, NumberedList] = field(default_factory=dict)  # item position -> the list it leads

    @property
    def quoted(self) -> list[Item]:
        """The lead-in, when there is one, and the items."""
        return ([self.lead] if self.lead else []) + self.items

    def flattened(self, cap: int) -> list[Item]:
        """The items in order, each followed by the items of the list it leads; the items alone
        (at most `cap`) when that is more than `cap`."""
        nested: list[Item] = []
        for position, item in enumerate(self.items):
            nested.append(item)
            if position in self.sublists:
                nested.extend(self.sublists[position].items)
        return nested if len(nested) <= cap else self.items[:cap]


def asks_list(question: str) -> bool:
    return bool(_ASKS_LIST.search(to_simplified(question)))


def asked_count(question: str) -> int | None:
    """The number of items a question names (哪四种 -> 4, 十条 -> 10), None when it names none."""
    m = _COUNT.search(to_simplified(question))
    return cn_number(m.group(1)) if m else None


def asked_thing(question: str) -> str:
    """What the count asked_count reads counts (意见 of 讲的五点意见), "" when it names none."""
    text = to_simplified(question)
    m = _COUNT.search(text)
    thing = re.match(r"[\u4e00-\u9fff]{2}", text[m.end():]) if m else None
    return thing.group(0) if thing else ""


def cn_number(text: str) -> int:
    """十 -> 10, 十二 -> 12, 二十 -> 20, 7 -> 7 (两 is 2)."""
    if text.isdigit():
        return int(text)
    text = text.replace("两", "二")
    if "十" not in text:
        return _CN_DIGITS.get(text[-1], 0)
    tens, _, ones = text.partition("十")
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


# Item 1 set after the subject its items share, in the same clause (各单位办公室一要准确把握……。
# 二要……): 一要 / 一是 after a few characters that do not make a word with 一 (统一是, 唯一要).
_FIRST_AFTER_SUBJECT = re.compile(
    rf"(?:^|[，,])[^，,：:。；;！？]{{1,20}}?(?<![统唯第之万同单逐专纯])一({ITEM_YAO}|是)")


def item_marker(sentence: str) -> tuple[str, int] | None:
    """(kind, number) of the item a sentence opens, or opens after its lead-in's colon or after
    the subject its items share (then only 1)."""
    text = sentence.strip()
    found = _marker(text)
    if found:
        return found
    _, colon, after = text.partition("：")
    found = _marker(after) if colon else None
    if found and found[1] == 1:
        return found
    inner = _FIRST_AFTER_SUBJECT.search(text)
    return ("yao" if inner.group(1).startswith("要") else "shi", 1) if inner else None


def _marker(text: str) -> tuple[str, int] | None:
    for kind, pattern in _NUMBERED:
        m = pattern.match(text)
        if m:
            return kind, cn_number(_NUMBER.search(m.group(0)).group(0))
    return None


@per_index
def _lists(index: CorpusIndex) -> dict[str, list[NumberedList]]:
    """Each speech's lists, filled in as speeches are asked of (most questions ask of few)."""
    return {}


def speech_lists(index: CorpusIndex, speech_id: str) -> list[NumberedList]:
    """The numbered lists of one speech (two items or more), in the order they start."""
    per_speech = _lists(index)
    if speech_id not in per_speech:
        rows = [row for row, chunk in enumerate(index.chunks) if chunk.speech_id == speech_id]
        built = _build(_speech_items(index, rows))
        per_speech[speech_id] = [found for found in built if len(found.items) >= 2]
    return per_speech[speech_id]


def _speech_items(index: CorpusIndex, rows: list[int]) -> list[Item]:
    """The sentences of a speech in order, with the section headings its chunks' text leaves out
    (chunks of one long paragraph overlap: a sentence seen already is not repeated)."""
    seen: set[str] = set()
    out: list[Item] = []
    for row in rows:
        chunk = index.chunks[row]
        text = core_text(chunk.text)
        section = {core_text(h) for h in chunk.section}
        headings = [Item(row, h, heading=True) for h in chunk.section
                    if not h.endswith("…") and core_text(h) not in text]
        body = [Item(row, s, heading=core_text(s) in section, leads_paragraph=i == 0 and len(line) > 1)
                for line in map(passage_sentences, chunk.text.splitlines()) for i, s in enumerate(line)]
        for item in headings + body:
            key = core_text(item.text)
            if key and key not in seen:
                seen.add(key)
                out.append(item)
    return out


# id(item) -> the list it is an item of, and its position there.
_Places = dict[int, tuple[NumberedList, int]]


def _build(sentences: list[Item]) -> list[NumberedList]:
    """The lists of a speech's sentences (see the module docstring for how items are placed)."""
    found: list[NumberedList] = []
    open_lists: list[NumberedList] = []
    where: _Places = {}
    run = NumberedList("paragraph", [])  # the unnumbered run of paragraph leads being read
    for i, item in enumerate(sentences):
        marker = item_marker(item.text)
        if marker is None and not item.heading:
            if _parallel_lead(item, run):
                run.items.append(item)
            elif item.leads_paragraph and len(core_text(item.text)) <= PARAGRAPH_LEAD_CHARS:
                _close_run(run, found, where)
                run = NumberedList("paragraph", [item], run.lead)
            continue
        _close_run(run, found, where)
        run = NumberedList("paragraph", [], item)
        if marker is None:
            continue
        kind, number = marker
        target = _continued(open_lists, kind, number, item.heading)
        if target is not None:
            del open_lists[open_lists.index(target) + 1:]
            target.items.append(item)
        elif number == 1:
            lead = _lead(sentences, i)
            target = NumberedList(kind, [item], lead)
            if lead is not None and id(lead) in where:
                parent, position = where[id(lead)]
                parent.sublists[position] = target
            found.append(target)
            open_lists.append(target)
        else:
            continue
        where[id(item)] = (target, len(target.items) - 1)
    _close_run(run, found, where)
    return found


def _parallel_lead(item: Item, run: NumberedList) -> bool:
    """Whether `item` leads a paragraph as the run's leads do: short, opening with the same character."""
    return (item.leads_paragraph and bool(run.items) and item.text[0] == run.items[0].text[0]
            and len(core_text(item.text)) <= PARAGRAPH_LEAD_CHARS)


def _close_run(run: NumberedList, found: list[NumberedList], where: _Places) -> None:
    """Keep a run of two paragraph leads or more, under the item it stands under when that is listed."""
    if len(run.items) < 2:
        return
    found.append(run)
    if run.lead is not None and id(run.lead) in where:
        parent, position = where[id(run.lead)]
        parent.sublists.setdefault(position, run)


def _continued(open_lists: list[NumberedList], kind: str, number: int, heading: bool) -> NumberedList | None:
    """The most recent open list `number` of `kind` continues, one of headings first for a heading."""
    fits = [o for o in reversed(open_lists) if o.kind == kind and len(o.items) == number - 1]
    alike = [o for o in fits if o.items[-1].heading == heading]
    return (alike or fits or [None])[0]


def _lead(sentences: list[Item], i: int) -> Item | None:
    """The sentence before item 1 (sentences[i]) when it reads as a lead-in; none when item 1
    follows a colon in its own sentence, which then holds the lead-in."""
    if i == 0 or not _marker(sentences[i].text.strip()):
        return None
    before = sentences[i - 1]
    text = before.text.strip()
    return before if _LEADS.search(text) or not ends_sentence(text) else None
