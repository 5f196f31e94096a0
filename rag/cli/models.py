"""`wengao models`: show the models; `wengao models pull`: provision them."""

from __future__ import annotations

import argparse
import json
import unicodedata
from typing import Any

from rag.errors import WengaoError
from rag.llm.bundled import EMBED, LLMS, describe_models, provision_llm
from rag.settings import Settings

from .common import add_common, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models",
        help="列出模型；`models pull` 下载并校验内置模型",
        description="列出嵌入模型与生成模型；`wengao models pull` 下载并校验内置模型。",
    )
    parser.add_argument(
        "action",
        nargs="?",
        choices=["list", "pull"],
        default="list",
        help="list (default): show the models; pull: download and verify them",
    )
    parser.add_argument(
        "--llm",
        choices=[*LLMS, "all", "none"],
        help="pull: which generator(s) to provision (default: the configured one)",
    )
    parser.add_argument("--no-embed", action="store_true", help="pull: skip the embedding model")
    parser.add_argument("--model", help="a GGUF file to generate with (shown as active)")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.action == "pull":
        return pull(settings, llm=args.llm, embed=not args.no_embed, as_json=args.json)
    if args.llm is not None or args.no_embed:
        raise WengaoError("--llm and --no-embed only apply to `wengao models pull`")
    show(settings, as_json=args.json)
    return 0


def pull(settings: Settings, llm: str | None, embed: bool, as_json: bool = False) -> int:
    done: list[dict[str, str]] = []
    if embed:
        try:
            from rag.index.embedder import bundled_embed_path

            path = bundled_embed_path(settings.model_dir)
        except ImportError as exc:
            raise WengaoError(f"cannot provision the embedding model: {exc}") from exc
        done.append({"role": "embed", "name": EMBED.name, "path": str(path)})
    names = list(LLMS) if llm == "all" else [] if llm == "none" else [llm or settings.llm]
    for name in names:
        path = provision_llm(name, settings.model_dir, progress=not as_json)
        done.append({"role": "llm", "name": name, "path": str(path)})
    if as_json:
        print(json.dumps(done, ensure_ascii=False, indent=2))
    else:
        for item in done:
            print(f"已就绪 {item['role']:5} {item['name']}: {item['path']}")
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"


def _cells(row: dict[str, Any]) -> list[str]:
    sha = row["sha256"]
    return [
        "*" if row["active"] else "",
        {"embed": "嵌入", "llm": "生成"}[row["role"]],
        row["name"],
        "已安装" if row["installed"] else "未安装",
        _size(row["size"]),
        sha[:12] if sha and sha != "unverified" else (sha and "未校验") or "-",
        row["licence"],
        row["path"],
    ]


def show(settings: Settings, as_json: bool = False) -> None:
    rows = describe_models(settings)
    if as_json:
        payload = {
            "model_dir": str(settings.model_dir),
            "index_dir": str(settings.index_dir),
            "models": rows,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    header = ["当前", "用途", "名称", "状态", "大小", "SHA-256", "许可", "路径"]
    table = [header, *(_cells(r) for r in rows)]
    widths = [max(_width(line[i]) for line in table) for i in range(len(header))]
    print(f"模型目录: {settings.model_dir}")
    print(f"默认索引目录: {settings.index_dir}")
    print()
    for line in table:
        padded = [c + " " * (w - _width(c)) for c, w in zip(line, widths, strict=True)]
        print("  ".join(padded).rstrip())
    if any(not r["installed"] for r in rows):
        print()
        print("未安装的内置模型可用 `wengao models pull --llm all` 下载并校验。")
