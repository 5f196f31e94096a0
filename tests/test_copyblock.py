"""Blocking copied n-grams while a model writes: the table, the self-repeat ban, the evasion mask."""

import pytest

from rag.llm.copyblock import (
    BLOCK_TOKENS,
    CopyBlock,
    NgramBan,
    WordMarks,
    block_tokens,
    evasion_tokens,
    not_in_sources,
    opening_tokens,
    source_lines,
    word_marks,
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


def test_evasions_are_other_scripts_brackets_space_and_traditional_unless_a_source_uses_them():
    pieces = ["办公室", "line", "【", " 报告", "報", "5G", "。", "", "\n", "（", "を", "Ａ", "я", "×", "①"]
    pattern = CopyBlock([]).evasions()
    assert evasion_tokens(pieces, pattern) == [1, 2, 3, 4, 5, 8, 10, 11, 12]
    assert not_in_sources(evasion_tokens(pieces, pattern), [[0, 5], [6, 10]]) == [1, 2, 3, 4, 8, 11, 12]
    outline = CopyBlock([], multiline=True, forbidden="（(").evasions()
    assert evasion_tokens(pieces, outline) == [1, 2, 3, 4, 5, 9, 10, 11, 12]


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
    marks = word_marks(text, pieces)
    assert marks.free == {3, 4, 5}
    ids = [10, 11, 12, 13, 14, 15, 16, 17]  # the tokens' ids, position by position
    ban = NgramBan([ids], n=3, self_repeat=False, marks=[marks])
    # The run is cut before the idiom (保持 after 我们时刻) and after it (，and 做到), not in it.
    assert ban.banned([10, 11]) == {12}
    assert ban.banned([11, 12]) == set() and ban.banned([12, 13]) == set() and ban.banned([13, 14]) == set()
    assert ban.banned([14, 15]) == {16} and ban.banned([15, 16]) == {17}
    # Tokens that each start a word, and a token split that does not give the text back: none free.
    assert word_marks("加强组织领导", [p.encode() for p in ("加强", "组织", "领导")]).free == set()
    assert word_marks(text, [b"x"]) == WordMarks()


def test_the_ban_falls_only_where_a_word_starts():
    # 室 is inside 办公室 and 性 inside 党性修养: banned there, the model wrote 办公主任 and 党的性修养.
    marks = word_marks("做好办公室主任工作", [p.encode() for p in ("做好", "办公", "室", "主任", "工作")])
    assert marks.free == {2} and marks.opens == {0: "做好", 1: "办公室", 3: "主任", 4: "工作"}
    assert word_marks("加强党性修养", [p.encode() for p in ("加强", "党", "性", "修养")]).free == {2, 3}
    # A character split across two tokens: its second half starts no word.
    split = [b"\xe7\xa1\xae", b"\xe4\xbf\x9d", "不出".encode(), "纰".encode()[:1], "纰".encode()[1:], "漏".encode()]
    assert word_marks("确保不出纰漏", split).free == {1, 3, 4, 5}
    # Only a Chinese word is opened: a number or a comma is banned as the one token it is.
    assert word_marks("完成126件，", [p.encode() for p in ("完成", "1", "2", "6", "件", "，")]).opens == {
        0: "完成", 4: "件"}
    # A short term in quotation marks is free whole, as an idiom is.
    quoted = word_marks("克服“好人主义”", [p.encode() for p in ("克服", "“", "好人", "主义", "”")])
    assert quoted.free == {2, 3} and quoted.opens == {0: "克服"}


def test_a_phrase_of_a_set_shape_is_free_whole_as_an_idiom_is():
    # No dictionary lists 一事一策 or 过多过滥: banned at 一策, the model wrote 一事事策.
    tokens = ("要", "一", "事", "一", "策", "抓", "整改")
    assert word_marks("要一事一策抓整改", [p.encode() for p in tokens]).free == {1, 2, 3, 4}
    assert word_marks("防止过多过滥", [p.encode() for p in ("防止", "过多", "过", "滥")]).free == {1, 2, 3}
    # The same shapes in other words' parts, or after a particle or a word of three: words as any.
    for text, tokens in (("重要性要求", ("重要性", "要求")), ("是不是有", ("是不是", "有")),
                         ("他的人的事", ("他", "的", "人", "的", "事"))):
        assert word_marks(text, [p.encode() for p in tokens]).free == set()


def test_a_set_formulation_is_free_whole():
    # Banned at 的 of 以习近平同志为总书记的党中央, the model wrote 以习近平同志为总书记、党中央.
    tokens = ("同", "以", "习近平", "同志", "为", "总书记", "的", "党中央", "保持")
    assert word_marks("同以习近平同志为总书记的党中央保持", [p.encode() for p in tokens]).free == set(range(1, 8))
    # Its separators may differ from the list's: 立党为公、执政为民 as 立党为公，执政为民.
    tokens = ("按照", "立党", "为公", "，", "执政", "为民", "的", "要求")
    assert word_marks("按照立党为公，执政为民的要求", [p.encode() for p in tokens]).free == {1, 2, 3, 4, 5}


def test_banned_at_a_word_the_model_may_not_begin_it_in_other_tokens():
    pieces = ["做好", "办公", "室", "主任", "工作", "办", "办公室", "秘书", "主", "公文", "任务"]
    assert opening_tokens(pieces)["办"] == [1, 5, 6] and opening_tokens(["", "1", "，"]) == {}
    marks = word_marks("做好办公室主任", [p.encode() for p in ("做好", "办公", "室", "主任")])
    ban = NgramBan([[0, 1, 2, 3]], n=2, self_repeat=False, marks=[marks], opening=opening_tokens(pieces))
    # After 做好, not 办公 nor 办 nor 办公室, nor the tail 公文 or 室: 秘书 is left. Inside 办公室
    # nothing is banned.
    assert ban.banned([0]) == {1, 2, 5, 6, 9} and ban.banned([1]) == set()
    assert ban.banned([2]) == {3, 8, 10}
    # A name the reply may write out stays free, the tokens opening its next word too.
    named = NgramBan([[0, 1, 2, 3]], n=2, self_repeat=False, allowed=[[0, 5]], marks=[marks],
                     opening=opening_tokens(pieces))
    assert named.banned([0]) == {1, 2, 6, 9}
