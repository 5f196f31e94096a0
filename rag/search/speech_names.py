"""The speeches a question names, and the question without their names.

A question names a speech as its title says (全县办公室主任会议上的讲话) or in a shortened,
paraphrased form: 县里那篇, 培训班上的讲话, 全省文化系统和全区政府系统的讲话, 文化厅那篇,
易门那篇, 秘书长会议那篇. A naming phrase is what stands before a speech word (讲话, 发言,
那篇…) or before the 上 of a meeting (例会上, 培训班上); the title cores it holds as written
(the title without 在…上的讲话, the longest first) name their speeches, and what is left is cut
at 和, 与, 、 into parts, each matched alone, the first way that names any speech winning. The
joins of one meeting do not cut: a phrase whose letters the meeting a speech's opening names
nearly all holds (全市秘书长、办公室主任会) names that speech, and a meeting a speech opens by
relaying (传达全国、省、州三级秘书长会议精神的县里讲话) is one part, matched on its letters first
and its words then, among the speeches of the level it names. The ways a part names speeches:

- the naming words it shares with a speech (the title core, and the meeting the speech's opening
  names: 今天召开全市秘书长、办公室主任会议), each weighing more the fewer speeches it names,
  words any title has (会议, 工作) set aside and those most of the corpus's titles share weighing
  little, when these words are at least half the part's; among the speeches of the level it
  names (全省, 县里, 区政府) first;
- a word of it that only one or two speeches' text holds: a place (易门), a body (三冶);
- fewer shared naming words;
- the level alone: every speech of it (县里那篇: the county speeches).

A speech is also named by quoting how it opens (以“刚才，传达学习了……会议精神”开头的那篇): the
quote, its ellipses standing for words left out, is looked for in the speeches' openings only,
and is a name, not a phrase asked about.

Outside a naming phrase a title's word is a subject, not a name: 哪些讲话谈到文化建设 names none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rag.corpus.clean import bigrams, core_text
from rag.corpus.traditional import to_simplified
from rag.corpus.words import posseg
from rag.index.store import CorpusIndex, per_index
from rag.search.query import phrase_pattern

_LEVELS = "省市县区州"
# 全县 in a title or 县里/县级/县委/县政府 in a question: the level a speech was given at.
_LEVEL_WORD = re.compile(
    rf"全([{_LEVELS}])|(?:^|(?<=[在那这]))([{_LEVELS}])|([{_LEVELS}])(?=里|级|委|政府|一级)")
_SPEECH_WORD = re.compile(r"讲话|发言|讲稿|那篇|这篇|那次")
_MEETING_ON = re.compile(r"(?:会议|例会|培训班|座谈会|交流会|大会|会)上")
# Where a naming phrase starts, looking back from its speech word.
_PHRASE_START = re.compile(r".*[，。？！?!,.;；：:\s《》“”\"「」（）()]")
# 的 and 是 end the clause before (把办公室比作“内当家”的是哪篇讲话), and 哪篇 asks: none names.
_LEADING = re.compile(
    r"^(?:那么|那|请问|请|对比一下|比较一下|对比|比较|看看|说说|关于|这|在|和|与|及|以及|跟|同|的|是"
    r"|哪[一几]?[篇些个次])*")
# 里 stays after a level (县里): it says the level.
_TRAILING = re.compile(rf"(?:上的|上|的|(?<![{_LEVELS}])里|中)+$")
# The rest of a naming: 那篇讲话中, 培训班上的讲话.
_NAMING_TAIL = re.compile(r"^(?:上的|上|的)?(?:讲话|发言|讲稿)?(?:中|里)?")
_TITLE_SHELL = re.compile(r"^在|(?:上的|上|的)?(?:讲话|发言)(?:稿)?$")
_JOINS = re.compile(r"以及|和|与|及|跟|同|、|还有")
_LONE_JOIN = re.compile(rf"(?:^|\s)(?:{_JOINS.pattern})(?=\s)")
# The meeting a speech's opening says it is given at: 今天召开全市秘书长、办公室主任会议.
_OCCASION = re.compile(
    r"(?:今天|这次|本次|此次)(?:组织)?(?:召开|举办)?的?([^，。；！\n]{0,30}?(?:会议|培训班|例会|座谈会|交流会|大会|活动|会))")
# Or the meeting whose spirit it opens by relaying (刚才，传达学习了全国秘书长会议精神), within
# its first characters; a question may leave out the spirit (传达三级秘书长会议的那篇).
_RELAYED = re.compile(r"传达(?:学习)?了?([^。；！\n]{0,40}?(?:会议|会))(?:的)?(?:精神)?")
RELAYED_WITHIN = 200
# 以“…”开头的那篇 / 开头是“…”的那篇: a quote of how a speech opens, starting within its first
# letters (after a salutation: 同志们), its ellipses spanning at most its first sentences.
_OPENING_QUOTE = re.compile(
    r"以\s*[“\"「『]([^”\"」』\n]{2,60})[”\"」』]\s*(?:开头|开篇|开场|起头|打头)"
    r"|(?:开头|开篇|开场|第一句)(?:是|就是|说|讲)?\s*[“\"「『]([^”\"」』\n]{2,60})[”\"」』]")
OPENING_STARTS_WITHIN = 8
_BEFORE_OPENING = re.compile(r"(?:那篇|这篇|那次)?$")
_AFTER_OPENING = re.compile(r"^的?(?:那篇|这篇|那次)?(?:讲话|发言|讲稿)?(?:中|里)?")
OPENING_WITHIN = 120
# 讲“遵从规矩、遵循规律”的那篇: a quote of what a speech says, anywhere in it, naming the speech
# (那篇 points at one speech; 哪些讲话用了“…” asks where the words stand, and names none).
_SAID_QUOTE = re.compile(
    r"[“\"「『]([^”\"」』\n]{2,60})[”\"」』][^，。？！、；“”\"「」『』\s]{0,6}?的?(?:那篇|这篇|那次)")
_BEFORE_SAID = re.compile(r"[讲提说用引写谈有]?[了到出过用]?$")
# Words any title or question about a speech has: they tell no speech from another. (What many
# of a corpus's titles share, 办公室 in one, 学校 in another, weighs little by its count instead.)
_GENERIC = re.compile(r"会议|工作|讲话|发言|同志|上的|哪些|哪篇|什么|怎么")
# A word found in more speeches' text than this is a subject, not a name.
MAX_TEXT_NAMED = 2
# A naming phrase holding 、 or 和, of this many letters, nearly all of them (this share) in the
# meeting a speech's opening names, names that one meeting.
MEETING_MIN_LETTERS = 6
MEETING_SHARE = 0.9
# A speech is named with the best one while its weight is within this share of the best.
NAME_SHARE = 0.75
# A part whose words the speeches' names hold at least this share of is matched on them before
# its other words are looked for in the speeches' text (卫生系统: 系统 is in titles, 卫生 in a text).
NAME_WORDS_SHARE = 0.5


@dataclass
class Mention:
    """One naming phrase of a question and the speeches it names."""

    span: tuple[int, int]
    speech_ids: set[str]


def title_core(title: str) -> str:
    """A title without its shell: 在全县办公室主任会议上讲话 -> 全县办公室主任会议."""
    return _TITLE_SHELL.sub("", _TITLE_SHELL.sub("", title.strip()))


@per_index
def speech_levels(index: CorpusIndex) -> dict[str, str]:
    """Each speech's level (省, 市, 县, 区, 州): the one its title names, else the one its text
    says most often as 全X (an untitled county speech says 全县 throughout)."""
    counts: dict[str, dict[str, int]] = {}
    for chunk in index.chunks:
        per = counts.setdefault(chunk.speech_id, dict.fromkeys(_LEVELS, 0))
        for level in _LEVELS:
            per[level] += chunk.text.count("全" + level)
    levels = {}
    for speech in index.speeches:
        title = "" if speech.get("title_derived") else speech["title"]
        named = [level for level in _LEVELS if "全" + level in title]
        per = counts.get(speech["speech_id"], {})
        best = max(per, key=per.get) if per and max(per.values()) else ""
        levels[speech["speech_id"]] = named[0] if named else best
    return levels


@per_index
def _speech_texts(index: CorpusIndex) -> dict[str, str]:
    """Each speech's text in simplified characters, for the names only a speech's text holds."""
    texts: dict[str, list[str]] = {}
    for chunk in index.chunks:
        texts.setdefault(chunk.speech_id, []).append(to_simplified(chunk.text))
    return {sid: "".join(parts) for sid, parts in texts.items()}


@per_index
def _names(index: CorpusIndex) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Each speech's naming bigrams (its title core's and those of the meeting its opening names,
    今天召开全市秘书长、办公室主任会议: an untitled speech has these alone), and in how many
    speeches' names each bigram stands."""
    cores = _cores(index)
    grams = {sid: _content_grams(cores.get(sid, "")) | _content_grams(meeting)
             for sid, meeting in _occasions(index).items()}
    df: dict[str, int] = {}
    for found in grams.values():
        for g in found:
            df[g] = df.get(g, 0) + 1
    return grams, df


@per_index
def _occasions(index: CorpusIndex) -> dict[str, str]:
    """Each speech's meeting as its opening names it ("" for none)."""
    openings: dict[str, str] = {}
    for chunk in index.chunks:
        openings.setdefault(chunk.speech_id, chunk.text)
    found = {sid: _OCCASION.search(to_simplified(text)) for sid, text in openings.items()}
    return {sid: m.group(1) if m else "" for sid, m in found.items()}


@per_index
def _relayed_meetings(index: CorpusIndex) -> dict[str, str]:
    """Each speech's meeting whose spirit its opening relays, for the speeches that open so."""
    found = {sid: _RELAYED.search(text[:RELAYED_WITHIN]) for sid, text in _speech_texts(index).items()}
    return {sid: m.group(1) for sid, m in found.items() if m}


def _common_title_words(index: CorpusIndex) -> set[str]:
    """The naming bigrams at least half the corpus's speeches share (办公 and 主任 in a corpus
    of speeches to office staff): whom the speeches address, not what a question is about."""
    names, df = _names(index)
    return {g for g, n in df.items() if n >= max(2, len(names) / 2)}


def without_common_title_words(text: str, index: CorpusIndex) -> str:
    """`text` with every character a common title bigram covers blanked (办公室 goes whole)."""
    common = _common_title_words(index)
    covered = {i + k for i in range(len(text) - 1) if text[i:i + 2] in common for k in (0, 1)}
    return "".join(" " if i in covered else ch for i, ch in enumerate(text))


def _cores(index: CorpusIndex) -> dict[str, str]:
    """Speech id -> title core, for the speeches whose title was written (not derived from the text)."""
    return {s["speech_id"]: title_core(to_simplified(s["title"])) for s in index.speeches
            if not s.get("title_derived")}


def _content_grams(text: str) -> set[str]:
    """The bigrams of a name that tell speeches apart: without its level and generic words."""
    pieces = _GENERIC.split(_LEVEL_WORD.sub(" ", text))
    return {g for piece in pieces for g in bigrams(piece)}


def _named_level(part: str) -> str:
    m = _LEVEL_WORD.search(part)
    return next((g for g in m.groups() if g), "") if m else ""


def _by_name_words(part: str, index: CorpusIndex, among: set[str], least: float = 0.0) -> set[str]:
    """The speeches of `among` whose naming words `part` shares most, weighted by rarity; none
    when the names hold less than `least` of the part's words."""
    grams = _content_grams(part)
    names, df = _names(index)
    if not grams or len(grams & set(df)) < least * len(grams):
        return set()
    weight = {sid: sum(math.log(1 + len(names) / df[g]) for g in grams & found)
              for sid, found in names.items() if sid in among}
    best = max(weight.values(), default=0.0)
    return {sid for sid, w in weight.items() if best and w >= NAME_SHARE * best}


def _by_text(part: str, index: CorpusIndex, among: set[str]) -> set[str]:
    """The speeches of `among` whose text alone holds a word of `part` (a place, a body): the
    word as typed, else the noun in it that fewest speeches hold (制品 of 放到制品公司开的)."""
    texts = _speech_texts(index)

    def holding(form: str) -> set[str]:
        return {sid for sid in among if len(form) >= 2 and form in texts.get(sid, "")}

    for word in re.findall(r"\w{2,}", _GENERIC.sub(" ", _LEVEL_WORD.sub(" ", part))):
        for form in dict.fromkeys((word, word.rstrip(_LEVELS))):
            if 0 < len(found := holding(form)) <= MAX_TEXT_NAMED:
                return found
        held = [found for noun in _nouns(word) if 0 < len(found := holding(noun)) <= MAX_TEXT_NAMED]
        if held:
            return min(held, key=len)
    return set()


def _nouns(text: str) -> list[str]:
    """The nouns of `text` of two characters or more (names of places, bodies, people, things)."""
    return [w.word for w in posseg().cut(text) if w.flag[:1] in ("n", "j") and len(w.word) >= 2]


def _by_cores(phrase: str, cores: dict[str, str]) -> tuple[list[Mention], str]:
    """Where `phrase` holds a title core as written, with its speeches, and the phrase with those
    cores blanked out. The longest first: 全县办公室主任会议 names one speech, the 办公室主任会议
    inside it not two more."""
    found: list[Mention] = []
    # A core is also written without its 全 (区政府系统办公室主任会议 for 全区…).
    forms: dict[str, set[str]] = {}
    for sid, core in cores.items():
        for form in {core, core.removeprefix("全")}:
            forms.setdefault(form, set()).add(sid)
    for form in sorted(forms, key=len, reverse=True):
        at = phrase.find(form) if len(form) >= 4 else -1
        while at >= 0:
            found.append(Mention((at, at + len(form)), forms[form]))
            phrase = phrase[:at] + "、" * len(form) + phrase[at + len(form):]
            at = phrase.find(form)
    return found, phrase


def _by_relayed(part: str, index: CorpusIndex, among: set[str]) -> set[str]:
    """The speeches of `among` whose opening relays the meeting `part` names (传达全国秘书长会议
    精神的那篇): those holding the most of its letters, at least half of them, and among those
    the most of its words. Letters first: a meeting is named in short (全国、省、州三级 for
    全国、全省、全州); words then tell 全国党委秘书长会议 from 全国、全省、全州党委和政府秘书长会议."""
    named = _RELAYED.search(part)
    meeting = named.group(1) if named else part
    letters, grams = _meeting_letters(meeting), _content_grams(meeting)
    shares: dict[str, tuple[float, float]] = {}
    for sid, theirs in _relayed_meetings(index).items():
        if sid in among and letters:
            shares[sid] = (len(letters & _meeting_letters(theirs)) / len(letters),
                           len(grams & _content_grams(theirs)) / max(len(grams), 1))
    best = max(shares.values(), default=(0.0, 0.0))
    return {sid for sid, share in shares.items() if best[0] >= 0.5 and share == best}


def _meeting_letters(name: str) -> set[str]:
    return set(core_text(_GENERIC.sub(" ", name)))


def _relayed_whole(phrase: str) -> str:
    """`phrase` with the joins inside a relayed meeting blanked: 传达全国、省、州三级党委和政府
    秘书长会议精神 names one meeting, whose 、 and 和 list its levels and bodies, not speeches."""
    relayed = _RELAYED.search(phrase)
    if not relayed:
        return phrase
    start, end = relayed.span()
    return phrase[:start] + _JOINS.sub(lambda m: " " * len(m.group()), phrase[start:end]) + phrase[end:]


def _by_occasion(phrase: str, index: CorpusIndex) -> set[str]:
    """The speeches whose opening names a meeting holding nearly every letter of `phrase`, the
    most: 全市秘书长、办公室主任会 is the one meeting 今天召开全市秘书长、办公室主任会议 names,
    its 、 listing who meets, not two speeches."""
    letters = set(core_text(_JOINS.sub("", phrase)))
    if len(letters) < MEETING_MIN_LETTERS:
        return set()
    held = {sid: len(letters & set(meeting)) for sid, meeting in _occasions(index).items()}
    best = max(held.values(), default=0)
    return {sid for sid, n in held.items() if n == best} if best >= MEETING_SHARE * len(letters) else set()


def _part_speeches(part: str, index: CorpusIndex) -> set[str]:
    """The speeches one part of a naming phrase names (see the module docstring)."""
    levels = speech_levels(index)
    # The levels a relayed meeting lists (全国、全省、全州) are the meeting's, not the speech's.
    level = _named_level(_RELAYED.sub(" ", part))
    everyone = set(levels)
    at_level = {sid for sid, lv in levels.items() if lv == level} if level else everyone
    if "传达" in part:
        relayed = _by_relayed(part, index, at_level) or _by_relayed(part, index, everyone)
        if relayed:
            return relayed
    return (_by_name_words(part, index, at_level, NAME_WORDS_SHARE)
            or _by_name_words(part, index, everyone, NAME_WORDS_SHARE)
            or _by_text(part, index, at_level)
            or _by_name_words(part, index, at_level) or _by_name_words(part, index, everyone)
            or (at_level if level else set()))


def _phrases(text: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of each naming phrase: the text before a speech word or a meeting's 上."""
    ends = sorted([(m.start(), m.end()) for m in _SPEECH_WORD.finditer(text)]
                  + [(m.end() - 1, m.end()) for m in _MEETING_ON.finditer(text)])
    out: list[tuple[int, int, str]] = []
    last = 0
    for start, end in ends:
        before = text[last:start]
        cut = _PHRASE_START.match(before)
        begin = last + (cut.end() if cut else 0)
        begin += _LEADING.match(text[begin:start]).end()
        phrase = _TRAILING.sub("", text[begin:start])
        if len(core_text(phrase)) >= 1:
            out.append((begin, end, phrase))
        last = end
    return out


def speech_mentions(question: str, index: CorpusIndex) -> list[Mention]:
    """The naming phrases of a question, each with the speeches it names (phrases naming none left out)."""
    text = to_simplified(question)
    cores = _cores(index)
    mentions = [mention for _, mention in _by_quote(text, index)]
    for begin, end, phrase in _phrases(text):
        named = _by_occasion(phrase, index) if _JOINS.search(phrase) else set()
        if not named:
            titled, rest = _by_cores(phrase, cores)
            named = set().union(*(m.speech_ids for m in titled))
            for part in _JOINS.split(_relayed_whole(rest)):
                part = _TRAILING.sub("", _LEADING.sub("", part))
                if core_text(part):
                    named |= _part_speeches(part, index)
        if named:
            mentions.append(Mention((begin, end + _NAMING_TAIL.match(text[end:]).end()), named))
    # A full title outside any phrase (《…》 typed without 的讲话) still names its speech.
    outside = "".join("、" if any(m.span[0] <= i < m.span[1] for m in mentions) else ch
                      for i, ch in enumerate(text))
    return mentions + [_qualified(m, text, index) for m in _by_cores(outside, cores)[0]]


def naming_quotes(question: str, index: CorpusIndex) -> list[str]:
    """The quotes of a question that name a speech, by how it opens or by what it says: not
    phrases asked about."""
    return [quote for quote, _ in _by_quote(to_simplified(question), index)]


@per_index
def _speech_letters(index: CorpusIndex) -> dict[str, str]:
    """Each speech's letters and digits: where a quote is looked for."""
    return {sid: core_text(text) for sid, text in _speech_texts(index).items()}


def _by_quote(text: str, index: CorpusIndex) -> list[tuple[str, Mention]]:
    """Each naming quote of `text` with its mention: the speeches that open with it (within their
    first letters, after a salutation), or, for a quote of what a speech says, that hold it."""
    letters = _speech_letters(index)

    def mention(m: re.Match[str], before: re.Pattern[str], named: set[str]) -> Mention:
        return Mention(_quote_span(text, m, before), named)

    found = []
    for m in _OPENING_QUOTE.finditer(text):
        quote = m.group(1) or m.group(2)
        wanted = phrase_pattern(quote)
        named = {sid for sid, held in letters.items()
                 if wanted and (at := wanted.search(held[:OPENING_WITHIN]))
                 and at.start() <= OPENING_STARTS_WITHIN}
        found.append((quote, mention(m, _BEFORE_OPENING, named)))
    for m in _SAID_QUOTE.finditer(text):
        if not any(m.start() < said.span[1] and said.span[0] < m.end() for _, said in found):
            wanted = phrase_pattern(m.group(1))
            named = {sid for sid, held in letters.items() if wanted and wanted.search(held)}
            found.append((m.group(1), mention(m, _BEFORE_SAID, named)))
    # A quote no speech holds names none: it is looked for as a phrase, and reported missing.
    return [(quote, said) for quote, said in found if said.speech_ids]


def _quote_span(text: str, m: re.Match[str], before: re.Pattern[str]) -> tuple[int, int]:
    """A naming quote with the speech words around it: 那篇以“…”开头的讲话, 讲“…”的那篇."""
    begin = m.start() - len(before.search(text[:m.start()]).group(0))
    return begin, m.end() + _AFTER_OPENING.match(text[m.end():]).end()


def _qualified(mention: Mention, text: str, index: CorpusIndex) -> Mention:
    """A title's words typed as the name of a meeting, after a qualifier that only other
    speeches' text holds (三冶集团的办公室主任会议, a 例会 whose title is another's): the
    qualifier names the speech. A qualifier ends at a join: 三冶集团办公室例会和 | 区政府系统
    办公室主任会议 names two speeches."""
    start = mention.span[0]
    cut = _PHRASE_START.match(text[:start])
    begin = cut.end() if cut else 0
    joins = list(_JOINS.finditer(text, begin, start))
    begin = joins[-1].end() if joins else begin
    qualifier = _TRAILING.sub("", _LEADING.sub("", text[begin:start]))
    named = _by_text(qualifier, index, set(speech_levels(index))) if core_text(qualifier) else set()
    if named and not named & mention.speech_ids:
        return Mention((begin, mention.span[1]), named)
    return mention


def named_speeches(question: str, index: CorpusIndex) -> set[str] | None:
    """The speeches a question names, by title, title words, level or place; None when it names none.

    Naming phrases one after another with no 和 or 、 between them describe one speech (传达秘书长
    会议精神的 | 那篇县里讲话): it is the speech they have in common, else the one the first names."""
    mentions = sorted(speech_mentions(question, index), key=lambda m: m.span)
    if not mentions:
        return None
    text = to_simplified(question)
    groups = [set(mentions[0].speech_ids)]
    for before, mention in zip(mentions, mentions[1:]):
        gap = text[before.span[1]:mention.span[0]]
        if len(gap) > 2 or _JOINS.search(gap):
            groups.append(set(mention.speech_ids))
        # With nothing in common, the phrase before qualifies the one after (区政府 | 那次办公室
        # 主任会上的讲话): the meeting's name is what many titles share, the qualifier is not.
        elif groups[-1] & mention.speech_ids:
            groups[-1] &= mention.speech_ids
    return set().union(*groups)


def without_speech_names(question: str, index: CorpusIndex) -> str:
    """The question without the phrases naming speeches: what is asked about them."""
    text = to_simplified(question)
    # Mentions may overlap (以“…”开头的 | 开头的县里讲话): each run of named characters goes whole.
    spans = [m.span for m in speech_mentions(question, index)]
    # 讲“四个遵”的那篇 names a speech even when no speech holds the words: they are not what is asked.
    spans += [_quote_span(text, m, _BEFORE_SAID) for m in _SAID_QUOTE.finditer(text)]
    named = [any(begin <= i < end for begin, end in spans) for i in range(len(text))]
    text = re.sub(r" {2,}", " ", "".join(" " if gone else ch for ch, gone in zip(text, named)))
    # The 和 that joined two names joins nothing now.
    text = _LONE_JOIN.sub(" ", text)
    return text if len(core_text(text)) >= 2 else question
