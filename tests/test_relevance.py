"""The off-corpus judge: its features, its decision, and what the user is told."""

from types import SimpleNamespace

import pytest

from rag.errors import OffCorpus, WengaoError
from rag.index.bm25 import BM25Index, terms, tokenize
from rag.index.build import ingest
from rag.index.store import CorpusIndex
from rag.search.hybrid import Searcher, open_searcher
from rag.search.relevance import (
    COVERAGE_WEIGHT,
    MAX_TOPICS,
    RELEVANT_MIN,
    corpus_topics,
    judge,
    off_corpus_message,
    require_relevant,
    term_coverage,
)
from rag.types import Passage


@pytest.fixture
def searcher(corpus_copy, settings, hash_embedder):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    return Searcher(CorpusIndex.open(settings.index_dir), hash_embedder.queries, hash_embedder.use_queries)


@pytest.fixture
def small_bm25():
    texts = ["公务接待要节俭", "文稿起草要精细", "领导讲话", "面向世界", "督查督办", "a plan"]
    return BM25Index.build([tokenize(t) for t in texts])


def _passage(searcher, dense):
    return Passage(searcher.index.chunks[0], 0.0, 1, {"dense": dense})


def test_coverage_counts_known_terms_by_idf(small_bm25):
    assert term_coverage(small_bm25, "督查督办") == 1.0
    assert term_coverage(small_bm25, "红烧肉") == 0.0
    assert term_coverage(small_bm25, "pizza") == 0.0
    assert 0.0 < term_coverage(small_bm25, "督查 红烧肉") < 1.0


def test_coverage_of_stopwords_or_symbols_only_is_zero(small_bm25):
    assert term_coverage(small_bm25, "我们的工作") == 0.0
    assert term_coverage(small_bm25, "？！") == 0.0


def test_compound_spelled_with_corpus_words_is_not_a_new_subject(small_bm25):
    # 接待工作 = 接待 + a stopword; 讲话稿 = 讲话 + 稿 as in 文稿.
    assert term_coverage(small_bm25, "接待工作") == 1.0
    assert term_coverage(small_bm25, "讲话稿") == 1.0
    # 杯 is nowhere in the corpus: the cup is a new subject, not the world.
    assert term_coverage(small_bm25, "世界杯") < 0.5
    # Latin words are not compounds of the letters they contain.
    assert term_coverage(small_bm25, "a about") < 1.0


def test_two_words_jieba_joined_and_asking_for_a_person_are_not_new_subjects():
    bm25 = BM25Index.build([tokenize(t) for t in ["我先讲两点意见", "他引了一段话", "领导讲话", "天上一颗星"]])
    # 先引 of 先引了: 先 and 引 are words of the corpus each; 哪位 asks who.
    assert term_coverage(bm25, "讲话先引了哪位领导的话") == 1.0
    # 星 stands alone in the corpus, 火 does not: 火星 is a new subject.
    assert term_coverage(bm25, "讲话里谈火星吗") < 0.5
    # 还举 of 还举了 is an adverb and a verb; 后面 points into the text and 例子 asks for a kind of
    # material: none of them names a subject.
    assert term_coverage(bm25, "后面还举了哪位领导的例子") == 1.0


def test_judge_threshold_on_the_combined_score(searcher):
    assert term_coverage(searcher.index.bm25, "督查") == 1.0
    edge = RELEVANT_MIN - COVERAGE_WEIGHT
    above = judge(searcher, "督查", [_passage(searcher, edge + 0.001)])
    below = judge(searcher, "督查", [_passage(searcher, edge - 0.001)])
    assert above.relevant and not below.relevant
    assert above.score == pytest.approx(edge + 0.001 + COVERAGE_WEIGHT)
    assert "低于阈值" in below.reason and "语义相似度" in below.reason


def test_judge_takes_the_best_dense_score_of_the_passages(searcher):
    passages = [_passage(searcher, 0.2), _passage(searcher, 0.7), Passage(searcher.index.chunks[1], 0.0, 3)]
    assert judge(searcher, "督查", passages).dense == pytest.approx(0.7)


def test_judge_embeds_the_query_when_no_passage_has_a_dense_score(searcher, hash_embedder):
    passages = searcher.search("督查落实", k=3, mode="bm25")
    assert all("dense" not in p.scores for p in passages)
    expected = float((searcher.index.vectors @ hash_embedder.queries(["督查落实"])[0]).max())
    assert judge(searcher, "督查落实", passages).dense == pytest.approx(expected, abs=1e-5)


def test_judge_without_passages_is_off_corpus(searcher):
    verdict = judge(searcher, "督查", [])
    assert not verdict.relevant and verdict.reason


def test_corpus_topics_of_the_bundled_corpus(searcher):
    topics = corpus_topics(searcher.index)
    assert "在全市党政办公室主任培训班上的讲话" in topics
    assert len(topics) == len(set(topics)) == 7
    assert not any(t.startswith("（无标题）") for t in topics)


def test_corpus_topics_keep_derived_titles_when_there_is_nothing_else():
    derived = {"title": "（无标题）同志们：今天…"}
    assert corpus_topics(SimpleNamespace(speeches=[derived, {"title": "甲"}, {"title": "甲"}])) == ["甲"]
    assert corpus_topics(SimpleNamespace(speeches=[derived])) == [derived["title"]]
    assert corpus_topics(SimpleNamespace(speeches=[])) == []


def test_message_names_the_topic_the_corpus_and_the_remedy():
    message = off_corpus_message("红烧肉做法", ["在办公室例会上的讲话", "在全县办公室主任会议上讲话"])
    assert "红烧肉做法" in message and "没有" in message
    assert "在办公室例会上的讲话" in message and "在全县办公室主任会议上讲话" in message
    assert "wengao ingest" in message


def test_a_front_end_words_its_own_advice():
    message = off_corpus_message("红烧肉做法", ["在办公室例会上的讲话"], advice="请上传讲话稿。")
    assert message.endswith("请上传讲话稿。") and "wengao ingest" not in message
    assert "在办公室例会上的讲话" in message


def test_message_lists_at_most_max_topics():
    topics = [f"讲话{i:02d}" for i in range(MAX_TOPICS + 2)]
    message = off_corpus_message("森林防火", topics)
    assert f"讲话{MAX_TOPICS - 1:02d}" in message and f"讲话{MAX_TOPICS:02d}" not in message
    assert "另有 2 篇" in message


def test_message_shortens_a_long_request_and_handles_an_empty_corpus():
    message = off_corpus_message("量子\n计算" + "很长" * 100, [])
    first = message.splitlines()[0]
    assert "量子 计算" in first and "…" in first and len(first) < 100
    assert "还没有任何讲话" in message


def test_require_relevant_raises_with_the_message(searcher):
    with pytest.raises(OffCorpus) as caught:
        require_relevant(searcher, "红烧肉做法", [_passage(searcher, 0.5)])
    assert isinstance(caught.value, WengaoError)
    assert "红烧肉做法" in str(caught.value) and "在全市党政办公室主任培训班上的讲话" in str(caught.value)
    assert caught.value.query == "红烧肉做法" and caught.value.topics == corpus_topics(searcher.index)
    assert require_relevant(searcher, "督查", [_passage(searcher, 0.99)]).relevant


@pytest.mark.models
def test_real_model_refuses_off_topic_and_keeps_on_topic(real_index):
    settings, embedder = real_index
    real = open_searcher(settings, embedder)
    off_topic = ["红烧肉做法", "量子计算机的原理", "足球世界杯战术", "森林防火工作部署",
                 "How does a quantum computer work?"]
    on_topic = ["如何做好督查督办工作", "办公室干部要严守保密纪律", "接待工作", "文稿起草要吃透领导意图"]
    verdicts = {q: judge(real, q, real.search(q, k=10)) for q in off_topic + on_topic}
    assert [q for q in off_topic if verdicts[q].relevant] == []
    assert [q for q in on_topic if not verdicts[q].relevant] == []


def test_words_that_ask_or_point_are_not_subjects_the_corpus_lacks(small_bm25):
    # 那篇 and 哪几种 are how a question asks about 督查督办, not a subject it adds.
    assert term_coverage(small_bm25, "那篇讲话督查督办哪几种") == 1.0
    assert term_coverage(small_bm25, "这些督查督办多少") == 1.0
    assert term_coverage(small_bm25, "那篇讲话里的红烧肉") < 0.5
    # 眼下 and 如今 point at a time.
    assert term_coverage(small_bm25, "眼下督查督办") == term_coverage(small_bm25, "如今的督查督办") == 1.0


def coverage_over(texts: list[str], query: str) -> float:
    """term_coverage of `query` over a corpus of `texts`, its words and what it writes indexed."""
    words = BM25Index.build([tokenize(t) for t in texts])
    return term_coverage(words, query, BM25Index.build([terms(t) for t in texts]))


def test_a_word_the_corpus_writes_but_jieba_cut_otherwise_is_not_a_new_subject():
    # jieba cuts 《易门信息》 as 易 / 门 / 信息 and 易门那篇讲话 as 易门 / 那篇 / 讲话.
    texts = ["全年共印发《易门信息》27期", "领导讲话"]
    assert coverage_over(texts, "易门那篇讲话") == 1.0
    assert coverage_over(texts, "红烧肉那篇讲话") < 0.5


def test_a_character_the_corpus_writes_inside_its_words_is_not_a_new_subject():
    # 别 and 添 of 别给基层添负担 are words of their own to jieba; the corpus writes both inside
    # others (特别, 增添). A character it never writes still names something it lacks.
    texts = ["特别要给基层减轻负担", "不能增添新的负担"]
    assert coverage_over(texts, "别给基层添负担") == 1.0
    assert coverage_over(texts, "基层的猫") < 0.5
