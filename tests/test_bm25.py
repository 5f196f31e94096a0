"""The keyword index: what it holds of a text, and how it is built."""

import numpy as np

from rag.index.bm25 import BM25Index, terms


def test_terms_are_characters_and_their_pairs():
    assert terms("文稿起草") == ["文", "稿", "起", "草", "文稿", "稿起", "起草"]


def test_terms_leave_out_stopwords_and_keep_other_words_whole():
    # 要 and 的 say nothing about a passage alone; a pair never spans punctuation.
    assert terms("要精细，的") == ["精", "细", "要精", "精细"]
    assert terms("Office 2024年") == ["office", "2024", "年"]


def test_a_paraphrase_shares_terms_where_it_shares_no_word():
    # 接地气 against 地气: the words differ, their characters and a pair do not.
    index = BM25Index.build(terms(t) for t in ["丢掉官气，多沾地气", "文稿起草要精细", "会议要简短"])
    scores = index.scores(terms("放下架子，多接地气"))
    assert int(np.argmax(scores)) == 0 and scores[1] == scores[2] == 0


def test_built_from_a_generator_as_from_a_list():
    texts = ["公务接待要节俭", "文稿起草要精细", "a plan"]
    from_list = BM25Index.build([terms(t) for t in texts])
    from_generator = BM25Index.build(terms(t) for t in texts)
    assert from_list.vocab == from_generator.vocab and from_generator.n_docs == 3
    for name in ("indptr", "doc_ids", "weights", "idf"):
        assert np.array_equal(getattr(from_list, name), getattr(from_generator, name))


def test_an_empty_index_scores_nothing():
    index = BM25Index.build(iter([]))
    assert index.n_docs == 0 and len(index.scores(terms("督查"))) == 0
