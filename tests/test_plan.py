"""Planning a section: which source sentences, in which paragraph, for how many characters."""

import numpy as np

from rag.types import Chunk, Passage
from rag.write.plan import PARAGRAPH_SOURCE_CHARS, candidates, lay_out, plan_section

ON = "督查工作要盯住关键环节，一抓到底，确保各项部署落到实处。"
ALSO_ON = "对领导批示的事项要跟踪问效，件件有回音、事事有着落。"
OFF = "机关食堂要改善伙食，让干部职工吃得放心、吃得满意。"
NEAR_COPY = "督查工作要盯住关键环节，一抓到底，确保各项部署落到实处！"


def passage(text, n=1):
    return Passage(Chunk(f"s{n}-001", f"s{n}", "在全市督查工作会议上的讲话", "a.txt", [], text, n), 1.0)


def embed_by_topic(texts):
    """督查 sentences point one way, the rest another; the point is the first text."""
    rows = []
    for t in texts:
        v = np.array([1.0, 0.0]) if ("督查" in t or "批示" in t) else np.array([0.0, 1.0])
        rows.append(v / np.linalg.norm(v))
    return np.vstack(rows)


def test_candidates_skip_headings_salutations_and_short_lines():
    text = f"同志们：\n一、抓好督查落实\n{ON}好。{OFF}"
    found = [s.text for s in candidates([passage(text)])]
    assert found == [ON, OFF]


def test_the_plan_draws_on_sentences_about_the_point():
    plan = plan_section("二要抓好督查落实", [passage(ON + OFF, 1), passage(ALSO_ON, 2)], embed_by_topic, 36)
    used = [s.text for p in plan if not p.reserve for s in p.sources]
    assert ON in used and ALSO_ON in used and OFF not in used


def test_reserve_sources_wait_after_the_plan():
    plan = plan_section("二要抓好督查落实", [passage(ON + OFF, 1), passage(ALSO_ON, 2)], embed_by_topic, 36)
    assert [p.reserve for p in plan] == [False, True]
    assert [s.text for s in plan[-1].sources] == [OFF]


def test_off_point_sentences_fill_in_only_when_the_length_needs_them():
    plan = plan_section("二要抓好督查落实", [passage(ON + OFF, 1)], embed_by_topic, 400)
    assert [s.text for p in plan for s in p.sources] == [ON, OFF] and not any(p.reserve for p in plan)


def test_paragraphs_keep_reading_order_and_group_a_few_sentences():
    sources = candidates([passage(ON + OFF + ALSO_ON, 1), passage(ALSO_ON.replace("事项", "事情"), 2)] * 3)
    paragraphs = lay_out(list(reversed(sources)))
    flat = [(s.passage, s.position) for p in paragraphs for s in p.sources]
    assert flat == sorted(flat)
    for p in paragraphs:
        assert p.length == sum(len(s.text) for s in p.sources)
        assert p.length - len(p.sources[-1].text) < PARAGRAPH_SOURCE_CHARS


def test_no_sentences_no_plan():
    assert plan_section("二要抓好督查落实", [passage("同志们：")], embed_by_topic, 300) == []
