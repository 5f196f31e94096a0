"""Blocking copied n-grams while a model writes: the table, the self-repeat ban, the evasion mask."""

import pytest

from rag.llm.copyblock import (
    BLOCK_TOKENS,
    CopyBlock,
    NgramBan,
    block_tokens,
    evasion_tokens,
    not_in_sources,
    source_tokens,
)


def test_a_source_ngram_cannot_be_completed():
    ban = NgramBan([[1, 2, 3, 4]], n=3, self_repeat=False)
    assert ban.banned([9, 2, 3]) == {4}
    assert ban.banned([1, 2]) == {3}
    assert ban.banned([2, 9]) == set()
    assert ban.banned([3]) == set()  # fewer tokens written than n-1


def test_the_reply_cannot_repeat_itself():
    ban = NgramBan([], n=3)
    assert ban.banned([5, 6, 7, 5, 6]) == {7}
    assert NgramBan([], n=3, self_repeat=False).banned([5, 6, 7, 5, 6]) == set()


def test_the_reply_may_repeat_shorter_runs_of_itself_than_of_its_sources():
    ban = NgramBan([[1, 2, 3]], n=3, repeat_n=4)
    assert ban.banned([5, 6, 7, 5, 6]) == set()
    assert ban.banned([5, 6, 7, 5, 6, 7]) == {5}
    assert ban.banned([9, 1, 2]) == {3}


def test_a_name_the_reply_may_write_out_is_never_cut_short():
    # The source holds 1 2 3 4 and a title 2 3 4 5 shares its run 2 3 4.
    ban = NgramBan([[1, 2, 3, 4]], n=3, self_repeat=False, allowed=[[2, 3, 4, 5]])
    assert ban.banned([9, 2, 3]) == set()
    assert ban.banned([1, 2]) == {3}


def test_n_must_be_at_least_two():
    with pytest.raises(ValueError):
        NgramBan([], n=1)


def test_evasions_are_latin_brackets_space_and_traditional_unless_a_source_uses_them():
    pieces = ["办公室", "line", "【", " 报告", "報", "5G", "。", "", "\n", "（"]
    pattern = CopyBlock([]).evasions()
    assert evasion_tokens(pieces, pattern) == [1, 2, 3, 4, 5, 8]
    assert not_in_sources(evasion_tokens(pieces, pattern), [[0, 5], [6]]) == [1, 2, 3, 4, 8]
    outline = CopyBlock([], multiline=True, forbidden="（(").evasions()
    assert evasion_tokens(pieces, outline) == [1, 2, 3, 4, 5, 9]


def test_block_size_follows_max_copy():
    assert block_tokens(None) == BLOCK_TOKENS
    assert block_tokens(15) == 8 and block_tokens(8) == 4 and block_tokens(2) == 2


def test_sources_are_tokenised_line_by_line_with_earlier_paragraphs():
    block = CopyBlock(["甲乙\n丙丁", ""], extra=["戊己"])
    assert source_tokens(block, list) == [["甲", "乙"], ["丙", "丁"], ["戊", "己"]]
