"""Fast tests of the retrieval-evaluation metrics and relevance rule (no search CLI)."""

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"eval_{name}", ROOT / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


ev = _load("retrieval")
check = _load("check_queries")


# --- relevance -----------------------------------------------------------------------


def test_normalize_drops_whitespace_punctuation_and_symbols():
    assert ev.normalize("“不借钱是等死, 借钱是找死”！\n") == "不借钱是等死借钱是找死"
    assert ev.normalize("2小时内（书面）报送×") == "2小时内书面报送"


def test_relevance_ignores_ascii_versus_fullwidth_punctuation():
    chunk = "要“身在兵位，胸为帅谋”，主动对全局工作进行深入调查研究。"
    assert ev.is_relevant(chunk, ["身在兵位,胸为帅谋"])
    assert ev.is_relevant(chunk.replace("，", "\n"), ["身在兵位，胸为帅谋"])


def test_relevance_needs_the_whole_span():
    chunk = "办公室工作无小事，常常是大事要事交织。"
    assert not ev.is_relevant(chunk, ["办公室工作无小事，常常是急事难事叠加"])
    assert ev.is_relevant(chunk, ["不在这里", "常常是大事要事交织"])  # any span counts
    assert not ev.is_relevant(chunk, [])
    assert not ev.is_relevant(chunk, ["，。"])  # a span that normalises to nothing


def test_check_queries_uses_the_same_normalisation():
    for text in ["“福利院”“安置办”", "a, b；c\u3000d", "×书记（X）", "2.4亿元"]:
        assert check.normalize(text) == ev.normalize(text)


def test_longest_common_cjk_run():
    assert check.longest_common_cjk_run("办公室要耐得住寂寞", "要耐得住清贫、守得住寂寞") == "要耐得住"
    assert check.longest_common_cjk_run("abc 123", "abc 123") == ""
    # Punctuation does not break a shared run.
    assert check.longest_common_cjk_run("清白做人干净做事", "清白做人，干净做事") == "清白做人干净做事"


# --- metrics ----------------------------------------------------------------------------


def test_rank_based_metrics():
    rels = [False, False, True, False, True]
    assert ev.first_relevant_rank(rels) == 3
    assert ev.first_relevant_rank([False, False]) is None
    assert ev.recall_at(rels, 1) == 0.0
    assert ev.recall_at(rels, 3) == 1.0
    assert ev.reciprocal_rank(rels) == pytest.approx(1 / 3)
    assert ev.reciprocal_rank(rels, depth=2) == 0.0
    assert ev.reciprocal_rank([]) == 0.0


def test_ndcg_binary():
    assert ev.ndcg_at([True, False, False], 10) == pytest.approx(1.0)
    assert ev.ndcg_at([False, True], 10) == pytest.approx(1 / math.log2(3))
    assert ev.ndcg_at([False] * 10, 10) == 0.0
    # Two relevant chunks exist: one found at rank 1 is not a perfect ranking.
    ideal = 1 + 1 / math.log2(3)
    assert ev.ndcg_at([True, False], 10, n_relevant=2) == pytest.approx(1 / ideal)
    assert ev.ndcg_at([True, True], 10, n_relevant=2) == pytest.approx(1.0)
    # The ideal is capped at the depth; the score never exceeds 1.
    assert ev.ndcg_at([True] * 3, 2, n_relevant=5) == pytest.approx(1.0)
    assert ev.ndcg_at([True, True], 10, n_relevant=1) == pytest.approx(1.0)


def test_score_query_respects_k():
    results = [{"text": "无关"}] * 5 + [{"text": "答案在这里"}]
    scores = ev.score_query(results, ["答案在这里"], k=10)
    assert scores["recall@1"] == 0.0 and scores["recall@5"] == 0.0
    assert scores["recall@10"] == 1.0
    assert scores["mrr@10"] == pytest.approx(1 / 6)
    small = ev.score_query(results, ["答案在这里"], k=5)
    assert set(small) == {"recall@1", "recall@5", "mrr@5", "ndcg@5"}
    assert small["recall@5"] == 0.0


# --- parsing and aggregation -----------------------------------------------------------

def _result(rank, text, chunk_id=None, title="标题", section=""):
    return {"rank": rank, "score": 1.0 / rank, "chunk_id": chunk_id or f"c{rank}",
            "title": title, "section": section, "text": text, "source": "x.txt"}


def _output(rows):
    return "\n".join(json.dumps({"id": qid, "results": res}, ensure_ascii=False)
                     for qid, res in rows) + "\n"


def test_parse_results_sorts_by_rank_and_skips_noise():
    text = "loading model…\n" + _output([
        ("q1", [_result(2, "第二"), _result(1, "第一")]),
        ("q2", []),
    ]) + "\n{not json\n"
    parsed = ev.parse_results(text)
    assert list(parsed) == ["q1", "q2"]
    assert [r["text"] for r in parsed["q1"]] == ["第一", "第二"]
    assert parsed["q2"] == []


QUERIES = [
    {"id": "q1", "kind": "outline", "query": "…", "answers": ["甘当不为名利的小草"],
     "speech": "S"},
    {"id": "q2", "kind": "question", "query": "…", "answers": ["名列第二"], "speech": "S"},
    {"id": "q3", "kind": "question", "query": "…", "answers": ["从没出现过的答案"], "speech": "S"},
]


def _runs():
    hybrid = ev.parse_results(_output([
        ("q1", [_result(1, "甘当不为名利的“小草”，乐于奉献", "a"), _result(2, "无关", "b")]),
        ("q2", [_result(1, "无关", "b"), _result(2, "无关二", "c"), _result(3, "累计, 名列第二", "d")]),
        ("q3", [_result(1, "无关", "b")]),
    ]))
    bm25 = ev.parse_results(_output([
        # a second relevant chunk for q1 that hybrid did not return
        ("q1", [_result(1, "甘当不为名利的小草，又一处", "e"), _result(2, "甘当不为名利的小草", "a")]),
        ("q2", [_result(1, "名列第二", "d")]),
        # q3 missing from the output entirely
    ]))
    return {"hybrid": hybrid, "bm25": bm25}


def test_evaluate_per_mode_and_kind():
    metrics = ev.evaluate(QUERIES, _runs(), k=10)
    hybrid, bm25 = metrics["modes"]["hybrid"], metrics["modes"]["bm25"]
    assert hybrid["n"] == bm25["n"] == 3
    assert hybrid["recall@1"] == pytest.approx(1 / 3)
    assert hybrid["recall@5"] == pytest.approx(2 / 3)
    assert hybrid["mrr@10"] == pytest.approx((1 + 1 / 3) / 3)
    assert bm25["recall@1"] == pytest.approx(2 / 3)  # the missing q3 counts as a miss
    # Pooled ideal: q1 has two relevant chunks (a, e) across the modes.
    ideal_q1 = 1 + 1 / math.log2(3)
    assert hybrid["ndcg@10"] == pytest.approx((1 / ideal_q1 + 1 / math.log2(4) + 0) / 3)
    assert bm25["ndcg@10"] == pytest.approx((1.0 + 1.0 + 0) / 3)
    by_kind = metrics["by_kind"]["hybrid"]
    assert list(by_kind) == ["outline", "question"]
    assert by_kind["outline"]["n"] == 1 and by_kind["question"]["n"] == 2
    assert by_kind["question"]["recall@5"] == pytest.approx(1 / 2)


def test_failures_lists_queries_without_a_top5_hit():
    results = _runs()["hybrid"]
    results["q2"] = [_result(i, "无关", f"x{i}") for i in range(1, 6)] + [
        _result(6, "名列第二", "d")]
    failed = ev.failures(QUERIES, results, k=10)
    assert [f["id"] for f in failed] == ["q2", "q3"]
    assert failed[0]["first_relevant_rank"] == 6
    assert failed[1]["first_relevant_rank"] is None
    assert len(failed[0]["top"]) == 3 and failed[0]["top"][0]["title"] == "标题"


def test_format_table_has_one_column_per_mode():
    metrics = ev.evaluate(QUERIES, _runs(), k=10)
    table = ev.format_table(metrics["modes"], "dev")
    lines = table.splitlines()
    assert lines[0] == "dev"
    assert "hybrid" in lines[1] and "bm25" in lines[1]
    assert any(line.startswith("recall@10") for line in lines)
    assert lines[-1].split() == ["queries", "3", "3"]


def test_eval_sets_are_valid():
    """The checked-in evaluation sets pass their own checker (cheap: no models)."""
    assert check.main(["--quiet"]) == 0


def test_rewritten_queries_fuse_by_weighted_reciprocal_rank():
    rewrite = _load("query_rewrite")
    # The point's own list counts twice: its hits stay ahead of another phrasing's at the same rank.
    assert rewrite.fuse([["a", "b"], ["c", "d"]], [2.0, 1.0]) == ["a", "b", "c", "d"]
    assert rewrite.fuse([["a", "b"], ["b", "a"], ["b"]], [1.0, 1.0, 1.0])[0] == "b"
    assert rewrite.scores([1, 3, None, 12]) == (0.25, 0.5, (1 + 1 / 3) / 4)
