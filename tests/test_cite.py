"""Citations after generation (rag.check.cite) and duplication checks (rag.check.copycheck).

Fast tests use the bigram-hashing stand-in embedder: near-verbatim sentences
score as supported and unrelated ones do not, which is all they rely on. The
judge's agreement with the hand labels is tested with the real model."""

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.check.cite import (
    CitedSentence,
    align,
    draft_sentences,
    judge,
    passage_sentences,
    split_draft,
    support_score,
    unsupported_share,
)
from rag.check.copycheck import GRAM, CopyIndex, copy_report, figures_out_of_place, invented_specifics
from rag.types import Chunk, Passage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))

DUCHA = "三要增强督查检查能力。健全督查制度，规范督查程序，突出督查重点。要发挥好督查推动工作、落实决策的作用。"
XUEXI = "一是抓好学习型办公室建设。学习是加强修养、提升素质的重要途径。办公室的同志要高度重视学习，自觉学习、善于学习。"
XINFANG = "信访工作要高度重视，精心组织，周密部署。抓紧做好矛盾排查，严密防范矛盾激化。"


def passage(text: str, n: int) -> Passage:
    chunk = Chunk(f"c-{n}", "s", "在某某会议上的讲话", "a.txt", ["一、标题"], text, n)
    return Passage(chunk, 1.0 / n, n)


PASSAGES = [passage(DUCHA, 1), passage(XUEXI, 2), passage(XINFANG, 3)]


# --- sentences and markers -----------------------------------------------------------


def test_draft_sentences_split_and_strip_markers():
    text = "同志们：\n一、加强督查落实\n健全督查制度，规范督查程序[1]。要发挥督查推动工作的作用。[1][3]\n谢谢大家！"
    assert draft_sentences(text) == [
        "同志们：", "一、加强督查落实", "健全督查制度，规范督查程序。", "要发挥督查推动工作的作用。", "谢谢大家！"]
    units = split_draft(text)
    assert [u.kind for u in units] == ["salutation", "heading", "claim", "claim", "salutation"]
    # A marker after the full stop belongs to the sentence before it.
    assert [u.markers for u in units] == [[], [], [1], [1, 3], []]


@pytest.mark.parametrize("written, markers", [
    ("办公室要高度重视学习工作[1,2]。", [1, 2]),
    ("办公室要高度重视学习工作【2】。", [2]),
    ("办公室要高度重视学习工作［2、3］。", [2, 3]),
    ("办公室要高度重视学习工作。[2]\n", [2]),
])
def test_marker_forms(written, markers):
    (unit,) = split_draft(written)
    assert unit.text == "办公室要高度重视学习工作。"
    assert unit.markers == markers


def test_placeholders_are_not_markers():
    (unit,) = split_draft("全年共上报信息【待填：条数】条，采用率为X%。")
    assert unit.markers == [] and "【待填：条数】" in unit.text


def test_passage_sentences_split_lines_and_stops():
    assert passage_sentences("标题一\n第一句。第二句！") == ["标题一", "第一句。", "第二句！"]


# --- support and citations ---------------------------------------------------------------


def test_support_score_fields(hash_embedder):
    sents = passage_sentences(DUCHA)
    sentence = "健全督查制度，规范督查程序，突出督查重点。"
    vecs = hash_embedder.queries([sentence] + sents)
    s = support_score(sentence, DUCHA, vecs[0], vecs[1:])
    assert sents[s["best"]] == "健全督查制度，规范督查程序，突出督查重点。"
    assert s["overlap"] == 1.0 and s["supported"] and judge(s["similarity"], s["overlap"])
    other = support_score("要加快推进农村人居环境整治。", DUCHA, hash_embedder.queries(["要加快推进农村人居环境整治。"])[0],
                          vecs[1:])
    assert other["overlap"] == 0.0 and not other["supported"]


def test_right_marker_kept_wrong_marker_dropped(hash_embedder):
    text = "要健全督查制度，规范督查程序，突出督查重点。[2]\n办公室的同志要高度重视学习，自觉学习、善于学习。[2]"
    sentences, citations = align(text, PASSAGES, hash_embedder.queries)
    first, second = sentences
    # [2] (the study passage) does not support the first sentence: dropped, the real source cited.
    assert first.dropped_markers == [2] and first.supported
    assert citations[first.citations[0] - 1].chunk_id == "c-1"
    # [2] is right for the second sentence: kept.
    assert second.dropped_markers == [] and citations[second.citations[0] - 1].chunk_id == "c-2"


def test_marker_out_of_range_dropped(hash_embedder):
    sentences, _ = align("办公室的同志要高度重视学习，自觉学习、善于学习。[9]", PASSAGES, hash_embedder.queries)
    assert sentences[0].dropped_markers == [9] and sentences[0].supported


def test_citations_numbered_by_first_use_with_quotes(hash_embedder):
    text = ("抓紧做好矛盾排查，严密防范矛盾激化。"
            "健全督查制度，规范督查程序，突出督查重点。"
            "信访工作要高度重视，精心组织，周密部署。")
    sentences, citations = align(text, PASSAGES, hash_embedder.queries)
    assert [s.citations for s in sentences] == [[1], [2], [1]]
    assert [(c.n, c.chunk_id) for c in citations] == [(1, "c-3"), (2, "c-1")]
    assert citations[0].quote == "抓紧做好矛盾排查，严密防范矛盾激化。"
    assert citations[1].quote == "健全督查制度，规范督查程序，突出督查重点。"
    assert citations[0].title == "在某某会议上的讲话" and citations[0].section == "一、标题"


def test_unsupported_sentence_gets_no_citation(hash_embedder):
    text = "同志们：\n一、总体要求\n今年全市粮食总产量稳定在一百万吨以上，农民收入持续增长。\n健全督查制度，规范督查程序，突出督查重点。"
    sentences, citations = align(text, PASSAGES, hash_embedder.queries)
    assert all(isinstance(s, CitedSentence) for s in sentences)
    assert [(s.kind, s.supported, s.citations) for s in sentences] == [
        ("salutation", False, []), ("heading", False, []), ("claim", False, []), ("claim", True, [1])]
    # Headings and salutations count neither way: one claim of two is unsupported.
    assert unsupported_share(sentences) == 0.5
    assert [c.chunk_id for c in citations] == ["c-1"]


def test_the_model_settles_only_the_pairs_the_judge_is_least_sure_of(hash_embedder, monkeypatch):
    import rag.check.cite as cite
    asked = []

    def verify(source, sentence):
        asked.append((source, sentence))
        return 5.0 if "发挥" in sentence else -5.0

    monkeypatch.setattr(cite, "VERIFY_BAND", 10.0)  # every pair is in the band
    monkeypatch.setattr(cite, "MODEL_WEIGHTS", (0.0, 0.0, 1.0, 0.0))  # the model alone decides
    text = "督查要推动工作、确保决策落到实处，发挥好作用。\n健全督查制度，规范督查程序，突出督查重点。"
    sentences, _ = align(text, PASSAGES, hash_embedder.queries, verify=verify)
    assert [s.supported for s in sentences] == [True, False]
    # At most as many passages a claim may cite are asked about, each read as the passage's two
    # sentences nearest the judged one, in their order.
    assert len(asked) == 2 * cite.MAX_CITATIONS_PER_SENTENCE
    assert all(len(passage_sentences(src)) <= 2 for src, _ in asked)
    monkeypatch.setattr(cite, "VERIFY_BAND", 0.0)
    asked.clear()
    sentences, _ = align(text, PASSAGES, hash_embedder.queries, verify=verify)
    assert asked == [] and sentences[1].supported


def test_no_passages_means_no_support(hash_embedder):
    sentences, citations = align("健全督查制度，规范督查程序，突出督查重点。", [], hash_embedder.queries)
    assert not sentences[0].supported and citations == []


def test_embedding_calls_are_batched():
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return np.eye(len(texts), 8, dtype=np.float32)

    align("健全督查制度，规范督查程序。办公室要高度重视学习工作。信访工作要精心组织部署。", PASSAGES, counting)
    n_passage_sentences = len({s for p in PASSAGES for s in passage_sentences(p.chunk.text)})
    assert calls == [3, n_passage_sentences]


# --- copying -----------------------------------------------------------------------------

RUN = "办公室是保障文化部门工作运转的重要协调和枢纽机构"  # 24 characters
CORPUS = [
    "长期以来，" + RUN + "，各级办公室围绕中心工作服务大局。",
    "信访工作要高度重视，精心组织，周密部署，抓紧做好矛盾排查。",
    "……——……——……——……——",
]


def test_copied_run_found_exactly():
    index = CopyIndex(CORPUS)
    run = RUN + "，"  # 25 characters with the comma, which the corpus has too
    sentence = "我们常说：" + run + "这一点要牢记。"
    assert index.longest_copied_run(sentence) == (25, run)
    # Whitespace is ignored on both sides.
    assert index.longest_copied_run("我们常说： 办公室是保障文化部门\n工作运转的重要协调和枢纽机构，这一点") == (25, run)


def test_paraphrase_has_no_long_run():
    index = CopyIndex(CORPUS)
    length, _ = index.longest_copied_run("办公室是文化部门运转的协调中枢，多年来围绕中心、服务大局。")
    assert length < GRAM


def test_punctuation_runs_do_not_count():
    index = CopyIndex(CORPUS)
    assert index.longest_copied_run("……——……——……——") == (0, "")


def test_sparse_index_still_finds_long_runs():
    dense, sparse = CopyIndex(CORPUS), CopyIndex(CORPUS, stride=8)
    sentence = "我们常说：" + RUN + "，这一点要牢记。"
    assert sparse.longest_copied_run(sentence) == dense.longest_copied_run(sentence)
    assert len(sparse.hashes) < len(dense.hashes) / 4


def test_batched_build_is_identical(monkeypatch):
    import rag.check.copycheck

    whole = CopyIndex(CORPUS * 3)
    monkeypatch.setattr(rag.check.copycheck, "BATCH_CHARS", 40)
    batched = CopyIndex(CORPUS * 3)
    assert np.array_equal(whole.hashes, batched.hashes) and np.array_equal(whole.owner, batched.owner)
    assert set(batched.owner.tolist()) == set(range(9))
    assert batched.longest_copied_run("我们常说：" + RUN) == (24, RUN)


def test_align_fills_copied_chars(hash_embedder):
    sentences, _ = align("我们常说：" + RUN + "。要精心组织好这项工作。", PASSAGES, hash_embedder.queries,
                         copy_index=CopyIndex(CORPUS))
    assert [s.copied_chars for s in sentences] == [24, 0]


def test_copy_report():
    index = CopyIndex(CORPUS)
    sentences = ["我们常说：" + RUN + "。", "要精心组织好这项工作。", "抓紧做好矛盾排查，这是大事。"]
    report = copy_report(sentences, index, flag_at=20)
    assert report["longest"] == 24 and report["longest_text"] == RUN
    assert report["flagged"] == [0]
    total = sum(len(s) for s in sentences)
    assert report["copied_share"] == round(24 / total, 4)
    assert copy_report(sentences, index, flag_at=30)["flagged"] == []


def _brute_longest(sentence: str, texts: list[str]) -> int:
    best = 0
    for a in range(len(sentence)):
        for b in range(a + GRAM, len(sentence) + 1):
            piece = sentence[a:b]
            if b - a > best and any(ch.isalpha() for ch in piece) and any(piece in t for t in texts):
                best = b - a
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_longest_run_matches_brute_force(seed):
    rng = random.Random(seed)
    alphabet = "办公室工作，。"  # few characters, so long shared runs are common
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(4)]
    base = rng.choice(texts) if any(texts) else ""
    start = rng.randint(0, len(base))
    sentence = base[start:start + rng.randint(0, 30)] + "".join(rng.choice(alphabet) for _ in range(12))
    length, text = CopyIndex(texts).longest_copied_run(sentence)
    expected = _brute_longest(sentence, texts)
    assert length == expected
    assert len(text) == length and (not text or any(text in t for t in texts))
    # A sparse index (every 3rd window) finds every run of GRAM + 3 - 1 characters or more.
    sparse, _ = CopyIndex(texts, stride=3).longest_copied_run(sentence)
    assert sparse == expected if expected >= GRAM + 2 else sparse <= expected


# --- invented specifics --------------------------------------------------------------------

SOURCES = ["2011年一季度，年计划65亿元，采用率为15.6%。王书记在易门县调研。", "全市上报信息524条。"]


def test_invented_numbers_dates_and_percentages():
    text = "2011年，年计划65亿，上报信息524条，采用率为15.6%。2024年3月5日，采用率提高到18.2%，投资五千万元。"
    assert invented_specifics(text, SOURCES) == ["2024年3月5日", "18.2%", "五千万元"]


def test_invented_names_and_places():
    text = "王书记强调，李书记和张建国同志在杭州市调研，易门县和全市、我县、各区都要落实。"
    assert invented_specifics(text, SOURCES) == ["李书记", "张建国同志", "杭州市"]


def test_a_counted_set_the_sources_do_not_name_is_invented():
    sources = ["坚持“三服务”宗旨，增强“四个意识”。"]
    text = "首先，我要强调的是“四个要”。坚持“三服务”，增强“四个意识”，讲好三个方面。"
    assert invented_specifics(text, sources) == ["四个要"]


def test_a_figure_is_held_to_what_it_counts():
    sources = ["去年发生事故126起、死亡98人，同比分别下降14.3%和11.7%。", "8月10日前全面完成。", "年计划65亿元。"]
    assert figures_out_of_place("去年发生事故98起、死亡98。", sources) == ["98起"]
    assert figures_out_of_place("8月10年前全面完成，增长3%。", sources) == ["10年", "3%"]
    assert figures_out_of_place("事故126起，死亡98人，分别下降14.3%和11.7%；年计划65亿。", sources) == []


def test_placeholders_and_common_phrases_are_fine():
    text = ("X书记、XX市长和××同志指出，全省各市县要落实。今年信息采用率达到【待填：百分比】，同志们要努力。"
            "任何同志都不能例外，许多同志辛勤工作，感谢同志们！")
    assert invented_specifics(text, SOURCES) == []


# --- with the real embedding model -----------------------------------------------------


@pytest.mark.models
def test_judge_agrees_with_labels(real_index):
    """calibrate_support.py reports agreement 0.871, precision 0.917, recall 0.882 at the
    constants in rag/check/cite.py; allow a few pairs of drift."""
    from calibrate_support import DEFAULT_SETS, load_pairs, metrics, score_pairs

    from rag.index.store import CorpusIndex

    settings_, embedder = real_index
    chunks = {c.chunk_id: c for c in CorpusIndex.open(settings_.index_dir).chunks}
    scored = score_pairs([p for path in DEFAULT_SETS for p in load_pairs(path)], chunks, embedder.queries)
    assert len(scored) >= 440
    m = metrics([p["label"] for p in scored], [p["supported"] for p in scored])
    assert m["agreement"] >= 0.871 - 0.03
    assert m["precision"] >= 0.917 - 0.05
    assert m["recall"] >= 0.882 - 0.06


@pytest.mark.models
def test_align_with_retrieved_passages(real_index):
    from rag.search.hybrid import open_searcher

    settings_, embedder = real_index
    passages = open_searcher(settings_, embedder).search("如何做好督查督办工作", k=5)
    ids = [p.chunk.chunk_id for p in passages]
    assert "105a2d23-1-004" in ids, ids  # 三要增强督查检查能力…
    right = ids.index("105a2d23-1-004") + 1
    text = ("一、抓好督查落实\n"
            f"要健全督查制度、规范督查程序，抓住每个时期的工作重点和热点难点问题，发挥督查推动落实的作用。[{right}]\n"
            f"今年全县新建农村公路一百二十公里，惠及群众五万余人。[{right}]")
    sentences, citations = align(text, passages, embedder.queries)
    heading, supported, invented = sentences
    assert heading.kind == "heading"
    assert supported.supported and supported.dropped_markers == []
    assert citations[supported.citations[0] - 1].chunk_id == "105a2d23-1-004"
    assert "督查" in citations[supported.citations[0] - 1].quote
    assert not invented.supported and invented.dropped_markers == [right]
    assert unsupported_share(sentences) == 0.5
