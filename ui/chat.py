"""素材问答: questions about the corpus and requests for a passage, then reworking the last draft."""

from __future__ import annotations

import re
from dataclasses import dataclass

import gradio as gr

from rag.check.cite import model_verifier
from rag.check.finish import finish_draft
from rag.errors import WengaoError
from rag.types import Passage
from rag.write.ask import Answer, Context, answer, check_question
from rag.write.evidence import evidence_chunks
from rag.write.expand import ExpandRequest, check_length, expand
from rag.write.refine import REFINEMENTS, refine
from rag.write.rewrite import finish_section
from ui.controls import job_controls, on_model
from ui.jobs import failure, nothing_written, run_streaming
from ui.render import (
    draft_html,
    esc,
    evidence_html,
    group_html,
    notes_html,
    notice_html,
    quote_sources_html,
    quotes_html,
    retrieved_html,
    sources_html,
    streaming_html,
)
from ui.session import Session, Turn
from ui.workspace import Workspace

# 写一段…, 请起草…, 帮我拟写…: a request for a passage rather than a question.
_WRITE = re.compile(r"^(请|帮我|麻烦)?(写|起草|拟写|撰写|草拟)")
EMPTY_SOURCES = '<p class="muted">回答中的 [n] 对应这里的材料，点击即可展开。</p>'
EMPTY_CHAT = ('<p class="muted">可以就语料提问（如：哪些讲话谈到了督查工作，是怎么要求的？），'
              '也可以要一段文字（如：写一段关于加强调查研究的话）。写好后可用下面的按钮继续修改。</p>')
REFINE_LABELS = list(REFINEMENTS)
LABEL_CHARS = 24
PLACEHOLDER = "例如：哪些讲话谈到了督查工作？ 或：写一段关于加强调查研究的话"


@dataclass
class AskTurn(Turn):
    """A question: its answer holds the quoted evidence, the synthesis and what a follow-up reads."""

    answer: Answer | None = None


def previous_context(turns: list[Turn]) -> Context | None:
    """The latest answered question, which a follow-up (那县里的讲话呢？) is read with."""
    latest = next((t for t in reversed(turns) if isinstance(t, AskTurn) and t.answer), None)
    return latest.answer.context() if latest else None


def answer_html(turn: AskTurn, n: int) -> str:
    """The quotes first, then the synthesis, whose verified [n] are the quotes' numbers."""
    draft = turn.answer.draft
    body = quotes_html(turn.answer.evidence, scope(n))
    if draft.text:
        body += f'<div class="draft synthesis"><h5>归纳</h5>{draft_html(draft, scope(n))}</div>'
    return f'<div class="answer">{body}</div>' + notes_html(draft.notes)


def refinement(message: str) -> str | None:
    text = message.strip().rstrip("。！!")
    return text if text in REFINEMENTS else None


def scope(n: int) -> str:
    return f"chat-{n}"


def transcript_html(turns: list[Turn], live: str = "") -> str:
    """The conversation; `live` is what the last request shows while it is answered."""
    if not turns:
        return EMPTY_CHAT
    out = []
    for n, turn in enumerate(turns):
        if isinstance(turn, AskTurn) and turn.answer is not None:
            reply = answer_html(turn, n)
        elif turn.draft is not None:
            body = draft_html(turn.draft, scope(n))
            reply = f'<div class="answer draft">{body}</div>{evidence_html(turn.draft)}'
        elif turn.message:
            reply = notice_html(turn.message, turn.kind)
        else:
            reply = f'<div class="answer">{live}</div>' if n == len(turns) - 1 else ""
        out.append(f'<div class="turn"><div class="ask">{esc(turn.request)}</div>{reply}</div>')
    return "".join(out)


def sources_view(turns: list[Turn], live: str = "") -> str:
    """Sources of every answer, the latest first: the [n] of an older answer still opens its passage."""
    groups = [group_html("检索到的材料", live)] if live else []
    for n in reversed(range(len(turns))):
        turn = turns[n]
        label = f"第 {n + 1} 问：{turn.request[:LABEL_CHARS]}"
        if isinstance(turn, AskTurn) and turn.answer is not None:
            chunks = {p.chunk.chunk_id: p.chunk for p in turn.passages}
            groups.append(group_html(label, quote_sources_html(scope(n), turn.answer.evidence, chunks)))
        elif turn.draft is not None:
            groups.append(group_html(label, sources_html(scope(n), turn.draft, turn.passages)))
    return "".join(groups) or EMPTY_SOURCES


def build(ws: Workspace, session: gr.State) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            transcript = gr.HTML(EMPTY_CHAT, elem_id="chat-transcript")
            controls = job_controls(ws)
            with gr.Row():
                question = gr.Textbox(label="提问或要求", lines=2, scale=5, placeholder=PLACEHOLDER)
                length = gr.Number(300, label="字数", minimum=50, maximum=1000, step=50, precision=0, scale=1,
                                   min_width=90)
            with gr.Row():
                send = gr.Button("发送", variant="primary", scale=0, min_width=120)
                refine_buttons = [gr.Button(label, size="sm", scale=0, min_width=100)
                                  for label in REFINE_LABELS]
        with gr.Column(scale=2):
            gr.Markdown("### 出处")
            sources = gr.HTML(EMPTY_SOURCES, elem_id="chat-sources")

    def check(s: Session, message: str, words: float) -> None:
        if refinement(message):
            if s.last_draft() is None:
                raise WengaoError("还没有可以修改的文稿：请先提问或要一段文字。")
        else:
            check_question(message)
        check_length(int(words or 0))

    def job(ticket: str, s: Session, message: str, words: float):
        message = message.strip()
        base = s.last_draft() if refinement(message) else None
        section = not base and bool(_WRITE.match(message))
        asking = not base and not section
        context = previous_context(s.turns)
        turn = AskTurn(message) if asking else Turn(message)
        s.turns.append(turn)
        n = len(s.turns) - 1
        model = ws.model(ticket)

        def work(on_sources, on_token):
            if base is not None:
                on_sources(base.passages)
                draft = refine(ws.settings, model, base.draft.text, base.passages, message, on_token)
                return draft, base.passages
            if section:
                request = ExpandRequest(message, "", int(words))
                draft, passages = expand(ws.settings, ws.searcher, model, request, on_sources, on_token)
                draft.text = draft.text.partition("\n")[2]  # the request is not a heading
                return draft, passages
            return answer(ws.settings, ws.searcher, model, message, int(words), on_sources, on_token, context)

        yield (notice_html("正在检索材料……", "busy"), transcript_html(s.turns, "……"), gr.skip(), "")
        flag = ws.tickets.flag(ticket)
        shown = ""  # the quotes, above the synthesis as it streams
        for step in run_streaming(work, flag):
            if step.kind == "sources" and asking:
                evidence = step.value
                chunks = evidence_chunks(ws.searcher.index, evidence)
                turn.passages = [Passage(chunk, 1.0) for chunk in chunks.values()]
                shown = quotes_html(evidence, scope(n))
                yield (notice_html(f"已找到 {len(evidence)} 句原文，正在归纳……", "busy"),
                       transcript_html(s.turns, shown + streaming_html("")),
                       sources_view(s.turns, quote_sources_html(scope(n), evidence, chunks)), gr.skip())
            elif step.kind == "sources":
                yield (notice_html(f"已找到 {len(step.value)} 段材料，正在写作……", "busy"), gr.skip(),
                       sources_view(s.turns, retrieved_html(step.value)), gr.skip())
            elif step.kind == "text":
                live = transcript_html(s.turns, shown + streaming_html(step.value))
                yield gr.skip(), live, gr.skip(), gr.skip()
            elif step.kind == "error":
                turn.message, turn.kind = failure(step.value)
                yield "", transcript_html(s.turns), sources_view(s.turns), gr.skip()
                return
            elif asking:
                turn.answer = step.value
            else:
                draft, passages = step.value
        if asking:
            done = "完成。点击 [n] 可在右侧查看原文所在段落。"
            if turn.answer.draft.text:
                turn.draft = turn.answer.draft
            elif flag.is_set():
                done = "已停止。上面的原文摘录就是检索到的回答。"
            yield (notice_html(done, "done"), transcript_html(s.turns), sources_view(s.turns), gr.skip())
            return
        if not draft.text.strip():
            turn.message, turn.kind = nothing_written(draft.notes, flag.is_set())
            yield "", transcript_html(s.turns), sources_view(s.turns), gr.skip()
            return
        yield notice_html("正在核对出处……", "busy"), gr.skip(), gr.skip(), gr.skip()
        if section:
            finish_section(ws.settings, model, draft, passages, ws.searcher.index, ws.searcher.encode_queries)
        else:
            finish_draft(draft, passages, ws.searcher.index, ws.searcher.encode_queries,
                         model_verifier(model, ws.settings.prompts))
        turn.draft, turn.passages = draft, passages
        yield (notice_html("完成。点击 [n] 可在右侧查看出处；可用下面的按钮继续修改。", "done"),
               transcript_html(s.turns), sources_view(s.turns), gr.skip())

    outputs = [controls.status, transcript, sources, question]
    busy = [send, *refine_buttons]
    for trigger, name in ((send.click, "ask"), (question.submit, None)):
        on_model(trigger, ws, controls, check, job, inputs=[session, question, length], outputs=outputs,
                 busy=busy, api_name=name)
    for button, label in zip(refine_buttons, REFINE_LABELS):
        instruction = gr.State(label)
        on_model(button.click, ws, controls, check, job, inputs=[session, instruction, length],
                 outputs=outputs, busy=busy)
