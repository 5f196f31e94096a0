"""What is searched for a query: outline ordinals and shells off, traditional folded."""

import pytest

from rag.search.query import search_text


@pytest.mark.parametrize("point, searched", [
    ("二要在统筹协调上下功夫", "统筹协调"),
    ("（二）着力提升文稿质量", "提升文稿质量"),
    ("第四，进一步强化保密意识", "强化保密意识"),
    ("5、抓好值班值守", "抓好值班值守"),
    ("三是加强督查落实", "加强督查落实"),
    ("首先，要提高政治站位", "提高政治站位"),
    ("其二，要在服务基层上做文章", "服务基层"),
    ("一要坚定理想信念，始终对党忠诚", "坚定理想信念，始终对党忠诚"),
])
def test_outline_points_lose_their_ordinal_and_shell(point, searched):
    assert search_text(point) == searched


@pytest.mark.parametrize("query", ["如何发挥办公室参谋助手作用", "三要素齐全", "一把手工程", "十四五规划", "第一", "其中的关键"])
def test_other_queries_keep_their_words(query):
    assert search_text(query) == query


def test_traditional_queries_are_folded():
    assert search_text("推進數字檔案館建設") == "推进数字档案馆建设"
