"""A finished speech as a file the user can edit and print: Markdown or Word.

The Word layout follows the usual conventions for official speeches (公文/讲话稿):
A4, 小标宋 title, 仿宋 body at 三号 on a fixed 28pt line, 黑体 section headings.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.text.paragraph import Paragraph

from rag.corpus.structure import SLOT, is_salutation
from rag.errors import WengaoError
from rag.types import Citation, Manuscript

# [1] [1,2] [1, 2]. Only digits: a slot such as 【待填：时间】 is text the user must see.
MARKER = re.compile(r"\[\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\]")
_SEGMENT = re.compile(f"(?P<marker>{MARKER.pattern})|(?P<slot>{SLOT.pattern})")

SOURCES_HEADING = "参考材料"
QUOTE_CHARS = 80

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
SOURCE_SIZE = Pt(12)
BODY_LINE = Pt(28)
# Two characters of the body font: the customary paragraph indent.
INDENT = Pt(32)


def _shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _source(c: Citation, quote: str) -> str:
    return f"《{c.title}》" + (f" {c.section}" if c.section else "") + f"：{quote}"


def to_markdown(m: Manuscript) -> str:
    """Plain text that keeps the structure and the [n] markers, for any editor or further processing."""
    blocks = [f"# {m.title}"]
    for part in m.parts:
        if part.heading:
            blocks.append(f"## {part.heading}")
        blocks.extend(part.paragraphs)
    if m.citations:
        blocks.append(f"## {SOURCES_HEADING}")
        blocks.append("\n".join(f"- [{c.n}] {_source(c, _shorten(c.quote))}" for c in m.citations))
    return "\n\n".join(blocks) + "\n"


def _set_font(run, name: str, size: Length) -> None:
    run.font.name = name
    run.font.size = size
    # Word picks the font for Chinese characters from w:eastAsia, which font.name leaves unset.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, *, indent: bool = True, line: Length = BODY_LINE) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    # A length (not a multiple) makes it a fixed line height, 固定值 in Word.
    fmt.line_spacing = line
    # The template's default space after paragraphs would break the fixed line grid.
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = INDENT if indent else None
    return p


def _add_text(p: Paragraph, text: str, font: str, size: Length) -> None:
    """Markers become superscript and open slots are highlighted, so both stand out on screen and paper."""
    pos = 0
    for match in _SEGMENT.finditer(text):
        if match.start() > pos:
            _set_font(p.add_run(text[pos:match.start()]), font, size)
        run = p.add_run(match.group())
        _set_font(run, font, size)
        if match.group("marker"):
            run.font.superscript = True
        else:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        pos = match.end()
    if pos < len(text):
        _set_font(p.add_run(text[pos:]), font, size)


def _heading(doc, text: str) -> Paragraph:
    p = _paragraph(doc)
    p.paragraph_format.keep_with_next = True
    # 黑体 is already heavy; bold on top of it only smears the strokes.
    _add_text(p, text, HEADING_FONT, BODY_SIZE)
    return p


def write_docx(m: Manuscript, path: Path) -> None:
    """A Word file laid out as a speech is printed and read aloud; the user's notes stay out of it."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    props = doc.core_properties
    props.title = m.title
    # The blank template names its own generator as author and dates the file 2013.
    props.author = props.comments = ""
    props.created = props.modified = datetime.now(UTC)

    title = _paragraph(doc, indent=False, line=Pt(36))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = BODY_LINE
    _add_text(title, m.title, TITLE_FONT, TITLE_SIZE)
    for run in title.runs:
        run.font.bold = True

    for part in m.parts:
        if part.heading:
            _heading(doc, part.heading)
        for i, text in enumerate(part.paragraphs):
            # The salutation that opens a speech (同志们：) stands flush left.
            flush = part.kind == "opening" and i == 0 and is_salutation(text)
            _add_text(_paragraph(doc, indent=not flush), text, BODY_FONT, BODY_SIZE)

    if m.citations:
        # On a page of its own, so the speech can be printed without it.
        _heading(doc, SOURCES_HEADING).paragraph_format.page_break_before = True
        for c in m.citations:
            p = _paragraph(doc, indent=False, line=Pt(20))
            _set_font(p.add_run(f"[{c.n}]{_source(c, c.quote)}"), BODY_FONT, SOURCE_SIZE)
    doc.save(str(path))


def _write_markdown(m: Manuscript, path: Path) -> None:
    path.write_text(to_markdown(m), encoding="utf-8")


WRITERS: dict[str, Callable[[Manuscript, Path], None]] = {
    ".md": _write_markdown,
    ".markdown": _write_markdown,
    ".docx": write_docx,
}


def _replace(path: Path, write: Callable[[Path], None]) -> None:
    # Beside the target, so os.replace is a rename within one file system; created by the writer
    # itself, so it gets the user's usual permissions.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        with tmp.open("r+b") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_target(path: Path) -> Path:
    """The target if it can be written (known suffix, existing folder); checked before any slow work."""
    path = Path(path)
    if path.suffix.lower() not in WRITERS:
        raise WengaoError(
            f"无法导出为“{path.name}”：只支持 .md、.markdown（Markdown 文本）和 .docx（Word 文档）。"
        )
    if not path.parent.is_dir():
        raise WengaoError(f"保存位置“{path.parent}”不存在，请先建好这个文件夹或换一个位置。")
    return path


def export(m: Manuscript, path: Path) -> Path:
    """Write `m` in the format the suffix names; an existing file is replaced whole or not at all."""
    path = check_target(path)
    writer = WRITERS[path.suffix.lower()]
    try:
        _replace(path, lambda tmp: writer(m, tmp))
    except OSError as exc:
        hint = "；如果它正在 Word 或 WPS 中打开，请先关闭" if isinstance(exc, PermissionError) else ""
        kept = "原有文件未改动。" if path.exists() else ""
        raise WengaoError(f"无法写入“{path}”：{exc.strerror or exc}{hint}。{kept}") from exc
    return path
