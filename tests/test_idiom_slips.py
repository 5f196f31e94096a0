"""Idioms of the sources written with a character wrong: found and listed."""

from rag.check.idiom_slips import idiom_slips


def test_an_idiom_of_the_sources_written_with_a_slip_is_found():
    sources = ["时刻保持如临深渊、如履薄冰的态度。", "待人接物要以诚相待。"]
    assert idiom_slips("要时刻如临渊深渊、如履薄雪。待人要诚相待。", sources) == [
        ("如临渊深渊", "如临深渊"), ("如履薄雪", "如履薄冰"), ("要诚相待", "以诚相待")]
    # Written right, or another idiom of the dictionary (以诚相见), or an idiom no source uses.
    assert idiom_slips("如履薄冰，以诚相见，如履平地。", sources) == []


def test_a_phrase_that_only_looks_like_a_slip_is_not_listed():
    sources = ["要在工作中把握发展趋势，发扬进取精神。"]
    # 实 belongs to 实践, and 的 makes a phrase of an idiom.
    assert idiom_slips("在工作实践中把握发展的趋势，发扬进取的精神。", sources) == []
    assert idiom_slips("要发扬进取之心。", []) == []
    assert idiom_slips("工作，紧围绕中心。", ["要紧紧围绕中心"]) == []
