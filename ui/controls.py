"""What every model button shares: a check at once, a place in the queue, progress and a cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import gradio as gr

from rag.errors import WengaoError
from ui.render import notice_html
from ui.workspace import Workspace

# One generation at a time per loaded model; other requests wait in the queue and see their place.
MODEL_QUEUE = {"concurrency_limit": 1, "concurrency_id": "model"}


@dataclass
class JobControls:
    status: gr.HTML
    cancel: gr.Button
    ticket: gr.State


def job_controls(ws: Workspace) -> JobControls:
    """A status line and a 停止 button shown while a request of this tab waits or runs."""
    with gr.Row():
        status = gr.HTML("", elem_classes="status")
        cancel = gr.Button("停止", variant="stop", size="sm", visible=False, scale=0, min_width=80)
    ticket = gr.State("")

    def stop(current: str) -> str:
        if ws.tickets.cancel(current):
            return notice_html("正在停止……", "busy")
        return gr.skip()

    cancel.click(stop, inputs=[ticket], outputs=[status], queue=False)
    return JobControls(status, cancel, ticket)


def on_model(
    trigger,
    ws: Workspace,
    controls: JobControls,
    check: Callable[..., None],
    job: Callable[..., Iterator[tuple]],
    inputs: list,
    outputs: list,
    busy: list[gr.Button] | None = None,
    api_name: str | None = None,
    needs_model: Callable[..., bool] | None = None,
) -> None:
    """trigger -> check(*inputs) at once (a mistake is reported without waiting in the queue)
    -> job(ticket, *inputs) behind other generations -> the buttons back as they were.

    `job` yields one value per output, the first of which is the status line; `busy`
    buttons are disabled while it waits and runs. A request for which
    `needs_model(*inputs)` is false runs at once instead, beside the queue.
    `api_name` names the steps for API clients: NAME_start, NAME and NAME_end,
    and NAME_now for a request that needs no model.
    """
    busy = busy or []
    skip_all = tuple(gr.skip() for _ in outputs)

    def named(suffix: str) -> str | None:
        return f"{api_name}{suffix}" if api_name else None

    def start(*values):
        if needs_model and not needs_model(*values):
            return ("", *(gr.skip() for _ in range(2 + len(busy))))
        try:
            check(*values)
        except WengaoError as exc:
            return ("", notice_html(str(exc), "error"), gr.update(visible=False),
                    *(gr.skip() for _ in busy))
        return (ws.tickets.open(), notice_html("排队等候模型……", "busy"), gr.update(visible=True),
                *(gr.update(interactive=False) for _ in busy))

    def gate(ticket: str) -> None:
        # Without a ticket (refused, or run at once) the chain stops here, before the model queue.
        if not ticket:
            raise gr.Error(visible=False, print_exception=False)

    def run(ticket: str, *values):
        if not ticket:  # an API client calling NAME after a refused NAME_start
            yield skip_all
            return
        yield from job(ticket, *values)

    def now(*values):  # registered only when needs_model is given
        if needs_model(*values):
            yield skip_all
            return
        try:
            check(*values)
        except WengaoError as exc:
            yield (notice_html(str(exc), "error"), *skip_all[1:])
            return
        yield from job("", *values)

    def end(ticket: str):
        ws.tickets.close(ticket)
        updates = (gr.update(visible=False), *(gr.update(interactive=True) for _ in busy))
        return updates if busy else updates[0]  # one output takes a bare value

    trigger(start, inputs=inputs, outputs=[controls.ticket, controls.status, controls.cancel, *busy],
            queue=False, api_name=named("_start")).success(
        gate, inputs=[controls.ticket], queue=False, api_visibility="private").success(
        run, inputs=[controls.ticket, *inputs], outputs=outputs, api_name=named(""), **MODEL_QUEUE).then(
        end, inputs=[controls.ticket], outputs=[controls.cancel, *busy], queue=False, api_name=named("_end"))
    if needs_model:
        trigger(now, inputs=inputs, outputs=outputs, api_name=named("_now"))
