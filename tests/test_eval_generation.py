"""The generation evaluation: ALCE citation metrics, the baselines, outline checks, and one real run."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))

import generation  # noqa: E402

from rag.check.cite import align, strip_markers  # noqa: E402
from rag.types import Chunk, Draft, Passage  # noqa: E402

DUCHA = "要健全督查工作机制。明确督查责任，细化督查程序，紧盯督查重点。要让督查真正推动决策落地。"
XINXI = "信息工作要讲求时效。重要情况要第一时间报送，紧急信息不得迟报漏报。"
BAOMI = "保密工作没有小事。涉密文件要专人管理，严格登记，按规定销毁。"


def passage(text: str, n: int) -> Passage:
    return Passage(Chunk(f"c-{n}", "s", "在某会议上的讲话", "a.txt", [], text, n), 1.0 / n, n)


PASSAGES = [passage(DUCHA, 1), passage(XINXI, 2), passage(BAOMI, 3)]
CLAIM = "明确督查责任，细化督查程序，紧盯督查重点。"


# --- ALCE recall and precision, with a judge that knows which facts each text states ---------


def facts_judge(sentence: str, texts: list[str]) -> bool:
    """A sentence is a set of facts (its characters); supported when the texts together hold them all."""
    return set(sentence) <= set("".join(texts))


def test_joint_support_needs_every_citation():
    scores = generation.citation_scores([("ab", ["a", "b"])], facts_judge)
    assert scores == {"claims": 1, "citations": 2, "recall": 1.0, "precision": 1.0}


def test_unneeded_citation_is_imprecise():
    scores = generation.citation_scores([("ab", ["ab", "c"])], facts_judge)
    assert scores["recall"] == 1.0 and scores["precision"] == 0.5


def test_redundant_citations_that_each_support_are_precise():
    assert generation.citation_scores([("a", ["a", "ab"])], facts_judge)["precision"] == 1.0


def test_citations_of_an_unsupported_claim_are_imprecise():
    scores = generation.citation_scores([("abc", ["a", "b"]), ("a", ["a"])], facts_judge)
    assert scores["recall"] == 0.5 and scores["precision"] == pytest.approx(1 / 3, abs=0.001)


def test_no_citation_means_unsupported():
    scores = generation.citation_scores([("a", []), ("b", [])], facts_judge)
    assert scores["recall"] == 0.0 and scores["precision"] is None
    assert generation.citation_scores([], facts_judge)["recall"] is None


# --- the support judge over passages taken together ---------------------------------------


def test_judge_on_cited_passages(hash_embedder):
    judge = generation.Judge(hash_embedder.queries)
    assert judge(CLAIM, [DUCHA]) and judge(CLAIM, [XINXI, DUCHA])
    assert not judge(CLAIM, [XINXI]) and not judge(CLAIM, []) and not judge(CLAIM, [""])
    assert generation.citation_scores([(CLAIM, [DUCHA])], judge)["recall"] == 1.0
    extra = generation.citation_scores([(CLAIM, [DUCHA, BAOMI])], judge)
    assert extra["recall"] == 1.0 and extra["precision"] == 0.5


def test_baselines_on_one_draft(hash_embedder):
    # The model cited the wrong passage for the first claim and one that does not exist for the second.
    reply = "二要抓好督查落实\n" + CLAIM[:-1] + "[3]。重要情况要第一时间报送，紧急信息不得迟报漏报[9]。"
    sentences, citations = align(reply, PASSAGES, hash_embedder.queries)
    draft = Draft(text=strip_markers(reply), sentences=sentences, citations=citations,
                  copy={"longest": 0, "copied_share": 0.0})
    scores = generation.score_draft(reply, draft, PASSAGES, generation.Judge(hash_embedder.queries))
    assert scores["ours"] == {"claims": 2, "citations": 2, "recall": 1.0, "precision": 1.0}
    assert scores["model_markers"] == {"claims": 2, "citations": 2, "recall": 0.0, "precision": 0.0}
    # The top passage is about 督查: right for the first claim only.
    assert scores["top_passage"] == {"claims": 2, "citations": 2, "recall": 0.5, "precision": 0.5}
    assert scores["unsupported"] == 0.0 and scores["invented"] == []
    assert [s["cited"] for s in scores["sentences"]] == [[], ["c-1"], ["c-2"]]


# --- outlines ------------------------------------------------------------------------------


def test_heading_core_ignores_numbering():
    assert generation.heading_core("一要强化督查落实") == generation.heading_core("（三）强化督查落实。")
    assert generation.heading_core("第二，遵循规律") == "遵循规律"


def test_copied_headings_and_near_duplicates():
    headings = {generation.heading_core("二要把能力建设作为基本任务")}
    points = ["一要把能力建设作为基本任务", "二、加强信息报送工作", "三要加强信息报送", "四、守牢保密底线"]
    assert generation.copied_headings(points, headings) == 1
    assert generation.near_duplicates(points) == 1


# --- a real run --------------------------------------------------------------------------------


@pytest.mark.models
def test_one_expand_task_end_to_end(real_index, capsys, monkeypatch):
    settings, _ = real_index
    monkeypatch.setenv("WENGAO_LLM", "qwen2.5-coder-0.5b")  # the small model keeps the test short
    code = generation.main(["--kinds", "expand", "--limit", "1", "--json",
                            "--index", str(settings.index_dir)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    (task,) = out["tasks"]
    assert task["kind"] == "expand" and not task["declined"]
    for name in ("ours", "model_markers", "top_passage"):
        assert {"claims", "citations", "recall", "precision"} <= set(task[name])
    assert task["ours"]["claims"] > 0 and task["ours"]["precision"] in (None, 1.0)
    assert {"unsupported", "invented", "longest_copy", "copied_share", "copied_sentences"} <= set(task)
    assert {"retrieve", "first_token", "tokens_per_second", "total"} <= set(task["timings"])
    assert out["summary"]["drafts"]["n"] == 1
    assert out["labels"]["written"]["pairs"] >= 120


def test_a_sentence_reworded_from_one_passage_sentence_is_counted():
    sentences = ["面对这些新情况、新变化，要从思想上引起高度重视，在认识上有个根本转变。", "办公室要带头。"]
    claims = ["面对新情况、新变化，在思想上引起高度重视，在认识上有个根本转变。",
              "形势变了，观念就得跟着变，先从思想上重视起来。", "办公室要带头。"]
    # The third is too short to say; the second is said anew.
    assert generation.reworded(claims, sentences) == 1
