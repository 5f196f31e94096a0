"""全文组稿: the opening, the expanded sections and the closing as one editable speech, exported as a file."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from pathlib import Path

import gradio as gr

from rag.errors import WengaoError
from rag.export.manuscript import export
from rag.write.assemble import SpeechRequest, finish_frame, write_frame
from rag.write.expand import check_length
from ui.controls import job_controls, on_model
from ui.jobs import failure_html, run_streaming
from ui.library import safe_name
from ui.render import esc, notice_html
from ui.session import CLOSING, Frame, Session, editor_text, read_editor
from ui.workspace import Workspace

FRAMES = {"opening": "开场白", "closing": "结束语"}
EDITOR_HELP = (f"可直接修改。第一行“# ”后是标题，“## ”开头的行是小标题，“## {CLOSING}”以下是结束语"
               "（导出时不显示这一行）；[n] 是出处编号。")


def sources_list(session: Session) -> str:
    if not session.citations:
        return ""
    items = "".join(f"<li>[{c.n}] 《{esc(c.title)}》 {esc(c.section)}</li>" for c in session.citations)
    return f'<div class="group"><h4>参考材料</h4><ul>{items}</ul></div>'


def build(ws: Workspace, session: gr.State) -> None:
    # In the system's temp folder, from which Gradio serves downloads; gone when the server stops.
    exports = Path(tempfile.mkdtemp(prefix="wengao-exports-"))
    atexit.register(shutil.rmtree, exports, ignore_errors=True)
    with gr.Row():
        title = gr.Textbox(label="标题", placeholder="默认用“提纲扩写”中的讲话主题", scale=4)
        with_frames = gr.Checkbox(True, label="写开场白和结束语", scale=1)
        frame_length = gr.Number(150, label="开场白、结束语字数", minimum=50, maximum=600, step=50,
                                 precision=0, scale=1, min_width=120)
    compose = gr.Button("组稿", variant="primary")
    controls = job_controls(ws)
    editor = gr.Textbox(label="讲话稿", info=EDITOR_HELP, lines=22, max_lines=60, elem_id="speech-editor")
    sources = gr.HTML("")
    with gr.Row():
        to_docx = gr.Button("导出 Word（.docx）")
        to_md = gr.Button("导出 Markdown（.md）")
    download = gr.File(label="下载", interactive=False, elem_id="speech-file", height=90)

    def check(s: Session, title_text: str, frames: bool, words: float) -> None:
        if not s.sections():
            raise WengaoError("还没有扩写好的要点：请先在“提纲扩写”中扩写至少一个要点。")
        if frames:
            check_length(int(words or 0))
            if not (s.speech_topic() or title_text.strip()):
                raise WengaoError("请填写标题，或在“提纲扩写”中填写讲话主题。")

    def job(ticket: str, s: Session, title_text: str, frames: bool, words: float):
        title_text = title_text.strip() or s.speech_topic() or "讲话稿"
        s.opening = s.closing = None
        if frames:
            request = SpeechRequest(s.speech_topic() or title_text, [p.text for p in s.sections()],
                                    frame_length=int(words))
            for kind, name in FRAMES.items():
                def work(on_sources, on_token, kind=kind):
                    return write_frame(ws.settings, ws.searcher, ws.model(ticket), request, kind,
                                       on_sources, on_token)

                for step in run_streaming(work, ws.tickets.flag(ticket)):
                    if step.kind == "text":
                        yield notice_html(f"正在写{name}：\n{step.value}", "busy"), gr.skip(), gr.skip()
                    elif step.kind == "error":
                        yield failure_html(step.value), gr.skip(), gr.skip()
                        return
                    elif step.kind == "done":
                        draft, passages = step.value
                        finish_frame(ws.settings, ws.searcher, ws.model(ticket), draft, passages)
                        setattr(s, kind, Frame(draft, passages) if draft.text.strip() else None)
                if ws.tickets.flag(ticket).is_set():
                    break
        manuscript = s.assemble(title_text)
        missing = len(s.points) - len(s.sections())
        note = f"另有 {missing} 个要点尚未扩写，未编入。" if missing else ""
        summary = f"已组稿：{len(manuscript.parts)} 个部分，引用出处 {len(s.citations)} 处。{note}"
        yield notice_html(summary, "done"), editor_text(manuscript), sources_list(s)

    on_model(compose.click, ws, controls, check, job, inputs=[session, title, with_frames, frame_length],
             outputs=[controls.status, editor, sources], busy=[compose], api_name="assemble",
             needs_model=lambda s, title_text, frames, words: frames)

    def save(suffix: str):
        def write(s: Session, text: str):
            try:
                manuscript = read_editor(text, s.citations)
                folder = exports / uuid.uuid4().hex
                folder.mkdir()
                path = export(manuscript, folder / f"{safe_name(manuscript.title)}{suffix}")
            except WengaoError as exc:
                return notice_html(str(exc), "error"), gr.skip()
            return notice_html(f"已生成 {path.name}，点击下方文件名下载。", "done"), str(path)
        return write

    to_docx.click(save(".docx"), [session, editor], [controls.status, download])
    to_md.click(save(".md"), [session, editor], [controls.status, download])
