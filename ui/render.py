"""HTML for the workspace: drafts with their evidence, their sources, the corpus.

Corpus text and model output are shown as text, never as markup: every piece
of it goes through `esc` before it is put between tags, and the only markup is
what this module writes itself.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from rag.check.finish import FLAG_COPY_AT
from rag.corpus.structure import SLOT
from rag.types import Chunk, Citation, Draft, Passage, SentenceSupport
from rag.write.evidence import Evidence, by_section, grouped

# Shortest run of characters a passage must share with a sentence to be marked:
# shorter runs (的工作, 要坚持) are everywhere and mark nothing in particular.
MIN_SHARED_RUN = 4
# A sentence and its source sentence: two characters in a row are a shared word.
SHARED_WORD = 2
NOTICE_KINDS = ("info", "busy", "done", "warn", "error")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def inline(text: str) -> str:
    """Escaped text with its 【待填：…】 slots marked."""
    out, pos = [], 0
    for match in SLOT.finditer(text):
        out.append(esc(text[pos:match.start()]))
        out.append(f'<mark class="slot">{esc(match.group())}</mark>')
        pos = match.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def anchor(scope: str, n: int) -> str:
    """The element id of source n of one draft; `scope` names the draft (letters, digits, -)."""
    return f"{scope}-{n}"


def cite_links(scope: str, numbers: Iterable[int]) -> str:
    return "".join(
        f'<a class="cite" href="#{anchor(scope, n)}" data-target="{anchor(scope, n)}">[{n}]</a>'
        for n in numbers)


def sentence_html(sentence: SentenceSupport, scope: str) -> str:
    classes, notes = ["s"], []
    if getattr(sentence, "kind", "claim") == "claim" and not sentence.supported:
        classes.append("unsupported")
        notes.append("未找到出处")
    if sentence.copied_chars >= FLAG_COPY_AT:
        classes.append("copied")
        notes.append(f"与语料连续相同 {sentence.copied_chars} 字")
    title = f' title="{esc("；".join(notes))}"' if notes else ""
    return (f'<span class="{" ".join(classes)}"{title}>{inline(sentence.text)}</span>'
            + cite_links(scope, sentence.citations))


def draft_html(draft: Draft, scope: str, skip_heading: bool = False) -> str:
    """A finished draft, paragraph by paragraph: every sentence marked by its evidence and followed by
    its citations. `skip_heading` leaves out the first line (a section's outline point, shown elsewhere)."""
    lines = [line.strip() for line in draft.text.splitlines() if line.strip()]
    whole = "\n".join(lines)
    pending = [s for s in draft.sentences if s.text in whole]
    blocks = []
    for line in lines:
        parts, pos = [], 0
        while pending and (at := line.find(pending[0].text, pos)) >= 0:
            sentence = pending.pop(0)
            parts += [inline(line[pos:at]), sentence_html(sentence, scope)]
            pos = at + len(sentence.text)
        parts.append(inline(line[pos:]))
        blocks.append(f"<p>{''.join(parts)}</p>")
    return "".join(blocks[1:] if skip_heading else blocks)


def streaming_html(text: str) -> str:
    """Text as it arrives, before it is checked: plain paragraphs and a cursor."""
    body = "".join(f"<p>{inline(line.strip())}</p>" for line in text.splitlines() if line.strip())
    return f'<div class="streaming">{body}<span class="cursor">▍</span></div>'


def evidence_html(draft: Draft) -> str:
    """One line on how well the draft rests on its sources, and the points to check."""
    claims = [s for s in draft.sentences if getattr(s, "kind", "claim") == "claim"]
    unsupported = sum(not s.supported for s in claims)
    facts = [f"引用出处 {len(draft.citations)} 处"]
    if unsupported:
        facts.append(f"{unsupported} 句未找到出处")
    longest = int(draft.copy.get("longest", 0))
    if longest >= FLAG_COPY_AT:
        facts.append(f"最长一处与语料连续相同 {longest} 字")
    return f'<div class="evidence">{esc("；".join(facts))}。</div>' + notes_html(draft.notes)


def notes_html(notes: list[str]) -> str:
    """Notes on a draft as a list; nothing when there are none."""
    items = "".join(f"<li>{esc(note)}</li>" for note in notes)
    return f'<ul class="notes">{items}</ul>' if items else ""


def shared_runs(text: str, others: Iterable[str], min_run: int = MIN_SHARED_RUN) -> list[bool]:
    """For each character of `text`: is it inside a run of `min_run` or more characters found in `others`?"""
    grams = {o[i:i + min_run] for o in others for i in range(len(o) - min_run + 1)}
    marked = [False] * len(text)
    for i in range(len(text) - min_run + 1):
        if text[i:i + min_run] in grams:
            marked[i:i + min_run] = [True] * min_run
    return marked


def marked_text(text: str, others: Iterable[str], min_run: int = MIN_SHARED_RUN) -> str:
    """Escaped `text` with the runs it shares with `others` in <mark>."""
    marked = shared_runs(text, others, min_run)
    out, start = [], 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marked[i] != marked[start]:
            piece = esc(text[start:i])
            out.append(f"<mark>{piece}</mark>" if marked[start] else piece)
            start = i
    return "".join(out).replace("\n", "<br>")


def source_html(scope: str, citation: Citation, chunk: Chunk | None, citing: list[tuple[str, str]]) -> str:
    """One cited passage: each sentence citing it over the source sentence behind it (the
    words they share marked), then the whole passage."""
    text = chunk.text if chunk else citation.quote
    section = f'<span class="path">{esc(citation.section)}</span>' if citation.section else ""
    pairs = "".join(f'<div class="pair"><p class="citing">{esc(sentence)}</p>'
                    f'<blockquote>{marked_text(quote, [sentence], SHARED_WORD)}</blockquote></div>'
                    for sentence, quote in citing)
    return (f'<details class="source" id="{anchor(scope, citation.n)}">'
            f"<summary><b>[{citation.n}]</b> 《{esc(citation.title)}》{section}</summary>{pairs}"
            f'<div class="passage">{marked_text(text, [s for s, _ in citing])}</div></details>')


def sources_html(scope: str, draft: Draft, passages: list[Passage]) -> str:
    """The passages a finished draft cites, closed until one of its [n] is clicked."""
    chunks = {p.chunk.chunk_id: p.chunk for p in passages}
    if not draft.citations:
        return '<p class="muted">没有句子能在检索到的材料中找到出处。</p>' + retrieved_html(passages)
    quotes = [(n, s.text, quote) for s in draft.sentences for n, quote in zip(s.citations, s.quotes)]
    return "".join(source_html(scope, c, chunks.get(c.chunk_id), [(s, q) for n, s, q in quotes if n == c.n])
                   for c in draft.citations)


def retrieved_html(passages: list[Passage]) -> str:
    """The passages found for a request, shown while the model writes from them."""
    items = "".join(
        f'<details class="source"><summary>材料{n} 《{esc(p.chunk.title)}》'
        f'<span class="path">{esc(p.chunk.section_path)}</span></summary>'
        f'<div class="passage">{esc(p.chunk.text)}</div></details>'
        for n, p in enumerate(passages, start=1))
    return f'<div class="retrieved">{items}</div>'


def group_html(label: str, body: str) -> str:
    return f'<section class="group"><h4>{esc(label)}</h4>{body}</section>'


def notice_html(text: str, kind: str = "info") -> str:
    """A status line or message; line breaks are kept (off-corpus answers list the speeches held)."""
    kind = kind if kind in NOTICE_KINDS else "info"
    return f'<div class="notice {kind}">{esc(text)}</div>'


def speeches_html(rows: list) -> str:
    """The speeches in the index, one row each."""
    if not rows:
        return '<p class="muted">语料库中还没有讲话。</p>'
    body = "".join(
        f"<tr><td>{esc(r.title)}</td><td>{r.sections}</td><td>{r.chunks}</td><td>{esc(r.source)}</td></tr>"
        for r in rows)
    return ('<table class="speeches"><thead><tr><th>讲话</th><th>章节数</th><th>片段数</th><th>来源文件</th>'
            f"</tr></thead><tbody>{body}</tbody></table>")


def results_html(query: str, passages: list[Passage]) -> str:
    """Search results, the words they share with the query marked."""
    if not passages:
        return '<p class="muted">没有找到相关内容。</p>'
    return "".join(
        f'<div class="result"><div class="where"><b>{p.rank}.</b> 《{esc(p.chunk.title)}》'
        f'<span class="path">{esc(p.chunk.section_path)}</span></div>'
        f'<div class="passage">{marked_text(p.chunk.text, [query], 2)}</div></div>'
        for p in passages)


# --- 素材问答: the quoted sentences that answer a question ---------------------------------


def quotes_html(evidence: list[Evidence], scope: str) -> str:
    """The evidence as the answer shows it: under each speech and section, every sentence as a
    quotation 「…」 with its [n], which opens the source on the right."""
    if not evidence:
        return '<p class="muted">语料中没有找到回答这个问题的原句。</p>'
    blocks = []
    for (_, title, source), items in grouped(evidence):
        rows = []
        for section, run in by_section(items):
            if section:
                rows.append(f'<div class="path">{esc(section)}</div>')
            for item in run:
                quote = f"「{esc(item.text)}」{cite_links(scope, [item.n])}"
                rows.append(f'<blockquote class="quote">{quote}</blockquote>')
        where = f'《{esc(title)}》<span class="path">{esc(source)}</span>'
        blocks.append(f'<div class="speech"><div class="where">{where}</div>{"".join(rows)}</div>')
    return f'<div class="quotes"><h5>原文摘录</h5>{"".join(blocks)}</div>'


def quote_sources_html(scope: str, evidence: list[Evidence], chunks: dict[str, Chunk]) -> str:
    """Each quoted sentence's source, closed until its [n] is clicked: the sentence, then the
    whole passage it stands in with the sentence marked."""
    out = []
    for item in evidence:
        chunk = chunks.get(item.chunk_id)
        section = f'<span class="path">{esc(item.section)}</span>' if item.section else ""
        passage = (f'<div class="passage">{marked_text(chunk.text, [item.text], len(item.text))}</div>'
                   if chunk else "")
        out.append(f'<details class="source" id="{anchor(scope, item.n)}">'
                   f"<summary><b>[{item.n}]</b> 《{esc(item.title)}》{section}</summary>"
                   f'<div class="pair"><blockquote>{esc(item.text)}</blockquote></div>{passage}</details>')
    return "".join(out)
