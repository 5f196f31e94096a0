"""Sayings quoted with a character wrong are put back as their sources write them."""

from rag.check.misquotes import formula_slips, mended_formulae, mended_opposites, mended_point, mended_quotes


def test_a_saying_quoted_one_character_off_is_written_as_the_source_has_it():
    sources = ["要“身在兵位，胸为帅谋”，主动谋划。", "有句话讲“不在其位，不谋其政”。",
               "树牢“功成不必在我，功成必定有我”的政绩观。"]
    text = ("要“身在兵地，胸为帅谋”，深入调研。正如“不在其位不谋其政”所说。"
            "树牢“功成未必在我，功成必定我”的政绩观。")
    assert mended_quotes(text, sources) == ("要“身在兵位，胸为帅谋”，深入调研。正如“不在其位，不谋其政”所说。"
                                            "树牢“功成不必在我，功成必定有我”的政绩观。")
    # Words a source does not quote, quoted with a slip, are written as the source has them.
    sources = ["按照响应最积极、行动最迅速、贯彻最彻底的要求，加强督查。"]
    assert mended_quotes("按照“响应最积极、行动更迅速、贯彻最彻底”的要求。", sources) == (
        "按照“响应最积极、行动最迅速、贯彻最彻底”的要求。")
    # Two edits off a saying of fewer than ten letters is other words.
    assert mended_quotes("要“身在兵地，心为帅谋”。", sources) == "要“身在兵地，心为帅谋”。"


def test_quotes_the_sources_hold_or_that_are_words_of_their_own_stay():
    sources = ["坚持“三严三实”，做到“两个维护”。"]
    # Held as written; too short for a slip (“三严” is a word of its own); far from any quote.
    text = "践行“三严三实”，讲“三实”，树立“终身学习”的理念。"
    assert mended_quotes(text, sources) == text
    assert mended_quotes("做到“两个维护”。", []) == "做到“两个维护”。"


def test_a_set_formulation_of_the_sources_written_one_letter_off_is_put_back():
    sources = ["坚定地同以习近平同志为总书记的党中央保持高度一致，按照“立党为公，执政为民”的要求，落实中央八项规定精神。"]
    # A letter changed, one put in, one left out: the nearest reading wins (从 同 on is two off).
    text = "坚定同以习近平同志为总书记、党中央保持一致，按照立党为公、执政为先的要求，落实中央八条规定精神。"
    assert mended_formulae(text, sources) == (
        "坚定同以习近平同志为总书记的党中央保持一致，按照立党为公，执政为民的要求，落实中央八项规定精神。")
    assert [text[a:b] for a, b, _ in formula_slips(text, sources)] == [
        "以习近平同志为总书记、党中央", "立党为公、执政为先", "中央八条规定精神"]
    # A joining word put in is other wording, not a slip.
    assert formula_slips("落实中央八项规定的精神，立党为公和执政为民。", sources) == []


def test_formulations_written_right_or_not_in_the_sources_stay():
    sources = ["要落实中央八项规定精神。"]
    # Written right, inside a longer formulation, or off by one from a formulation no source holds.
    text = "落实中央八项规定精神，坚持中国特色社会主义思想，以习近平同志为核心的党中夬。"
    assert formula_slips(text, sources) == []
    assert mended_formulae(text, []) == text
    # Two letters off a formulation of fewer than ten is another phrase.
    assert formula_slips("落实中央六条规定精神。", sources) == []


def test_a_character_turned_to_its_opposite_in_a_restated_sentence_is_put_back():
    sources = ["坚决服从、尽心做事，遇事多想政治要求、办事多想政治规矩。", "绝不能理解为消极被动，而要在被动中争取主动。"]
    text = "我们要坚决服从、全心做事，遇事少想政治要求、办事少想政治规矩。这绝不能理解为消极主动。"
    assert mended_opposites(text, sources) == "我们要坚决服从、全心做事，遇事多想政治要求、办事多想政治规矩。这绝不能理解为消极被动。"


def test_opposites_of_its_own_or_in_sentences_that_restate_nothing_stay():
    sources = ["遇事多想政治要求。"]
    # Its own contrast (多学习，少说), and a sentence that restates no source sentence.
    for text in ("我们要多学习，少说空话。", "办事少想个人得失，多想群众冷暖。"):
        assert mended_opposites(text, sources) == text
    assert mended_opposites("遇事少想政治要求。", []) == "遇事少想政治要求。"


def test_a_clause_of_the_point_written_almost_right_is_written_as_the_point_has_it():
    point = "看清办公室眼下面对的新形势：改革进入深水区、本区迎来陆港经济机遇，甘做幕后无名者"
    text = "当前，改革进入深水期、本区迎来陆藏经济机遇，我们要甘做幕后无名着。"
    assert mended_point(text, point) == "当前，改革进入深水区、本区迎来陆港经济机遇，我们要甘做幕后无名者。"
    # Other words, and clauses too short to tell a slip from a word, stay.
    assert mended_point("办公室要主动适应新变化，看清形式。", point) == "办公室要主动适应新变化，看清形式。"
