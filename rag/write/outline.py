"""Propose an outline for a topic, each point with the passages that support it.

The model sees the section headings of the speeches that best match the topic
(how past speeches were organised is what an outline needs) and a few passages;
every point it proposes is then searched on its own to find its support.
"""

from __future__ import annotations

import re

from rag.errors import WengaoError
from rag.llm.copyblock import CopyBlock
from rag.llm.generate import Clock, OnToken, check_input, messages_for, write
from rag.llm.prompts import choose_passages, format_passages
from rag.search.hybrid import Searcher
from rag.search.relevance import require_relevant
from rag.settings import Settings
from rag.types import Outline, OutlinePoint, Passage
from rag.write.expand import check_point

MIN_POINTS, MAX_POINTS = 2, 8
DEFAULT_POINTS = (3, 6)
MAX_TOPIC_CHARS = 200
MAX_POINT_CHARS = 30
# Shorter is a fragment (是要小 from a 十是要小 sub-heading), not a point.
MIN_POINT_CHARS = 4
MAX_FILE_POINTS = 12
PASSAGES_PER_POINT = 3
HEADINGS_SHOWN = 16
# Four tokens are about seven characters: under half of a point (12-25 characters) may
# match a heading of a past speech.
OUTLINE_BLOCK_TOKENS = 4
OUTLINE_REPEAT_TOKENS = 6
OUTLINE_CONTEXT_CHARS = 700

CN_NUMBERS = "一二三四五六七八九十"
# 一、 一要 （一） 1. 1、 第一， - * •: however a model numbers its lines.
_NUMBERING = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十]+(?=[、．.，,要是：:\s])[、．.，,：:]?|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d+\s*[、．.)）:：]|[-*•·]+)\s*"
)


def parse_points_arg(value: str) -> tuple[int, int]:
    """'4' or '3-6' -> (least, most) points."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:[-~～到至]\s*(\d+))?\s*", value or "")
    if not match:
        raise WengaoError(f"要点数量应写成一个数或一个范围，如 4 或 3-6，而不是 {value!r}。")
    least = int(match.group(1))
    most = int(match.group(2) or least)
    if not MIN_POINTS <= least <= most <= MAX_POINTS:
        raise WengaoError(f"要点数量应在 {MIN_POINTS} 到 {MAX_POINTS} 之间。")
    return least, most


def check_topic(topic: str) -> str:
    return check_input(topic, "主题", MAX_TOPIC_CHARS)


def numbered(n: int, text: str) -> str:
    """一要…… for points that start with 要, 一、…… otherwise: the two styles speeches use."""
    label = CN_NUMBERS[n - 1] if n <= len(CN_NUMBERS) else str(n)
    return f"{label}{text}" if text.startswith("要") else f"{label}、{text}"


def parse_points(reply: str, most: int) -> list[str]:
    """The points in a model's reply, renumbered; preamble, duplicates and over-long lines dropped."""
    points: list[str] = []
    seen: set[str] = set()
    for line in reply.splitlines():
        line = line.strip().strip("*#").strip()
        stripped = _NUMBERING.sub("", line, count=1).strip().rstrip("。；;，,")
        if stripped == line.rstrip("。；;，,") or not stripped:
            continue  # not a numbered line: "好的，提纲如下：" and the like
        # A point with its explanation ("加强督查：……") keeps the point alone.
        stripped = shorten_point(re.split(r"[：:。]", stripped, maxsplit=1)[0].strip())
        if len(stripped) < MIN_POINT_CHARS or stripped in seen:
            continue
        seen.add(stripped)
        points.append(stripped)
    return [numbered(n, p) for n, p in enumerate(points[:most], start=1)]


def shorten_point(text: str) -> str:
    """The leading clauses of an over-long point that fit MAX_POINT_CHARS. A first clause
    longer than that is kept whole up to twice the limit: dropping it left topics without
    a single point; longer still, it is a sentence, not a point ('')."""
    kept = ""
    for clause in re.split(r"(?<=[，,；;])", text):
        if len((kept + clause).rstrip("，,；;")) > MAX_POINT_CHARS:
            if not kept and len(clause.rstrip("，,；;")) <= 2 * MAX_POINT_CHARS:
                kept = clause
            break
        kept += clause
    return kept.rstrip("，,；;")


def heading_list(passages: list[Passage]) -> str:
    """Distinct section headings of the passages, the skeletons of past speeches."""
    headings = dict.fromkeys(h for p in passages for h in p.chunk.section)
    return "\n".join(list(headings)[:HEADINGS_SHOWN]) or "（无）"


def propose_outline(
    settings: Settings,
    searcher: Searcher,
    generator,
    topic: str,
    points: tuple[int, int] = DEFAULT_POINTS,
    on_token: OnToken | None = None,
) -> Outline:
    topic = check_topic(topic)
    least, most = points
    clock = Clock()
    found = searcher.search(topic, k=30)
    require_relevant(searcher, topic, found[:10])
    passages = choose_passages(found, budget=OUTLINE_CONTEXT_CHARS)
    clock.mark_retrieved()
    wanted = str(least) if least == most else f"{least}到{most}"
    headings = heading_list(found)
    messages = messages_for(settings, "outline", topic=topic, points=wanted,
                            headings=headings, passages=format_passages(passages))
    # Points are the user's, not a past speech's: no run of OUTLINE_BLOCK_TOKENS of a heading
    # shown, and no （occasion） in brackets. Points share their form (一要……二要……), not their words.
    block = CopyBlock(headings.splitlines() + [h for p in passages for h in p.chunk.section],
                      n=OUTLINE_BLOCK_TOKENS, repeat_n=OUTLINE_REPEAT_TOKENS, multiline=True, forbidden="（(")
    reply = write(generator, messages, max_tokens=48 * most + 32, on_token=on_token, block=block)
    outline = Outline(topic, [OutlinePoint(p) for p in parse_points(reply, most)])
    outline.timings = clock.report(generator)
    if len(outline.points) < least:
        outline.notes.append(
            f"模型只给出了 {len(outline.points)} 个要点（要求至少 {least} 个），可以手工补充。")
    for point in outline.points:
        point.passages = searcher.search(point.text, k=PASSAGES_PER_POINT)
    return outline


def read_outline(text: str) -> list[str]:
    """Points from an outline file a user wrote: one per line, numbered or not."""
    points = []
    for line in text.splitlines():
        line = line.strip().strip("#*").strip()
        bare = _NUMBERING.sub("", line, count=1).strip()
        if not bare:
            continue
        check_point(bare)
        points.append(line if bare != line else numbered(len(points) + 1, bare))
    if not points:
        raise WengaoError("提纲文件里没有要点：请每行写一个要点。")
    if len(points) > MAX_FILE_POINTS:
        raise WengaoError(f"提纲要点太多（{len(points)} 个，上限 {MAX_FILE_POINTS} 个）。")
    return points
