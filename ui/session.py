"""One browser session's work: the chat, the outline with its sections, the assembled speech.

A Gradio State holds one Session per browser tab and hands every event the same
object, so a section that finishes while the user edits the outline lands on
its point, whatever else changed meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.errors import WengaoError
from rag.export.manuscript import MARKER
from rag.types import Citation, Draft, Manuscript, Part, Passage
from rag.write.assemble import to_manuscript
from rag.write.expand import check_length, check_point
from rag.write.outline import MAX_FILE_POINTS, check_topic

DEFAULT_LENGTH = 400
# The line that starts the closing in the editable speech; left out of the exported file.
CLOSING = "结束语"


@dataclass
class Point:
    id: int
    text: str
    length: int = DEFAULT_LENGTH
    draft: Draft | None = None
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Turn:
    """One exchange of the chat: the request and either a draft or a message instead of one."""

    request: str
    draft: Draft | None = None
    passages: list[Passage] = field(default_factory=list)
    message: str = ""
    kind: str = "warn"  # how the message is shown: "warn" (nothing in the corpus), "error" or "info"


@dataclass
class Frame:
    """The opening or closing of the assembled speech."""

    draft: Draft
    passages: list[Passage]


@dataclass
class Session:
    topic: str = ""
    occasion: str = ""
    points: list[Point] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    opening: Frame | None = None
    closing: Frame | None = None
    # Sources of the assembled speech, numbered as its [n] markers are.
    citations: list[Citation] = field(default_factory=list)
    next_id: int = 1

    # --- the outline -------------------------------------------------------------

    def speech_topic(self) -> str:
        """The topic the model writes for: the subject, and the occasion when one is given ('' for none)."""
        topic, occasion = self.topic.strip(), self.occasion.strip()
        combined = f"{topic}（{occasion}）" if topic and occasion else topic or occasion
        return check_topic(combined) if combined else ""

    def point(self, pid: int) -> Point | None:
        return next((p for p in self.points if p.id == pid), None)

    def add(self, text: str, length: int = DEFAULT_LENGTH) -> Point:
        if len(self.points) >= MAX_FILE_POINTS:
            raise WengaoError(f"提纲最多 {MAX_FILE_POINTS} 个要点。")
        point = Point(self.next_id, check_point(text), check_length(length))
        self.next_id += 1
        self.points.append(point)
        return point

    def replace_points(self, texts: list[str]) -> None:
        self.points = []
        for text in texts:
            self.add(text)

    def move(self, pid: int, step: int) -> None:
        point = self.point(pid)
        if point is None:
            return
        i = self.points.index(point)
        j = min(max(i + step, 0), len(self.points) - 1)
        self.points.insert(j, self.points.pop(i))

    def remove(self, pid: int) -> None:
        self.points = [p for p in self.points if p.id != pid]

    # --- the chat ----------------------------------------------------------------

    def last_draft(self) -> Turn | None:
        """The latest answer with a draft: what 更简洁, 更正式 and the like rework."""
        return next((t for t in reversed(self.turns) if t.draft is not None), None)

    # --- the whole speech --------------------------------------------------------

    def sections(self) -> list[Point]:
        return [p for p in self.points if p.draft is not None]

    def other_sections(self, pid: int) -> list[str]:
        """The bodies of the sections written for the other points: what expanding `pid` must not
        say again."""
        return [p.draft.text.partition("\n")[2] for p in self.sections() if p.id != pid]

    def assemble(self, title: str) -> Manuscript:
        """Opening, the expanded sections and closing as one speech with one numbering of sources,
        which are kept for the export of the edited text."""
        parts: list[tuple[str, str, Draft]] = []
        if self.opening:
            parts.append(("opening", "", self.opening.draft))
        parts += [("section", p.text, p.draft) for p in self.sections()]
        if self.closing:
            parts.append(("closing", "", self.closing.draft))
        manuscript = to_manuscript(title, parts)
        self.citations = manuscript.citations
        return manuscript


def editor_text(manuscript: Manuscript) -> str:
    """The speech as the user edits it: `# ` title, `## ` section headings, `## 结束语` before the closing."""
    blocks = [f"# {manuscript.title}"]
    for part in manuscript.parts:
        if part.kind == "section":
            blocks.append(f"## {part.heading}")
        elif part.kind == "closing":
            blocks.append(f"## {CLOSING}")
        blocks += part.paragraphs
    return "\n\n".join(blocks) + "\n"


def read_editor(text: str, citations: list[Citation]) -> Manuscript:
    """The edited speech back as a Manuscript; only the sources its [n] markers still cite are kept."""
    title = ""
    parts = [Part("opening", "", [])]
    for line in (line.strip() for line in (text or "").splitlines()):
        if line.startswith("## "):
            heading = line[3:].strip()
            parts.append(Part("closing", "", []) if heading == CLOSING else Part("section", heading, []))
        elif line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line:
            parts[-1].paragraphs.append(line)
    if not title:
        raise WengaoError("第一行请用“# 标题”写出讲话稿的标题。")
    parts = [p for p in parts if p.paragraphs or p.kind == "section"]
    if not parts:
        raise WengaoError("讲话稿还没有正文：请先组稿或在编辑框中写入内容。")
    used = {int(n) for marker in MARKER.findall(text) for n in re.findall(r"\d+", marker)}
    return Manuscript(title, parts, [c for c in citations if c.n in used])
