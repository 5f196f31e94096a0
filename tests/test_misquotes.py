"""Sayings quoted with a character wrong are put back as their sources write them."""

from rag.check.misquotes import mended_quotes


def test_a_saying_quoted_one_character_off_is_written_as_the_source_has_it():
    sources = ["要“身在兵位，胸为帅谋”，主动谋划。", "有句话讲“不在其位，不谋其政”。"]
    text = "要“身在兵地，胸为帅谋”，深入调研。正如“不在其位不谋其政”所说。"
    assert mended_quotes(text, sources) == "要“身在兵位，胸为帅谋”，深入调研。正如“不在其位，不谋其政”所说。"


def test_quotes_the_sources_hold_or_that_are_words_of_their_own_stay():
    sources = ["坚持“三严三实”，做到“两个维护”。"]
    # Held as written; too short for a slip (“三严” is a word of its own); far from any quote.
    text = "践行“三严三实”，讲“三实”，树立“终身学习”的理念。"
    assert mended_quotes(text, sources) == text
    assert mended_quotes("做到“两个维护”。", []) == "做到“两个维护”。"
