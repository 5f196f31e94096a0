"""Blocking copied n-grams while a model writes: the table, the self-repeat ban, the evasion mask."""

import pytest

from rag.llm.copyblock import (
    BLOCK_TOKENS,
    CopyBlock,
    NgramBan,
    block_tokens,
    evasion_tokens,
    idiom_tokens,
    not_in_sources,
    source_lines,
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


def test_sources_are_read_line_by_line_with_earlier_paragraphs():
    block = CopyBlock(["甲乙\n丙丁", ""], extra=["戊己"])
    assert source_lines(block) == ["甲乙", "丙丁", "戊己"]


def test_a_token_holding_part_of_an_idiom_is_not_banned():
    # Tokens 我们 时刻 保持 如 履 薄冰 ， 做到: 如, 履 and 薄冰 hold 如履薄冰.
    text = "我们时刻保持如履薄冰，做到"
    pieces = [p.encode() for p in ("我们", "时刻", "保持", "如", "履", "薄冰", "，", "做到")]
    in_idioms = idiom_tokens(text, pieces)
    assert in_idioms == {3, 4, 5}
    ids = [10, 11, 12, 13, 14, 15, 16, 17]  # the tokens' ids, position by position
    ban = NgramBan([ids], n=3, self_repeat=False, idiom_tokens=[in_idioms])
    # The run is cut before the idiom (保持 after 我们时刻) and after it (，and 做到), not in it.
    assert ban.banned([10, 11]) == {12}
    assert ban.banned([11, 12]) == set() and ban.banned([12, 13]) == set() and ban.banned([13, 14]) == set()
    assert ban.banned([14, 15]) == {16} and ban.banned([15, 16]) == {17}
    # Words that are not idioms, and a token split that does not give the text back: no exemption.
    assert idiom_tokens("加强组织领导", [p.encode() for p in ("加强", "组织", "领导")]) == set()
    assert idiom_tokens(text, [b"x"]) == set()
