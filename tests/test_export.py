"""Exporting a finished speech (rag.export.manuscript): Markdown text and the Word layout of official speeches."""

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from rag.errors import WengaoError
from rag.export.manuscript import MARKER, export, to_markdown, write_docx
from rag.types import Citation, Manuscript, Part

TITLE = "在全市机关作风建设推进会上的讲话"
LONG_QUOTE = "作风建设永远在路上，必须坚持严字当头、实字托底，" * 5


def manuscript() -> Manuscript:
    return Manuscript(
        title=TITLE,
        parts=[
            Part("opening", "", [
                "同志们：",
                "今天召开全市机关作风建设推进会，会议定于【待填：时间】召开，主要任务是总结前一阶段工作，部署下一步任务[1]。",
            ]),
            Part("section", "一、强化政治引领", [
                "机关作风好不好，首先看政治站位高不高[1,2]。各级机关要把讲政治贯穿工作全过程。",
            ]),
            Part("section", "二、狠抓工作落实", [
                "抓落实是机关的基本职责[3]。要建立台账、明确时限，做到件件有着落、事事有回音[2, 3]。",
            ]),
            Part("closing", "", ["同志们，作风建设只有进行时，没有完成时。让我们扎实工作，以优良作风推动各项任务落地见效！"]),
        ],
        citations=[
            Citation(1, "s1-c3", "在机关党建工作会议上的讲话", "一、提高政治站位", "机关是政治机关，讲政治是第一位的要求。", "a.txt"),
            Citation(2, "s2-c1", "在作风建设大会上的讲话", "二、转变工作作风 > （一）深入调查研究", LONG_QUOTE, "b.md"),
            Citation(3, "s3-c7", "在督查工作会议上的讲话", "", "抓落实是机关工作的生命线。", "c.txt"),
        ],
        notes=["原材料中没有的具体信息，请核实：【待填：时间】"],
    )


def east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture
def document(tmp_path):
    path = tmp_path / "讲话稿.docx"
    write_docx(manuscript(), path)
    return docx.Document(str(path))


def test_marker_pattern_leaves_slots_alone():
    text = "会议定于【待填：时间】召开[1]，要求[1,2]、[2, 3]和【1】。"
    assert MARKER.findall(text) == ["[1]", "[1,2]", "[2, 3]"]


def test_markdown_structure():
    md = to_markdown(manuscript())
    lines = md.splitlines()
    assert lines[0] == f"# {TITLE}"
    assert [line for line in lines if line.startswith("## ")] == ["## 一、强化政治引领", "## 二、狠抓工作落实", "## 参考材料"]
    # Parts in order, markers and the open slot kept as written.
    order = [md.index(s) for s in ("同志们：", "【待填：时间】", "[1,2]", "## 二、", "[2, 3]", "以优良作风", "## 参考材料")]
    assert order == sorted(order)
    sources = md[md.index("## 参考材料"):].splitlines()[2:]
    assert sources[0] == "- [1] 《在机关党建工作会议上的讲话》 一、提高政治站位：机关是政治机关，讲政治是第一位的要求。"
    assert sources[1].startswith("- [2] 《在作风建设大会上的讲话》 二、转变工作作风 > （一）深入调查研究：作风建设")
    assert sources[1].endswith("…") and len(sources[1].split("：", 1)[1]) <= 81
    assert sources[2] == "- [3] 《在督查工作会议上的讲话》：抓落实是机关工作的生命线。"
    assert "请核实" not in md and md.endswith("\n")


def test_docx_page_and_title(document):
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.cm, 1) for m in margins] == [3.7, 3.5, 2.8, 2.6]
    assert document.core_properties.title == TITLE
    assert document.core_properties.author == ""

    title = document.paragraphs[0]
    assert title.text == TITLE
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        assert run.font.bold and run.font.size == Pt(22)
        assert east_asia(run) == "方正小标宋简体"


def test_docx_body_and_headings(document):
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    salutation = paragraphs[texts.index("同志们：")]
    assert salutation.paragraph_format.first_line_indent in (None, 0)

    body = next(p for p in paragraphs if p.text.startswith("机关作风好不好"))
    fmt = body.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(28)
    assert fmt.first_line_indent == Pt(32)
    for run in body.runs:
        assert east_asia(run).startswith("仿宋") and run.font.size == Pt(16)

    for heading in ("一、强化政治引领", "二、狠抓工作落实"):
        p = paragraphs[texts.index(heading)]
        assert all(east_asia(r) == "黑体" and r.font.size == Pt(16) and not r.font.bold for r in p.runs)
    assert texts.index("一、强化政治引领") < texts.index(body.text) < texts.index("二、狠抓工作落实")


def test_docx_markers_superscript_and_slot_highlighted(document):
    runs = [r for p in document.paragraphs for r in p.runs]
    markers = [r for r in runs if MARKER.fullmatch(r.text)]
    assert [r.text for r in markers] == ["[1]", "[1,2]", "[3]", "[2, 3]"]
    assert all(r.font.superscript for r in markers)
    assert not any(r.font.superscript for r in runs if r not in markers)
    slot = next(r for r in runs if r.text == "【待填：时间】")
    assert slot.font.highlight_color == WD_COLOR_INDEX.YELLOW and not slot.font.superscript


def test_docx_sources_without_notes(document):
    texts = [p.text for p in document.paragraphs]
    start = texts.index("参考材料")
    assert document.paragraphs[start].paragraph_format.page_break_before
    entries = texts[start + 1:]
    assert entries == [
        "[1]《在机关党建工作会议上的讲话》 一、提高政治站位：机关是政治机关，讲政治是第一位的要求。",
        f"[2]《在作风建设大会上的讲话》 二、转变工作作风 > （一）深入调查研究：{LONG_QUOTE}",
        "[3]《在督查工作会议上的讲话》：抓落实是机关工作的生命线。",
    ]
    for p in document.paragraphs[start + 1:]:
        assert all(r.font.size == Pt(12) for r in p.runs)
    assert not any("请核实" in t for t in texts)


@pytest.mark.parametrize("name", ["讲话稿.md", "讲话稿.markdown", "讲话稿.DOCX"])
def test_export_by_suffix(tmp_path, name):
    path = tmp_path / name
    assert export(manuscript(), path) == path
    if path.suffix == ".DOCX":
        assert docx.Document(str(path)).paragraphs[0].text == TITLE
    else:
        assert path.read_text(encoding="utf-8") == to_markdown(manuscript())
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_export_unknown_suffix(tmp_path):
    path = tmp_path / "讲话稿.pdf"
    with pytest.raises(WengaoError, match=r"\.docx"):
        export(manuscript(), path)
    assert list(tmp_path.iterdir()) == []


def test_export_missing_folder(tmp_path):
    with pytest.raises(WengaoError, match="不存在"):
        export(manuscript(), tmp_path / "没有这个文件夹" / "讲话稿.docx")


def test_failed_write_keeps_existing_file(tmp_path, monkeypatch):
    path = tmp_path / "讲话稿.docx"
    path.write_bytes(b"old version")

    def broken_save(self, target):
        Path(target).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", broken_save)
    with pytest.raises(WengaoError, match="原有文件未改动"):
        export(manuscript(), path)
    assert path.read_bytes() == b"old version"
    assert list(tmp_path.iterdir()) == [path]


def test_failed_markdown_write_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "讲话稿.md"
    path.write_text("旧稿", encoding="utf-8")
    monkeypatch.setattr("rag.export.manuscript.to_markdown", lambda m: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        export(manuscript(), path)
    assert path.read_text(encoding="utf-8") == "旧稿"
    assert list(tmp_path.iterdir()) == [path]
