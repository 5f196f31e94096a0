"""How these speeches mark their structure: titles, salutations, numbered headings.

Shared by cleaning (which must never drop a heading or a title) and chunking
(which builds each chunk's section path from the headings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.corpus.traditional import to_simplified

CN_NUM = "[一二三四五六七八九十百]+"
# A sentence ends at one of these, possibly followed by more of them and closing
# quotes/brackets (。” ；”。).
_STOP = "[。！？!?…；;]"
_CLOSE = r"[”’」』）)\]】]"
TERMINAL = re.compile(f"{_STOP}(?:{_STOP}|{_CLOSE})*")
ENDS_SENTENCE = re.compile(f"{_STOP}{_CLOSE}*$")
# Split after the last stop or closer of a sentence end (…。” 因此); a lookbehind needs a
# fixed width, so one is written for each number of closers, up to three.
SENTENCE_SPLIT = re.compile(
    "(?:" + "|".join(f"(?<={_STOP}{_CLOSE}{{{n}}})" for n in range(4)) + f")(?!{_CLOSE}|{_STOP})"
)

# The 要 of a numbered item (一要, 二要), not the first character of 要求, 要素, 要点, 要件.
ITEM_YAO = "要(?=[^求素点件])"

# Marker kinds in the order speeches most often nest them; the real nesting of a
# speech is taken from the order in which kinds first appear (see SectionTracker).
HEADING_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dun", re.compile(rf"^{CN_NUM}、")),
    ("paren", re.compile(rf"^[（(]{CN_NUM}[）)]")),
    ("di", re.compile(rf"^第{CN_NUM}[，,、：:是]")),
    ("yao", re.compile(rf"^{CN_NUM}{ITEM_YAO}")),
    ("shi", re.compile(rf"^{CN_NUM}是")),
    ("order", re.compile(r"^(首先|其次|再次|然后|最后)[，,：:、]?")),
    ("arabic", re.compile(r"^\d{1,2}[、.．](?!\d)")),
    ("arabic_paren", re.compile(r"^[（(]\d{1,2}[）)]")),
)

# Where a compilation starts its next speech: 【篇1】, 【第二篇】, 第三篇：, 范文4：.
_NUM = "[0-9一二三四五六七八九十①-⑳]+"
COMPILATION_MARKER_BODY = (
    rf"(【\s*(篇\s*{_NUM}|第\s*{_NUM}\s*篇|范文\s*{_NUM})\s*】|第{_NUM}篇[：:\s]|(篇|范文){_NUM}[：:])\s*"
)
COMPILATION_MARKER = re.compile("^" + COMPILATION_MARKER_BODY)
# A label and its count, alone or before the speech's title (◎ 选篇一, 范本A在……上的讲话, 样稿（二）).
COUNTED_LABEL = re.compile(
    r"^[^\w\s]{0,2}\s*([\u4e00-\u9fff]{1,4}?)\s*[（(]?([0-9]{1,2}|[一二三四五六七八九十]{1,2}|[①-⑳]|[A-Z])[）)]?"
    r"\s*[^\w\s]{0,2}\s*[：:]?\s*(.*)$"
)

# A slot a user fills in where the sources give no fact: 【待填：时间】.
SLOT = re.compile(r"【待填[^】]*】")
# Matched against text folded to simplified characters, so pages in traditional ones
# (同志們, 講話, 會議) show the same structure.
# Whom a speech may address by name: 各位会员, 尊敬的各位评委, 亲爱的校友.
_ADDRESSEE = (r"(?:各位|尊敬的|亲爱的)[^，、。！？：:\s]{0,6}"
              r"(?:会员|代表|来宾|嘉宾|领导|同仁|校友|家长|老师|同学|委员|专家|评委|姐妹|兄弟|乡亲|战友|朋友|"
              r"企业家|学员|青年|党员|干部|职工|同事|师生|员工|村民|居民|志愿者)")
SALUTATION = re.compile(
    # whom a speech addresses, never the speech itself (领导讲话，全文如下：)
    r"^(?!.*(讲话|致辞|如下))(尊敬的|各位|亲爱的)?[^。！？]{0,30}(同志们|同事们|朋友们|代表|来宾|女士们|先生们|领导|大家)"
    r"[^。！？]{0,10}[：:，,！!]$"
    # or any people addressed as such (乡亲们，老师们、同学们：), not a sentence's 我们
    r"|^(?!.*(讲话|致辞|如下))[^。！？]{0,30}(?<![我你他她它咱])们[：:，,！!]$"
    # or addressed one after another as 各位… (各位会员，各位姐妹：)
    rf"|^(?:{_ADDRESSEE}[，、]\s*)*{_ADDRESSEE}[：:]$"
)
TITLE_WORDS = re.compile(
    r"(讲话|致辞|发言|报告|讲稿|动员|总结|演讲|主持词|"
    r"在.{1,40}(会议|大会|会|仪式|座谈|培训班|论坛|典礼|开班|活动).{0,6}上)"
)


@dataclass(frozen=True)
class Heading:
    kind: str
    text: str
    whole_line: bool


def ends_sentence(line: str) -> bool:
    return bool(ENDS_SENTENCE.search(line.rstrip()))


def is_salutation(line: str) -> bool:
    return len(line) <= 40 and bool(SALUTATION.match(to_simplified(line.strip())))


_NAMED = re.compile(r"《[^》]*》|“[^”]*”")


def is_title_like(line: str) -> bool:
    line = line.strip()
    return (
        4 <= len(line) <= 60
        and not ends_sentence(line)
        and not line.endswith(("：", ":"))  # a line that does leads into what follows (全文如下：)
        and heading_of(line) is None
        and not is_salutation(line)
        # a title word inside a name (《听讲稿学写作》, “讲稿研习社”) does not make a title
        and bool(TITLE_WORDS.search(_NAMED.sub("", to_simplified(line).strip("《》"))))
    )


def heading_of(paragraph: str) -> Heading | None:
    """The heading a paragraph starts with, if it starts with a structure marker."""
    text = paragraph.strip()
    for kind, pattern in HEADING_MARKERS:
        if pattern.match(text):
            return Heading(kind, _heading_text(text), _is_heading_only(text))
    return None


def _is_heading_only(text: str) -> bool:
    inner_end = TERMINAL.search(text.rstrip()[:-1])
    return len(text) <= 60 and not inner_end and (not ends_sentence(text) or len(text) <= 30)


def _heading_text(text: str) -> str:
    if _is_heading_only(text):
        return text.rstrip("。；;")
    first = re.split(r"[。！？!?；;：:]", text, maxsplit=1)[0].strip()
    if len(first) <= 50:
        return first
    clause = re.split(r"[，,]", first, maxsplit=1)[0]
    return clause if len(clause) <= 40 else clause[:40] + "…"


def is_structural(line: str) -> bool:
    """Lines that carry a speech's structure and are never noise."""
    return heading_of(line) is not None or is_salutation(line) or is_title_like(line)


# Longest run from a 《 to its 》 read as one title: a 《 left open longer is a stray mark.
MAX_TITLE_CHARS = 60


def open_title(text: str) -> bool:
    """Whether `text` ends inside a 《title》 (《（无标题）刚才，传达学习了……秘书长…): a stop there
    is part of the title, not the end of a sentence."""
    start = text.rfind("《")
    return start > text.rfind("》") and len(text) - start <= MAX_TITLE_CHARS


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for piece in SENTENCE_SPLIT.split(text):
        if out and open_title(out[-1]) and "》" in piece:
            out[-1] += piece
        elif piece:
            out.append(piece)
    return out


class SectionTracker:
    """Builds the section path of each paragraph from the headings seen so far.

    Speeches nest markers differently (一、 over （一）, or 第一 over 一要…), so a
    kind's depth is the depth at which it first appears; a kind seen again closes
    everything below it.
    """

    def __init__(self) -> None:
        self.stack: list[tuple[str, str]] = []

    def update(self, paragraph: str) -> Heading | None:
        heading = heading_of(paragraph)
        if heading is None:
            return None
        kinds = [k for k, _ in self.stack]
        if heading.kind in kinds:
            del self.stack[kinds.index(heading.kind):]
        self.stack.append((heading.kind, heading.text))
        return heading

    @property
    def path(self) -> list[str]:
        return [text for _, text in self.stack]
