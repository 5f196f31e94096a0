"""Idioms of the sources written with a character wrong: found and listed."""

from rag.check.idiom_slips import idiom_slips


def test_an_idiom_of_the_sources_written_with_a_slip_is_found():
    sources = ["时刻保持如临深渊、如履薄冰的态度。", "待人接物要以诚相待。"]
    assert idiom_slips("要时刻如临渊深渊、如履薄雪。待人要诚相待。", sources) == [
        ("如临渊深渊", "如临深渊"), ("如履薄雪", "如履薄冰"), ("要诚相待", "以诚相待")]
    # Written right, or another idiom of the dictionary (以诚相见), or an idiom no source uses.
    assert idiom_slips("如履薄冰，以诚相见，如履平地。", sources) == []
    # A phrase of a set shape the dictionary does not know is held to its sources as an idiom is.
    assert idiom_slips("对问题要一事事策，限期解决。", ["对问题一事一策，逐项整改。"]) == [("一事事策", "一事一策")]
    assert idiom_slips("遇到急事要专事特办。", ["做到急事急办、特事特办"]) == [("专事特办", "特事特办")]
    # Two words of their own that differ from such a phrase by a character are no slip.
    assert idiom_slips("要引领带动全体干部。", ["发挥带领带动作用"]) == []


def test_a_phrase_that_only_looks_like_a_slip_is_not_listed():
    sources = ["要在工作中把握发展趋势，发扬进取精神。"]
    # 实 belongs to 实践, and 的 makes a phrase of an idiom.
    assert idiom_slips("在工作实践中把握发展的趋势，发扬进取的精神。", sources) == []
    assert idiom_slips("要发扬进取之心。", []) == []
    assert idiom_slips("工作，紧围绕中心。", ["要紧紧围绕中心"]) == []


def test_a_word_after_a_particle_or_a_word_of_three_and_one_more_is_no_slip():
    sources = ["在新形势下，办公室的工作越来越多，要求越来越高。", "在工作中要讲规矩。"]
    assert idiom_slips("新的形势下，工作量越来越大，在办公室的工作中也是如此。", sources) == []
