"""Read corpus files of the supported types into plain text.

Encodings are detected, not assumed: offices mix UTF-8 (with or without BOM),
GB18030/GBK from older Windows tools, and UTF-16 from Word's "save as text".
"""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from rag.errors import WengaoError
from rag.types import SourceText

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 50 * 1024 * 1024
_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[A-Za-z]{2,8});")


class UnreadableFile(WengaoError):
    """A file that is skipped, with the reason in the message."""


def find_files(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand folders; return (files to read, [(path, why skipped)])."""
    candidates: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            candidates += [c for c in sorted(path.rglob("*")) if c.is_file()
                           and not c.name.startswith(".")]
        elif path.is_file():
            candidates.append(path)
        else:
            skipped.append((path, "不存在 (not found)"))
    found = []
    for path in candidates:
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(path)
        else:
            kind = path.suffix or "(无后缀)"
            skipped.append((path, f"不支持的文件类型 {kind} (unsupported type)"))
    return found, skipped


def read_file(path: Path, display: str | None = None) -> SourceText:
    """Read one file into text; raise UnreadableFile with the reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"无法读取: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"文件过大 ({len(data) // 1024 // 1024} MB > 50 MB)")
    if not data.strip():
        raise UnreadableFile("空文件 (empty)")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        text, encoding = _read_docx(path), "docx"
    elif suffix == ".pdf":
        text, encoding = _read_pdf(path), "pdf"
    else:
        text, encoding = decode_text(data)
        if suffix in (".html", ".htm"):
            text = html_to_text(text)
        else:
            # Text copied out of a web page's source keeps its entities (&nbsp; &ldquo;).
            text = html.unescape(text) if _ENTITY.search(text) else text
            if suffix == ".md":
                text = markdown_to_text(text)
    if not text.strip():
        raise UnreadableFile("没有可读的文字 (no text)")
    return SourceText(
        path=display or str(path),
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _plausibility(text: str) -> float:
    """Share of characters a Chinese document is made of; low for a wrong codec."""
    if not text:
        return 0.0
    good = sum(
        1
        for ch in text
        if ch in "\n\r\t" or " " <= ch <= "~" or "\u3000" <= ch <= "\u303f"
        or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u2027"
    )
    return good / len(text)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file; return (text, encoding name).

    A byte order mark decides. Otherwise strict UTF-8 is right whenever it
    decodes cleanly; failing that, GB18030 and BOM-less UTF-16 are tried and
    the decoding that looks most like text wins.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise UnreadableFile(f"声明为 {codec} 但无法解码 (undecodable)") from None
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    # Bytes that decode as UTF-8 by chance are rare: whatever script the page mixes in (zhuyin
    # glosses, Greek, emoji), the file is UTF-8 unless it holds control codes.
    if utf8 is not None and not _CONTROL.search(utf8):
        return utf8, "utf-8"
    scored = [] if utf8 is None else [(_plausibility(utf8) + 0.05, "utf-8", utf8)]
    for codec in ("gb18030", "utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text), codec, text))
    score, codec, text = max(scored) if scored else (0.0, "", "")
    if score >= 0.9:
        return text, codec
    if b"\x00" in data[:8192]:
        raise UnreadableFile("二进制文件，不是文本 (binary)")
    raise UnreadableFile("无法识别文字编码 (undecodable text: not UTF-8, GB18030 or UTF-16)")


def _read_docx(path: Path) -> str:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a broken install
        raise UnreadableFile(f"缺少 python-docx: {exc}") from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise UnreadableFile(f"不是有效的 .docx 文件: {exc}") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise UnreadableFile(f"不是有效的 PDF 文件: {exc}") from None
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFile("PDF 没有文字层（可能是扫描件，请先做文字识别）")
    return text


class _HTMLText(HTMLParser):
    BLOCK = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "header", "footer", "title", "table", "ul", "ol",
    }
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


_MD_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?=\S))")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")


def markdown_to_text(markdown: str) -> str:
    """Drop Markdown markup that is not speech text (heading hashes, quotes, bullets)."""
    lines = []
    for line in markdown.splitlines():
        line = _MD_PREFIX.sub("", line)
        lines.append(_MD_EMPHASIS.sub("", line))
    return "\n".join(lines)
