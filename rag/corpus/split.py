"""Split a cleaned file into speeches, each with its title.

A file may be a compilation (【篇1】… 【篇5】, 第一篇：…) or several speeches
pasted one after another (a title line followed by a salutation starts a new one).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

from rag.corpus.clean import CleanedText, Removal, core_text, noise_score
from rag.corpus.structure import (
    COMPILATION_MARKER,
    COUNTED_LABEL,
    ends_sentence,
    heading_of,
    is_salutation,
    is_title_like,
)
from rag.types import Speech


def speech_id(source: str, n: int) -> str:
    return f"{hashlib.sha1(source.encode('utf-8')).hexdigest()[:8]}-{n}"


def split_speeches(cleaned: CleanedText, source: str) -> tuple[list[Speech], list[Removal]]:
    """Return the speeches in a cleaned file and the lines dropped as front matter."""
    lines = cleaned.lines
    removed: list[Removal] = []
    # (marker line or None, body lines)
    segments: list[tuple[str | None, list[str]]] = []
    counted = counted_labels(lines)
    markers = [i for i, line in enumerate(lines) if COMPILATION_MARKER.match(line) or i in counted]
    if markers:
        removed += [Removal(line, "compilation front matter", 0) for line in lines[: markers[0]]]
        bounds = markers + [len(lines)]
        segments = [(lines[a], lines[a + 1 : b]) for a, b in zip(bounds, bounds[1:])]
    else:
        segments = [(None, part) for part in _split_pasted(lines)]

    speeches: list[Speech] = []
    stem = PurePath(source).stem
    for marker, body in segments:
        title, paragraphs, front = _take_title(body)
        removed += [Removal(line, "front matter", 0) for line in front]
        derived = False
        if marker is not None:
            label = None if COMPILATION_MARKER.match(marker) else COUNTED_LABEL.match(marker.strip())
            marker_title = label.group(3) if label else COMPILATION_MARKER.sub("", marker).strip()
            if title is None and marker_title:
                title = marker_title
                removed.append(Removal(marker[: len(marker) - len(marker_title)],
                                       "compilation marker", 0))
            else:
                removed.append(Removal(marker, "compilation marker", 0))
        if title is None:
            title = _derived_title(stem, paragraphs)
            derived = True
        paragraphs, links = _trailing_links(paragraphs)
        removed += [Removal(line, "links after the speech", 0) for line in links]
        if paragraphs:
            speeches.append(
                Speech(speech_id(source, len(speeches) + 1), title, source, paragraphs, derived)
            )
        elif not derived:
            # A title with nothing under it is no speech, but its text must still be accounted for.
            removed.append(Removal(title, "title without text", 0))
    return speeches, removed


def counted_labels(lines: list[str]) -> set[int]:
    """Indexes of lines that count the speeches of a compilation: two or more lines alone, each
    the same label with another count. A speech's headings are no such lines (一、… has text)."""
    by_label: dict[str, list[tuple[int, str]]] = {}
    for i, line in enumerate(lines):
        match = COUNTED_LABEL.match(line.strip())
        if match and not heading_of(line.strip()) and not COMPILATION_MARKER.match(line) \
                and (not match.group(3) or is_title_like(match.group(3))):
            by_label.setdefault(match.group(1), []).append((i, match.group(2)))
    return {i for found in by_label.values() if len({n for _, n in found}) >= 2 for i, _ in found}


def _trailing_links(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Lines after a speech's last sentence that are no part of it: a page's links and furniture.

    A speech ends on a sentence (or, cut short, on a heading). After it, titles are links to
    other documents, and two or more lines with no sentence in them are a list (往期回顾 and
    its titles, a forum's threads, 【收藏本文】【返回列表】); one short line alone stays unless it
    is a title or names the site's wares, since it may be the speech's own last words written
    without a stop.
    """
    end = len(paragraphs)
    while end > 0 and not (ends_sentence(paragraphs[end - 1]) or heading_of(paragraphs[end - 1])
                           or is_salutation(paragraphs[end - 1])):
        end -= 1
    if not any(ends_sentence(p) for p in paragraphs[:end]):
        return paragraphs, []
    tail = paragraphs[end:]
    if len(tail) < 2 and not all(is_title_like(p) or noise_score(p) for p in tail):
        return paragraphs, []
    return paragraphs[:end], tail


def _derived_title(stem: str, paragraphs: list[str]) -> str:
    """A name for a speech without a title line: a meaningful file name, else its opening words."""
    if re.search(r"[\u4e00-\u9fff]", stem):
        return stem
    body = [p for p in paragraphs if not is_salutation(p)]
    opening = re.split(r"[。！？；]", body[0])[0] if body else stem
    return "（无标题）" + (opening if len(opening) <= 24 else opening[:24] + "…")


def _split_pasted(lines: list[str]) -> list[list[str]]:
    """Split where a title line followed by a salutation starts a new speech."""
    parts: list[list[str]] = [[]]
    for i, line in enumerate(lines):
        starts_new = (
            is_title_like(line)
            and i + 1 < len(lines)
            and is_salutation(lines[i + 1])
            and any(ends_sentence(p) for p in parts[-1])
        )
        if starts_new:
            parts.append([])
        parts[-1].append(line)
    return parts


# A site's date before a title: 2023, 20XX年5月, 2023-05-06.
_DATE_PREFIX = re.compile(
    r"^(?:[0-9Xx×]{2,4}(?:\s*年|[-/.])?(?:\s*[0-9Xx×]{1,2}(?:\s*月|[-/.]))?(?:\s*[0-9Xx×]{1,2}\s*日?)?)?\s*"
)
_TITLE_END = re.compile(r"(讲话|致辞|报告|发言)稿?")


def _title_in(line: str) -> tuple[str, str, list[str]] | None:
    """A title run together with what a site put around it: (title, dropped, kept after).

    "2023 在全县XX工作会议上的讲话20XX 在全县XX工作会议上的讲话" gives the title; the date
    in front of it and a repeat of it after are dropped, any other text after it is kept.
    """
    prefix = _DATE_PREFIX.match(line).group()
    end = _TITLE_END.search(line, len(prefix), len(prefix) + 60)
    if not end:
        return None
    title = line[len(prefix):end.end()].strip()
    rest = line[end.end():].strip()
    repeat = bool(rest) and core_text(_DATE_PREFIX.sub("", rest)).startswith(core_text(title))
    if not is_title_like(title) or not (prefix.strip() or repeat or not is_title_like(line)):
        return None
    dropped = " ".join(part for part in (prefix.strip(), rest if repeat else "") if part)
    return title, dropped, [rest] if rest and not repeat else []


_SUBTITLE = re.compile(r"^[—－-]{1,2}")


def _main_title(before: list[str]) -> int:
    """How many lines before a subtitle (——在……上的讲话) make the title's main line.

    The main line is a phrase or two (深化改革激发活力 推动国有企业高质量发展) that says nothing
    of a meeting or speech itself, carries no site words and ends no sentence.
    """
    n = 0
    while n < min(2, len(before)):
        line = before[-1 - n]
        if len(line) > 32 or ends_sentence(line) or is_title_like(line) or noise_score(line) \
                or heading_of(line) or is_salutation(line) or COMPILATION_MARKER.match(line):
            break
        n += 1
    return n


def _take_title(body: list[str]) -> tuple[str | None, list[str], list[str]]:
    """Find the title among the short lines before the speech begins.

    Returns (title or None, the speech's paragraphs, lines dropped before the title).
    """
    head = 0
    while head < len(body) and not (is_salutation(body[head]) or ends_sentence(body[head])):
        head += 1
    candidates = [i for i in range(head) if is_title_like(body[i])]
    if not candidates:
        glued = [i for i in range(head) if _title_in(body[i])]
        if not glued:
            return None, body, []
        candidates = glued[:1]
    # Page headers such as "…讲话范文（通用5篇）" carry several kinds of site words; the speech's
    # own title at most one, in passing (在……会员服务中心揭牌仪式上的讲话).
    clean = [i for i in candidates if noise_score(body[i]) < 2]
    pick = (clean or candidates)[-1]
    found = _title_in(body[pick])
    if found is None:
        main = _main_title(body[:pick]) if _SUBTITLE.match(body[pick]) else 0
        return " ".join(body[pick - main:pick]) + body[pick], body[pick + 1 :], body[:pick - main]
    title, dropped, kept = found
    return title, kept + body[pick + 1 :], body[:pick] + ([dropped] if dropped else [])
