"""提纲扩写: propose an outline, edit it, and expand each point into a grounded section."""

from __future__ import annotations

import gradio as gr

from rag.check.finish import FLAG_COPY_AT
from rag.errors import WengaoError
from rag.write.expand import ExpandRequest, check_length, check_point, expand
from rag.write.outline import parse_points_arg, propose_outline
from rag.write.rewrite import finish_section
from ui.controls import JobControls, job_controls, on_model
from ui.jobs import failure_html, nothing_written, run_streaming
from ui.render import (
    draft_html,
    evidence_html,
    group_html,
    notice_html,
    retrieved_html,
    sources_html,
    streaming_html,
)
from ui.session import Point, Session
from ui.workspace import Workspace

POINT_COUNTS = ["2-4", "3-5", "4-6", "5-8"]
EMPTY_SOURCES = '<p class="muted">扩写要点后，这里列出每段文字的出处；点击正文中的 [n] 查看对应材料。</p>'
LEGEND = ('<div class="legend">'
          f'<span class="s copied">灰底：与语料连续相同 {FLAG_COPY_AT} 字以上</span>'
          '<span class="s unsupported">波浪线：未找到出处</span>'
          '<mark class="slot">【待填】需要补充的信息</mark></div>')


def scope(point: Point) -> str:
    return f"outline-{point.id}"


def section_view(point: Point) -> str:
    if point.draft is None:
        return ""
    body = draft_html(point.draft, scope(point), skip_heading=True)
    return f'<div class="draft">{body}</div>{evidence_html(point.draft)}'


def sources_view(session: Session, live: tuple[int, str] | None = None) -> str:
    """The sources of every expanded section under its point; `live` is (point id, html) of one
    being written."""
    groups = []
    for point in session.points:
        if live and live[0] == point.id:
            groups.append(group_html(point.text, live[1]))
        elif point.draft is not None:
            groups.append(group_html(point.text, sources_html(scope(point), point.draft, point.passages)))
    return "".join(groups) or EMPTY_SOURCES


class OutlineTab:
    def __init__(self, ws: Workspace, session: gr.State):
        self.ws = ws
        self.session = session
        # Bumped when points are added, removed, reordered or replaced: the list is drawn again.
        self.version = gr.State(0)
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    self.topic = gr.Textbox(label="讲话主题", placeholder="例如：加强机关作风建设", scale=3)
                    self.occasion = gr.Textbox(label="场合", placeholder="例如：全市作风建设大会", scale=3)
                    self.count = gr.Dropdown(POINT_COUNTS, value="3-5", label="要点数", scale=1, min_width=90)
                self.propose = gr.Button("生成提纲", variant="primary")
                self.controls: JobControls = job_controls(ws)
                gr.HTML(LEGEND)
                self.points_area = gr.Column()
                with gr.Row():
                    self.new_point = gr.Textbox(label="新要点", placeholder="例如：二要在统筹协调上下功夫",
                                                scale=5)
                    self.add = gr.Button("添加要点", scale=1)
            with gr.Column(scale=2):
                gr.Markdown("### 出处")
                self.sources = gr.HTML(EMPTY_SOURCES, elem_id="outline-sources")
        self.wire()

    # --- the outline as a whole ----------------------------------------------------

    def wire(self) -> None:
        on_model(self.propose.click, self.ws, self.controls, self.check_propose, self.propose_job,
                 inputs=[self.session, self.topic, self.occasion, self.count, self.version],
                 outputs=[self.controls.status, self.version, self.sources], busy=[self.propose],
                 api_name="outline")
        for trigger, name in ((self.add.click, "add_point"), (self.new_point.submit, None)):
            # Queued, as everything that bumps the version: a State changed outside the queue
            # does not fire its change event, and the list would not be drawn again.
            trigger(self.add_point, [self.session, self.new_point, self.version],
                    [self.controls.status, self.new_point, self.version], api_name=name)
        with self.points_area:
            gr.render(inputs=[self.session], triggers=[self.version.change])(self.draw)

    @staticmethod
    def check_propose(s: Session, topic: str, occasion: str, counts: str, _version: int) -> None:
        s.topic, s.occasion = topic, occasion
        parse_points_arg(counts)
        if not s.speech_topic():
            raise WengaoError("请先填写讲话主题。")

    def propose_job(self, ticket: str, s: Session, _topic: str, _occasion: str, counts: str, version: int):
        def work(on_sources, on_token):
            return propose_outline(self.ws.settings, self.ws.searcher, self.ws.model(ticket),
                                   s.speech_topic(), parse_points_arg(counts), on_token)

        yield notice_html("正在检索材料、拟定提纲……", "busy"), gr.skip(), gr.skip()
        for step in run_streaming(work, self.ws.tickets.flag(ticket)):
            if step.kind == "text":
                yield notice_html(f"正在拟定提纲：\n{step.value}", "busy"), gr.skip(), gr.skip()
            elif step.kind == "error":
                yield failure_html(step.value), gr.skip(), gr.skip()
            elif step.kind == "done":
                outline = step.value
                if not outline.points:
                    nothing = notice_html("模型没有给出可用的要点，请重试或手工添加要点。", "warn")
                    yield nothing, gr.skip(), gr.skip()
                    return
                s.replace_points([p.text for p in outline.points])
                message = "\n".join([f"已拟定 {len(outline.points)} 个要点，"
                                     "可修改、增删、调整顺序后逐条扩写。", *outline.notes])
                yield notice_html(message, "done"), version + 1, sources_view(s)

    @staticmethod
    def add_point(s: Session, text: str, version: int):
        try:
            s.add(text)
        except WengaoError as exc:
            return notice_html(str(exc), "error"), gr.skip(), gr.skip()
        return "", "", version + 1

    # --- one point -------------------------------------------------------------------

    def draw(self, s: Session) -> None:
        for point in s.points:
            self.point_row(point)

    def point_row(self, point: Point) -> None:
        pid = point.id
        with gr.Group(key=f"point-{pid}", elem_classes="point-card"):
            with gr.Row():
                text = gr.Textbox(point.text, show_label=False, key=f"text-{pid}", scale=6, interactive=True,
                                  elem_classes="point-text")
                length = gr.Number(point.length, label="字数", key=f"length-{pid}", minimum=50, maximum=3000,
                                   interactive=True,
                                   step=50, precision=0, scale=1, min_width=90)
            with gr.Row():
                small = {"size": "sm", "scale": 0, "min_width": 90}
                expand_btn = gr.Button("扩写此要点", variant="primary", key=f"expand-{pid}", **small)
                again = gr.Button("重新生成", key=f"again-{pid}", visible=point.draft is not None, **small)
                up = gr.Button("上移", key=f"up-{pid}", **small)
                down = gr.Button("下移", key=f"down-{pid}", **small)
                delete = gr.Button("删除", variant="stop", key=f"delete-{pid}", **small)
            section = gr.HTML(section_view(point), key=f"section-{pid}", elem_classes="section")
        c = self.controls

        def keep(s: Session, value: str, words: float):
            target = s.point(pid)
            try:
                if target is not None:
                    target.text, target.length = check_point(value), check_length(int(words or 0))
            except WengaoError as exc:
                return notice_html(str(exc), "error")
            return gr.skip()

        for trigger in (text.blur, text.submit, length.change):
            trigger(keep, [self.session, text, length], [c.status], queue=False)

        def check(s: Session, value: str, words: float, _topic: str, _occasion: str) -> None:
            check_point(value)
            check_length(int(words or 0))

        def job(ticket: str, s: Session, value: str, words: float, topic: str, occasion: str):
            yield from self.expand_job(ticket, s, pid, value, int(words), topic, occasion)

        for trigger, name in ((expand_btn.click, f"expand_{pid}"), (again.click, None)):
            on_model(trigger, self.ws, c, check, job,
                     inputs=[self.session, text, length, self.topic, self.occasion],
                     outputs=[c.status, section, self.sources, again], busy=[expand_btn, again],
                     api_name=name)

        def reorder(step: int):
            def apply(s: Session, version: int):
                if step:
                    s.move(pid, step)
                else:
                    s.remove(pid)
                return version + 1, sources_view(s)
            return apply

        for button, step in ((up, -1), (down, 1), (delete, 0)):
            button.click(reorder(step), [self.session, self.version], [self.version, self.sources])

    def expand_job(self, ticket: str, s: Session, pid: int, text: str, length: int, topic: str,
                   occasion: str):
        point = s.point(pid)
        if point is None:
            yield notice_html("这个要点已被删除。", "warn"), gr.skip(), gr.skip(), gr.skip()
            return
        s.topic, s.occasion = topic, occasion
        point.text, point.length = text.strip(), length
        request = ExpandRequest(point.text, s.speech_topic(), length, written=s.other_sections(pid))
        flag = self.ws.tickets.flag(ticket)

        def work(on_sources, on_token):
            return expand(self.ws.settings, self.ws.searcher, self.ws.model(ticket), request,
                          on_sources, on_token)

        yield notice_html("正在检索材料……", "busy"), gr.skip(), gr.skip(), gr.skip()
        result = None
        for step in run_streaming(work, flag):
            if step.kind == "sources":
                live = group_html("检索到的材料", retrieved_html(step.value))
                yield (notice_html(f"已找到 {len(step.value)} 段材料，正在写作……", "busy"), gr.skip(),
                       sources_view(s, (pid, live)), gr.skip())
            elif step.kind == "text":
                yield gr.skip(), streaming_html(step.value), gr.skip(), gr.skip()
            elif step.kind == "error":
                yield failure_html(step.value), section_view(point), sources_view(s), gr.skip()
                return
            else:
                result = step.value
        draft, passages = result
        if not draft.text.partition("\n")[2].strip():
            empty = notice_html(*nothing_written(draft.notes, flag.is_set()))
            yield empty, section_view(point), sources_view(s), gr.skip()
            return
        yield notice_html("正在核对出处和查重……", "busy"), gr.skip(), gr.skip(), gr.skip()
        finish_section(self.ws.settings, self.ws.model(ticket), draft, passages, self.ws.searcher.index,
                       self.ws.searcher.encode_queries)
        point.draft, point.passages = draft, passages
        done = "已停止，保留已写出的部分。" if flag.is_set() else "扩写完成。"
        yield (notice_html(f"{done}点击正文中的 [n] 可在右侧查看出处。", "done"), section_view(point),
               sources_view(s), gr.update(visible=True))
