"""The workspace as one Gradio app: 素材问答, 提纲扩写, 全文组稿, 语料库."""

from __future__ import annotations

import sys
from pathlib import Path

import gradio as gr

from rag.errors import WengaoError
from rag.settings import Settings
from ui import assemble_tab, chat, corpus_tab
from ui.library import MAX_UPLOAD_BYTES
from ui.outline_tab import OutlineTab
from ui.session import Session
from ui.workspace import Workspace

STATIC = Path(__file__).resolve().parent / "static"
# Fonts the machine has: nothing is fetched from the network.
FONTS = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"]


def where_text_goes(settings: Settings) -> str:
    """Users are promised their documents stay local: say so only when it is true."""
    if settings.llm_server:
        return f"生成时检索到的段落会发送到模型服务器 {settings.llm_server}。"
    return "内容不出本机。"


def build_app(ws: Workspace) -> gr.Blocks:
    with gr.Blocks(title="文稿 · 讲话稿起草工作台", analytics_enabled=False) as demo:
        gr.Markdown("## 文稿 · 讲话稿起草工作台\n根据本机语料起草讲话稿：每句话都核对出处，"
                    + where_text_goes(ws.settings))
        session = gr.State(Session())
        with gr.Tabs():
            with gr.Tab("素材问答", id="chat"):
                chat.build(ws, session)
            with gr.Tab("提纲扩写", id="outline"):
                OutlineTab(ws, session)
            with gr.Tab("全文组稿", id="assemble"):
                assemble_tab.build(ws, session)
            with gr.Tab("语料库", id="corpus"):
                corpus_tab.build(ws)
    # Generations wait in the queue one at a time (see ui/controls.py); anything else runs alongside.
    demo.queue(default_concurrency_limit=4)
    return demo


def serve(settings: Settings, host: str, port: int, auth: tuple[str, str] | None) -> None:
    """Load the models and the index, start the server, print its address and wait until Ctrl-C."""
    ws = Workspace(settings)
    demo = build_app(ws)
    try:
        demo.launch(
            server_name=host, server_port=port, auth=auth, auth_message="请输入用户名和密码。",
            share=False, prevent_thread_lock=True, quiet=True, show_error=False, ssr_mode=False,
            mcp_server=False, enable_monitoring=False, run_history=False, footer_links=[],
            # Only a backstop against filling the disk: the upload check (ui/library.py) refuses
            # anything over MAX_UPLOAD_BYTES with a message in Chinese, which Gradio's would not be.
            max_file_size=10 * MAX_UPLOAD_BYTES,
            theme=gr.themes.Default(font=FONTS), css_paths=[STATIC / "wengao.css"],
            js=(STATIC / "wengao.js").read_text("utf-8"),
        )
    except OSError as exc:
        raise WengaoError(
            f"无法在 {host}:{port} 上启动：{exc}。端口可能已被占用，请用 --port 换一个。") from None
    print(f"文稿工作台已启动：http://{host}:{port}  （按 Ctrl-C 退出）", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1") and auth is None:
        print("注意：工作台对其他电脑开放且未设密码，建议加 --auth 用户名:密码。",
              file=sys.stderr, flush=True)
    demo.block_thread()
