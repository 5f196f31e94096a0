"""`wengao serve`: the browser workspace on this machine."""

from __future__ import annotations

import argparse

from rag.cli.common import settings_from
from rag.cli.drafting import add_model_flags
from rag.errors import WengaoError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="启动浏览器工作台：素材问答、提纲扩写、全文组稿、语料库")
    parser.add_argument("--host", default="127.0.0.1",
                        help="监听地址（默认 127.0.0.1，只有本机能访问；0.0.0.0 对局域网开放）")
    parser.add_argument("--port", type=int, default=7860, help="端口（默认 7860）")
    parser.add_argument("--auth", metavar="USER:PASS", help="访问时需要输入的用户名和密码")
    parser.add_argument("--index", help="index directory (default: inside WENGAO_HOME)")
    parser.add_argument("--embed-model", help="a sentence-transformers folder to embed with")
    add_model_flags(parser)
    parser.set_defaults(run=run)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not (sep and user and password):
        raise WengaoError("--auth 应写成 用户名:密码，两者都不能为空。")
    return user, password


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise WengaoError(f"端口应在 1 到 65535 之间，而不是 {args.port}。")
    auth = parse_auth(args.auth)
    settings = settings_from(args)
    print("正在加载模型和索引……", flush=True)
    from ui.app import serve  # gradio takes seconds to import: only when serving

    serve(settings, args.host, args.port, auth)
    return 0
