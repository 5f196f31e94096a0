"""Every supported file type and encoding is read; bad files are refused with a reason."""

import docx
import pytest

from rag.corpus.readers import UnreadableFile, decode_text, find_files, read_file

SPEECH = "在全市审计工作会议上的讲话\n同志们：\n审计监督是党和国家监督体系的重要组成部分。\n"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_encodings_are_detected(tmp_path, codec):
    path = tmp_path / "s.txt"
    path.write_bytes(SPEECH.encode(codec))
    assert read_file(path).text.replace("\ufeff", "") == SPEECH


def test_docx_paragraphs(tmp_path):
    document = docx.Document()
    for line in SPEECH.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "s.docx")
    assert read_file(tmp_path / "s.docx").text.splitlines() == SPEECH.splitlines()


def test_html_drops_scripts_and_keeps_blocks(tmp_path):
    html = ("<html><head><script>alert(1)</script><style>p{}</style></head><body>"
            "<h1>在全市审计工作会议上的讲话</h1><p>同志们：</p><p>审计监督&amp;问责。</p></body></html>")
    (tmp_path / "s.html").write_text(html, "utf-8")
    lines = [x for x in read_file(tmp_path / "s.html").text.splitlines() if x.strip()]
    assert lines == ["在全市审计工作会议上的讲话", "同志们：", "审计监督&问责。"]


def test_markdown_markup_is_dropped(tmp_path):
    (tmp_path / "s.md").write_text("# 在某会议上的讲话\n\n> 同志们：\n\n- **一要**抓落实。\n", "utf-8")
    assert [x for x in read_file(tmp_path / "s.md").text.splitlines() if x] == [
        "在某会议上的讲话", "同志们：", "一要抓落实。"]


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (Helvetica, so ASCII text)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_text_layer(tmp_path):
    (tmp_path / "s.pdf").write_bytes(_minimal_pdf("Audit work report"))
    assert "Audit work report" in read_file(tmp_path / "s.pdf").text


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "空文件"),
    ("blank.txt", b"  \n\n ", "空文件"),
    ("binary.txt", bytes(range(256)) * 8, "二进制"),
    ("garbled.txt", b"\xff\x80" * 50 + b"\xff", "编码"),
    ("fake.docx", b"this is not a zip", "docx"),
    ("fake.pdf", b"%PDF-1.4 garbage", "PDF"),
])
def test_bad_files_are_refused_with_reason(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(UnreadableFile, match=reason):
        read_file(tmp_path / name)


def test_find_files_reports_unsupported_and_missing(tmp_path):
    (tmp_path / "a.txt").write_text(SPEECH, "utf-8")
    (tmp_path / "b.xlsx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text(SPEECH, "utf-8")
    found, skipped = find_files([tmp_path, tmp_path / "missing"])
    assert [p.name for p in found] == ["a.txt"]
    reasons = {p.name: why for p, why in skipped}
    assert "不支持" in reasons["b.xlsx"] and "不存在" in reasons["missing"]


def test_utf8_full_of_other_scripts_is_read_as_utf8():
    # A page glossing every character in zhuyin, with Greek letters and emoji mixed in.
    text = "博ㄅㄛˊ物ㄨˋ館ㄍㄨㄢˇ是ㄕˋ城ㄔㄥˊ市ㄕˋ的ㄉㄜ˙記ㄐㄧˋ憶ㄧˋ。αβγ 🎉" * 20
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
