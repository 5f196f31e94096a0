"""语料库: the speeches in the index, uploads added to it, speeches taken out, and a search."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.errors import WengaoError
from rag.search.hybrid import check_query
from ui.controls import MODEL_QUEUE
from ui.jobs import failure_html
from ui.library import ALLOWED_SUFFIXES, MAX_UPLOAD_BYTES
from ui.render import esc, notice_html, results_html, speeches_html
from ui.workspace import CorpusChange, Workspace

SEARCH_RESULTS = 5
# Ingest reports through tqdm (files read, passages embedded); Gradio shows it as a progress bar.
TRACK_TQDM = gr.Progress(track_tqdm=True)


def overview(ws: Workspace) -> tuple[str, list[tuple[str, str]]]:
    """The table of speeches, and the choices for removing one."""
    rows = ws.speeches()
    summary = f'<p>共 {len(rows)} 篇讲话，{sum(r.chunks for r in rows)} 个片段。</p>'
    return summary + speeches_html(rows), [(f"{r.title}（{r.source}）", r.speech_id) for r in rows]


def refreshed(ws: Workspace) -> tuple[str, dict]:
    table, choices = overview(ws)
    return table, gr.update(choices=choices, value=None)


def change_html(verb: str, change: CorpusChange) -> str:
    lines = []
    if change.done:
        lines.append(f"已{verb}：" + "、".join(change.done))
    lines += [reason for _, reason in change.refused]
    if change.report:
        lines += [f"跳过 {Path(path).name}：{why}" for path, why in change.report.skipped]
        lines += [f"注意 {Path(w.path).name}：{w.message}" for w in change.report.warnings]
        lines.append(f"索引已更新：{change.report.speeches} 篇讲话，{change.report.chunks} 个片段"
                     f"（新计算向量 {change.report.embedded} 个），用时 {change.report.seconds} 秒。")
    whole = not change.refused and (change.report is None or change.report.complete)
    kind = "done" if change.done and whole else "warn" if change.done else "error"
    return notice_html("\n".join(lines) or "没有变化。", kind)


def build(ws: Workspace) -> None:
    table, choices = overview(ws)
    with gr.Row():
        with gr.Column(scale=3):
            speeches = gr.HTML(table, elem_id="speech-table")
        with gr.Column(scale=2):
            kinds = " ".join(ALLOWED_SUFFIXES)
            files = gr.File(label=f"上传讲话稿（{kinds}，每个不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）",
                            # No file_types: Gradio would refuse other types with an English message;
                            # add_files refuses them with a Chinese one.
                            file_count="multiple", type="filepath",
                            elem_id="corpus-upload")
            add = gr.Button("加入语料库", variant="primary")
            add_status = gr.HTML("")
            chosen = gr.Dropdown(label="移除讲话（连同其所在文件中的其他讲话）", choices=choices, value=None)
            remove = gr.Button("移除", variant="stop")
            remove_status = gr.HTML("")
    with gr.Row():
        query = gr.Textbox(label="检索语料", placeholder="输入关键词或一句话", scale=5)
        search = gr.Button("检索", scale=1)
    results = gr.HTML("")

    def add_files(paths: list[str] | None, progress=TRACK_TQDM):
        if not paths:
            return notice_html("请先选择要上传的文件。", "error"), gr.skip(), gr.skip(), gr.skip()
        progress(0, desc="正在读取、清洗并建立索引")
        try:
            change = ws.add_files([(Path(p), Path(p).name) for p in paths], progress=True)
        except Exception as exc:  # the index stays as it was; the message says why
            return failure_html(exc), gr.skip(), gr.skip(), None
        return change_html("加入", change), *refreshed(ws), None

    add.click(add_files, [files], [add_status, speeches, chosen, files], **MODEL_QUEUE)

    def remove_speech(speech_id: str | None, progress=TRACK_TQDM):
        if not speech_id:
            return notice_html("请先选择要移除的讲话。", "error"), gr.skip(), gr.skip()
        progress(0, desc="正在移除并重建索引")
        try:
            change = ws.remove_speech(speech_id, progress=True)
        except Exception as exc:
            return failure_html(exc), gr.skip(), gr.skip()
        return change_html("移除", change), *refreshed(ws)

    remove.click(remove_speech, [chosen], [remove_status, speeches, chosen], **MODEL_QUEUE)

    def find(text: str) -> str:
        try:
            text = check_query(text)
        except WengaoError as exc:
            return notice_html(str(exc), "error")
        return f'<p class="muted">“{esc(text)}”的检索结果：</p>' + results_html(
            text, ws.searcher.search(text, k=SEARCH_RESULTS))

    search.click(find, [query], [results], api_name="search")
    query.submit(find, [query], [results])
