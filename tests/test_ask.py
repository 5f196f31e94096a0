"""素材问答: the quoted evidence first, then a synthesis that never echoes its prompt."""

import json
import re
from collections import Counter
from dataclasses import replace
from itertools import count
from pathlib import Path
from types import SimpleNamespace

import pytest

from rag.check.cite import split_draft
from rag.check.copycheck import CopyIndex, invented_specifics
from rag.cli import main
from rag.corpus.clean import core_text
from rag.corpus.structure import SLOT, split_sentences
from rag.index.build import ingest
from rag.index.store import CorpusIndex
from rag.llm.local import Timings
from rag.search.hybrid import Searcher
from rag.search.query import quoted_phrases, without_ordinal
from rag.search.speech_names import named_speeches, title_core, without_speech_names
from rag.types import Chunk, Passage
from rag.write import evidence as evidence_module
from rag.write.ask import (
    ECHO_NOTE,
    NEAREST_NOTE,
    NEAREST_SENTENCES,
    Context,
    EchoedPrompt,
    SentenceGate,
    _named_item,
    answer,
    asks_beyond,
    gather,
    misquoted,
    resolve,
    restates,
    synthesis_messages,
    template_text,
)
from rag.write.evidence import (
    CANDIDATE_CHUNKS,
    MAX_PER_CHUNK,
    MAX_PER_CHUNK_NAMED,
    MAX_PER_SPEECH,
    MAX_SENTENCES,
    NAMED_CANDIDATE_CHUNKS,
    PASSAGE_WEIGHT,
    Evidence,
    answer_evidence,
    candidates,
    inline_list_evidence,
    list_evidence,
    literal_evidence,
    passage_evidence,
    passages_after,
    pick,
    sentence_evidence,
    with_what_follows,
)
from rag.write.numbered_lists import asked_count, asks_list, cn_number, item_marker, speech_lists
from ui.chat import AskTurn, sources_view, transcript_html

ROOT = Path(__file__).resolve().parent.parent
PHRASE = "身在兵位，胸为帅谋"


class ReplyList:
    """Replies in order, one per call, in pieces of a few characters; keeps each call's temperature."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.temperatures = []
        self.timings = Timings()

    def stream(self, messages, max_tokens, temperature=0.3, **_):
        self.temperatures.append(temperature)
        reply = self.replies.pop(0)
        for i in range(0, len(reply), 3):
            yield reply[i:i + 3]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    from conftest import HashEmbedder

    from rag.settings import load_settings

    folder = tmp_path_factory.mktemp("ask")
    settings = load_settings(home=folder / "home", index=folder / "index")
    embedder = HashEmbedder()
    ingest([ROOT / "data" / "corpus"], settings, progress=False, embedder=embedder)
    found = Searcher(CorpusIndex.open(settings.index_dir), embedder.queries, embedder.use_queries)
    found.settings = settings
    return found


def corpus_count(phrase: str) -> int:
    """Occurrences in the raw corpus files, letters and digits alone, counted without the index."""
    return sum(core_text(path.read_text("utf-8")).count(core_text(phrase))
               for path in (ROOT / "data" / "corpus").glob("*.txt"))


def test_quoted_phrases_are_found_in_every_kind_of_quotation_mark():
    assert quoted_phrases('哪些讲话用了“兵头将尾”和"钉子"精神，还有「小草」？') == ["兵头将尾", "钉子", "小草"]
    assert quoted_phrases("哪些讲话谈到督查？") == []


def test_a_quoted_phrase_is_listed_wherever_the_corpus_has_it(searcher):
    found = literal_evidence(searcher.index.chunks, PHRASE)
    assert len(found) == corpus_count(PHRASE) == 3
    assert len(literal_evidence(searcher.index.chunks, "身在兵位,胸为帅谋")) == 3
    assert len({e.speech_id for e in found}) == 3 and all(PHRASE in e.text for e in found)
    chunks = {c.chunk_id: c.text for c in searcher.index.chunks}
    assert all(e.text in chunks[e.chunk_id] for e in found)


def test_questions_name_speeches_by_title_or_by_level(searcher):
    index = searcher.index
    titles = {s["speech_id"]: s["title"] for s in index.speeches}
    (county,) = named_speeches("全县办公室主任会议上的讲话怎么讲信息工作？", index)
    assert titles[county] == "在全县办公室主任会议上讲话"
    assert title_core("在全县办公室主任会议上讲话") == "全县办公室主任会议"
    levels = named_speeches("那县里的讲话呢？", index)
    # The untitled speech says 全县 throughout: it is a county speech too.
    assert county in levels and len(levels) == 2
    assert named_speeches("哪些讲话谈到督查？", index) is None


def titles_named(question, index):
    titles = {s["speech_id"]: s["title"] for s in index.speeches}
    named = named_speeches(question, index)
    return None if named is None else sorted(titles[sid] for sid in named)


def test_shortened_and_paraphrased_names_find_their_speeches(searcher):
    index = searcher.index
    assert titles_named("全省文化系统和全区政府系统的讲话怎么讲信息工作？", index) == [
        "在全区政府系统办公室主任会议上的讲话", "在全省文化系统办公室主任会议上的讲话"]
    assert titles_named("培训班上的讲话对奉献怎么说？", index) == ["在全市党政办公室主任培训班上的讲话"]
    assert titles_named("文化厅那篇和政府办那篇对督查怎么说？", index) == [
        "在全区政府系统办公室主任会议上的讲话", "在全省文化系统办公室主任会议上的讲话"]
    # A place only one speech's text names (易门信息), a body only one speech works for (三冶).
    assert titles_named("易门那篇讲话对信息报送有什么要求？", index) == ["在全县办公室主任会议上讲话"]
    assert titles_named("三冶那篇讲话提出了什么发展战略？", index) == ["在办公室例会上的讲话"]
    # Another speech's title typed as the name of that body's meeting: the body names the speech.
    assert titles_named("三冶集团的办公室主任会议多久开一次？", index) == ["在办公室例会上的讲话"]
    assert without_speech_names("三冶集团的办公室主任会议多久开一次？", index).strip() == "多久开一次？"
    assert titles_named("办公室主任会议上的讲话怎么讲服从？", index) == ["在办公室主任会议上的讲话"] * 2
    # Two speeches share a title; the meeting one opening names tells them apart.
    (meeting,) = named_speeches("秘书长会议那篇讲话怎么讲服从？", index)
    assert "全市秘书长、办公室主任会议" in next(c.text for c in index.chunks if c.speech_id == meeting)
    # Words of titles outside a naming phrase are subjects.
    assert named_speeches("哪些讲话谈到文化建设？", index) is None
    assert named_speeches("关于信息工作的讲话有哪些？", index) is None


def test_the_query_keeps_what_is_asked_without_the_names(searcher):
    index = searcher.index
    assert core_text(without_speech_names("办公室例会上的讲话和全县办公室主任会议上讲话怎么谈学习？", index)) \
        == "怎么谈学习"
    assert core_text(without_speech_names("县里那篇讲了哪些要求？", index)) == "讲了哪些要求"
    # Only a name: the question is searched as asked.
    assert without_speech_names("培训班上的讲话", index) == "培训班上的讲话"


def test_a_named_speech_is_searched_beyond_the_whole_index_top_passages(searcher):
    request = resolve("县里那篇讲话怎么讲值班应急？", searcher)
    found = candidates(searcher, request.query, request.speech_ids)
    assert len(found) == NAMED_CANDIDATE_CHUNKS
    assert {p.chunk.speech_id for p in found} <= request.speech_ids
    # The off-corpus judge reads the names too; asking the same of other speeches is not judged again.
    assert request.judged == "县里那篇讲话怎么讲值班应急？"
    context = Context(request.query, [], request.speech_ids, [])
    assert resolve("那培训班上的讲话呢？", searcher, context).judged is None


def test_list_questions_and_the_counts_they_ask_for_are_recognised():
    assert asks_list("信息工作要把握哪十个要求？") and asked_count("信息工作要把握哪十个要求？") == 10
    assert asks_list("全省文化系统的讲话提了哪几点要求？") and asked_count("哪几点要求") is None
    assert asks_list("区里的讲话要当好哪四个表率？") and asked_count("当好哪四个表率") == 4
    assert asks_list("培训班上的讲话提出了哪些措施？")
    assert not asks_list("哪些讲话谈到督查？") and not asks_list("县里那篇讲话怎么讲值班应急？")
    assert [cn_number(n) for n in ("十", "十二", "二十", "两", "7")] == [10, 12, 20, 2, 7]
    # 讲 … 分了哪几条 asks; the subject a list's lead-in must name is what is left.
    from rag.write.numbered_lists import LIST_WORDS
    assert core_text(LIST_WORDS.sub(" ", "讲安全生产，分了哪几条？")) == "安全生产"
    assert core_text(LIST_WORDS.sub(" ", "谈了信访工作的哪几点")) == "信访工作的"


_tiny_indexes = count()


def tiny_index(*chunks):
    """One speech of (section path, text) chunks: what the list finder reads of an index."""
    own = [Chunk(f"s-{i:03d}", "s", "在会上的讲话", "s.txt", section, text, i)
           for i, (section, text) in enumerate(chunks, start=1)]
    return SimpleNamespace(folder=Path(f"tiny-{next(_tiny_indexes)}"), chunks=own,
                           speech_chunks=lambda speech_id: own if speech_id == "s" else [])


def test_nested_lists_of_one_kind_are_told_apart():
    index = tiny_index(
        ([], "同志们：\n借此机会，我提几点要求："),
        (["一要把学习作为根本"], "一要把学习作为根本。学习是第一位的。"),
        (["二要把能力建设作为基本任务"],
         "二要把能力建设作为基本任务。要做到“两个要”：一要增强谋划能力。二要增强协调能力。"),
        (["三要把作风建设作为保障"], "三要把作风建设作为保障。作风是形象。"))
    outer, inner = speech_lists(index, "s")
    assert [i.text for i in outer.items] == [
        "一要把学习作为根本。", "二要把能力建设作为基本任务。", "三要把作风建设作为保障。"]
    assert outer.lead.text == "借此机会，我提几点要求："
    assert [i.text for i in inner.items] == ["要做到“两个要”：一要增强谋划能力。", "二要增强协调能力。"]


def test_a_list_an_item_leads_is_quoted_under_it_and_headings_the_text_leaves_out_are_items():
    index = tiny_index(
        (["一、认清形势"], "办公室是枢纽。"),
        (["二、做好信息工作"], "1、要围绕中心挖掘信息。\n2、信息工作应把握两个“要”。\n一是定性要准。\n二是方向要正。"),
        (["二、做好信息工作"], "3、要严格报送制度。"))
    sections, measures, musts = speech_lists(index, "s")
    assert [i.text for i in sections.items] == ["一、认清形势", "二、做好信息工作"]
    assert all(i.heading for i in sections.items)
    assert musts.lead is measures.items[1]
    assert [i.text[:2] for i in measures.flattened(16)] == ["1、", "2、", "一是", "二是", "3、"]
    assert [i.text[:2] for i in measures.flattened(4)] == ["1、", "2、", "3、"]


def test_paragraphs_opening_alike_with_a_short_lead_are_the_points_of_the_item_above():
    index = tiny_index(
        (["一、抓学习"], "一、抓学习。学习是立身之本。"),
        (["二、抓服务"], "二、抓服务。服务是办公室的本职。\n要主动靠前，强化服务意识。服务不能等。"),
        (["二、抓服务"], "要细化流程，强化服务规范。流程要清楚。\n要跟踪问效，强化服务质量。质量要过硬。"),
        # A window of a long paragraph opens mid-paragraph: it neither joins nor ends the run.
        (["二、抓服务"], "要把跟踪问效贯穿服务全过程，做到件件有回音、事事有着落、条条有结果。"),
        (["二、抓服务"], "要总结经验，强化服务创新。创新要务实。"),
        (["三、抓作风"], "三、抓作风。作风是形象。\n我们常说，作风就是战斗力。作风要实。"))
    headings, points = speech_lists(index, "s")
    assert [i.text for i in points.items] == [
        "要主动靠前，强化服务意识。", "要细化流程，强化服务规范。", "要跟踪问效，强化服务质量。",
        "要总结经验，强化服务创新。"]
    assert points.lead.text.startswith("二、抓服务")
    assert headings.sublists[1] is points
    # One short lead alone is a paragraph, not a list; nor are first sentences that differ.
    assert len(speech_lists(tiny_index(([], "要抓落实。落实要实。\n我们要看到成绩。成绩不小。")), "s")) == 0


def test_a_follow_up_asking_for_the_second_point_reads_the_item_numbered_two():
    from rag.write.ask import _nth_point

    def quote(text):
        return Evidence(text, "c", "s", "在会上的讲话", "", "s.txt")
    quotes = [quote("会议的任务很重，大家要重视。"), quote("一是抓学习。"), quote("二是抓落实。"), quote("学习要深入。")]
    assert _nth_point(quotes, 2).text == "二是抓落实。"
    # Quotes holding no list are counted as they stand.
    assert _nth_point(quotes[:1] + quotes[3:], 2).text == "学习要深入。"


def test_a_question_asking_how_many_layers_a_point_has_is_a_list_question():
    assert asks_list("谈大局思维时，下面分了哪几层？")
    assert asked_count("讲大局思维，分了哪三层？") == 3


@pytest.mark.models
def test_a_question_asking_the_parts_of_a_speech_gets_its_outermost_points(real_index):
    from rag.search.hybrid import open_searcher

    searcher = open_searcher(*real_index)
    # Its 第一，…第四， sections, not the 一要…三要 within the first of them.
    question = "市里秘书长会议那篇讲话分了哪几大块？"
    assert asks_list(question) and asks_list("那篇讲话分成了哪几大部分？")
    request = resolve(question, searcher)
    found = answer_evidence(searcher, request.query, candidates(searcher, request.query, request.speech_ids),
                            request.speech_ids)
    kinds = {m[0] for m in map(item_marker, (e.text for e in found)) if m}
    assert len(found) >= 3 and kinds == {"di"}


def _searcher_over(tmp_path: Path, speech: str) -> Searcher:
    """A searcher over an index of one speech of the test's own, by the hashing stand-in encoders."""
    from conftest import HashEmbedder

    from rag.settings import load_settings

    (tmp_path / "talk.txt").write_text(speech, "utf-8")
    settings = load_settings(home=tmp_path / "home", index=tmp_path / "index")
    embedder = HashEmbedder()
    ingest([tmp_path / "talk.txt"], settings, progress=False, embedder=embedder)
    return Searcher(CorpusIndex.open(settings.index_dir), embedder.queries, embedder.use_queries)


def quoted_for(searcher: Searcher, query: str) -> list[str]:
    """The evidence's sentences for a question asked of the whole index."""
    return [e.text for e in answer_evidence(searcher, query, candidates(searcher, query))]


def test_a_list_that_shares_no_word_with_the_question_comes_with_the_nearest_sentences(tmp_path):
    own = _searcher_over(
        tmp_path, "在全市农业工作会议上的讲话\n同志们：\n今年的困难主要有两个：一是资金紧张。二是人手不足。\n"
        "2026年，是全市乡村振兴规划和农田水利规划的收官之年，任务很重。\n"
        "大家要把粮食生产抓在手上，把防汛抗旱抓在前头。\n")
    quoted = quoted_for(own, "2026年是哪两个规划的收官之年？")
    # The two problems are a list of two, as asked, but name no 规划: the sentence that does is quoted.
    assert quoted[:2] == ["今年的困难主要有两个：一是资金紧张。", "二是人手不足。"]
    assert any("收官之年" in text for text in quoted[2:])
    # A list whose items name the subject answers alone.
    assert quoted_for(own, "今年的困难主要有哪两个？") == [
        "今年的困难主要有两个：一是资金紧张。", "二是人手不足。"]


def test_a_question_asking_figures_of_a_point_is_quoted_the_point_on_to_its_figures(tmp_path):
    own = _searcher_over(
        tmp_path, "在公司例会上的讲话\n同志们：\n当前的困难主要有三个。\n1、订单不足，开工率低。"
        "市场需求疲软，客户观望情绪浓厚。同行压价竞争激烈。价格战让利润越来越薄。截至三月底，在手订单12亿元。"
        "其中海外订单3亿元。其余是国内订单。\n2、融资难，资金周转困难。银行收紧贷款。\n")
    quoted = quoted_for(own, "订单不足那一条里讲了哪些订单数字？")
    # The point's own number is no figure: its figures come, with what goes on from them.
    assert "截至三月底，在手订单12亿元。" in quoted and "其中海外订单3亿元。" in quoted
    assert "其余是国内订单。" in quoted and not any("银行" in text for text in quoted)


def test_items_set_after_their_shared_subject_under_a_heading_line_answer_a_question_naming_it(tmp_path):
    assert item_marker("为此，各科室一要摸清底数。") == ("yao", 1)
    assert item_marker("我们一是要加强学习。") == ("shi", 1)
    assert item_marker("思想统一是前提。") is None and item_marker("各部门统一要求。") is None
    own = _searcher_over(
        tmp_path, "在全市统计工作会议上的讲话\n同志们：\n一、充分认识统计工作的重要性\n"
        "统计数据是宏观决策的基础，是制定规划、评估政策、检验工作成效的重要依据。\n"
        "守住数据质量生命线，为科学决策服务\n"
        "数据质量是统计工作的生命。为此，各区县统计局一要摸清底数，做到应统尽统。"
        "二要严把审核关口，防止虚报瞒报。三要依法依规统计。\n"
        "二、加强统计队伍建设\n要配齐配强基层统计人员，稳定队伍，提高业务能力，保证统计工作正常开展。\n")
    query = "讲守住数据质量、为科学决策服务时提了哪几条要求？"
    quoted = [e.text for e in answer_evidence(own, query, candidates(own, query))]
    assert quoted[:3] == ["为此，各区县统计局一要摸清底数，做到应统尽统。", "二要严把审核关口，防止虚报瞒报。",
                          "三要依法依规统计。"]


def test_a_list_question_quotes_every_item_of_the_list_in_order(searcher):
    query = "信息工作要把握哪十个要求？"
    quoted = answer_evidence(searcher, query, candidates(searcher, query))
    assert [e.text[:2] for e in quoted] == [f"{n}是" for n in "一二三四五六七八九十"]
    assert quoted[-1].text == "十是要小。"
    request = resolve("培训班上的讲话提了哪几点要求？", searcher)
    found = candidates(searcher, request.query, request.speech_ids)
    assert [e.text for e in answer_evidence(searcher, request.query, found, request.speech_ids)] == [
        "一要坚守信念，忠诚为先。", "二要胸怀大局，服务发展。", "三要勇于担当，恪尽职守。",
        "四要淡泊名利，甘于奉献。", "五要严于自律，清白做人。"]


def test_a_lead_in_announcing_the_count_of_the_thing_asked_is_told():
    from rag.write.evidence import _announces
    assert _announces("下面，我就做好今年的工作讲三点意见", "意见", 3)
    assert _announces("借此机会，提四条具体要求", "要求", 4)
    assert not _announces("下面，我讲几点个人意见", "意见", 3)
    assert not _announces("要提高三种能力", "意见", 3)


@pytest.mark.models
def test_a_list_its_lead_in_announces_as_asked_answers_before_other_lists_of_as_many_items(real_index):
    from rag.search.hybrid import open_searcher

    searcher = open_searcher(*real_index)
    # The speech's five headings, announced 我讲五点意见, not a list of five 是 inside one of them.
    request = resolve("县里那篇讲话里讲的五点意见分别是什么？", searcher)
    found = candidates(searcher, request.query, request.speech_ids)
    quoted = answer_evidence(searcher, request.query, found, request.speech_ids)
    assert [e.text[:2] for e in quoted] == ["一、", "二、", "三、", "四、", "五、"]


def test_a_question_on_one_point_of_a_list_is_not_answered_with_the_whole_list(searcher):
    # 督查 is the third of the four 要 of a nested list, not what the list is about.
    request = resolve("《在全省文化系统办公室主任会议上的讲话》对督查提了什么要求？", searcher)
    found = candidates(searcher, request.query, request.speech_ids)
    assert list_evidence(searcher, request.query, found, request.speech_ids) == []


def test_a_which_question_in_words_of_its_own_gets_the_nearest_quotes_flagged_and_no_synthesis(real_index):
    from rag.errors import OffCorpus
    from rag.search.hybrid import open_searcher

    settings, _ = real_index
    searcher = open_searcher(*real_index)
    generator = ReplyList()  # never asked: there is nothing to sum up
    # The corpus tells the story of the message to Garcia in words this question does not use.
    result = answer(settings, searcher, generator, "哪篇讲话讲过一个人穿过丛林把总统的信交到将军手里的故事？")
    assert NEAREST_NOTE in result.draft.notes and not result.draft.text and generator.temperatures == []
    assert 1 <= len(result.evidence) <= NEAREST_SENTENCES and any("加西亚" in e.text for e in result.evidence)
    # A question off the corpus that does not ask which speech said it is turned away as before.
    with pytest.raises(OffCorpus):
        answer(settings, searcher, generator, "红烧肉怎么做才好吃？")


def test_a_follow_up_in_the_corpus_words_is_not_judged_again_a_new_subject_is(searcher):
    first = resolve("县里那篇讲话怎么讲信息工作？", searcher)
    context = Context(first.query, [], first.speech_ids, [])
    follow = resolve("那具体到眼下，督查怎么搞？", searcher, context)
    assert follow.speech_ids == first.speech_ids and follow.judged is None
    assert resolve("那红烧肉呢？", searcher, context).judged == ""
    # 后面…… goes on from the question before, in the speech it asked of.
    assert resolve("后面还举了哪个例子？", searcher, context).speech_ids == first.speech_ids


def test_a_follow_up_asking_what_comes_after_looks_on_from_the_last_quote(searcher):
    index = searcher.index
    quoted = literal_evidence(index.chunks, PHRASE)
    speech = quoted[0].speech_id
    context = Context(PHRASE, [PHRASE], None, [e for e in quoted if e.speech_id == speech])
    follow = resolve("后面还举了哪个例子？", searcher, context)
    assert follow.after is context.evidence[-1]
    # Every opener that looks on from the quote makes a follow-up, 呢 or not.
    for opener in ("后边", "接着", "接下来", "然后", "再往后"):
        assert resolve(f"{opener}还举了哪个例子？", searcher, context).after is context.evidence[-1], opener
    # Asked without 后面, nothing is looked after; of evidence from more than one speech, only when
    # one quote scored best (a literal phrase's quotes all score alike), from that quote on.
    assert resolve("还举了哪个例子？", searcher, context).after is None
    assert len({e.speech_id for e in quoted}) > 1
    assert resolve("后面还举了哪个例子？", searcher, Context(PHRASE, [PHRASE], None, quoted)).after is None
    scored = [replace(e, score=0.9 if e is quoted[1] else 0.5) for e in quoted]
    assert resolve("后面还举了哪个例子？", searcher, Context(PHRASE, [PHRASE], None, scored)).after is scored[1]
    start = next(c.ordinal for c in index.chunks if c.chunk_id == follow.after.chunk_id)
    passages = [Passage(c, 1.0) for c in index.chunks]
    kept = passages_after(index, passages, follow.after)
    assert kept and all(p.chunk.speech_id == speech and p.chunk.ordinal >= start for p in kept)
    assert len(kept) < len(passages)
    found, _ = gather(searcher, follow)
    assert found and {e.speech_id for e in found} == {speech}


def test_follow_ups_are_read_with_the_question_before(searcher):
    first = resolve("督查工作有哪些要求？", searcher)
    assert first.speech_ids is None and first.focus is None
    items = literal_evidence(searcher.index.chunks, PHRASE)
    context = Context(first.query, [], None, items)
    county = resolve("那县里的讲话呢？", searcher, context)
    assert county.query == first.query and county.speech_ids == named_speeches("县里的讲话", searcher.index)
    second = resolve("第二条具体怎么说的？", searcher, context)
    assert second.focus is items[1]
    # Items are counted by what they are: 第二种 (意识), 第一类, 第二方面.
    assert resolve("第二种具体怎么说的？", searcher, context).focus is items[1]
    assert resolve("第一方面呢？", searcher, context).focus is items[0]
    other = resolve("那信息工作呢？", searcher, context)
    assert other.query == "信息工作"
    # Naming a speech and asking nothing of its own asks the question before of that speech.
    named = resolve("培训班上的讲话具体是怎么讲的？", searcher, context)
    assert named.query == first.query and named.speech_ids == named_speeches("培训班上的讲话", searcher.index)
    assert resolve("培训班上的讲话具体是怎么讲的？", searcher).query != first.query


def test_an_ordinal_follow_up_reads_the_first_quoted_list_that_has_that_item(searcher):
    # 1、…4、 lead into a list of ten: 第八个 is 八是…, not the eighth quote nor a fourth-of-four.
    numerals = "一二三四五六七八九十"
    texts = [f"{i}、要把第{i}件事做好。" for i in range(1, 5)]
    texts += [f"{numerals[i]}是第{i + 1}个要求要落实。" for i in range(10)]
    quotes = [Evidence(t, f"c{i}", "s1", "t", "", "f", n=i + 1) for i, t in enumerate(texts)]
    context = Context("信息工作要求", [], None, quotes)
    assert resolve("其中第八个“要”具体是怎么说的？", searcher, context).focus.text == "八是第8个要求要落实。"
    assert resolve("第二条具体怎么说的？", searcher, context).focus.text == "2、要把第2件事做好。"


def test_an_ordinal_follow_up_naming_what_it_counts_reads_that_list_on_past_the_quotes(tmp_path):
    # 第三种精神: the quotes hold 三是 of a list of abilities and the first two items of a list of
    # spirits; the third spirit comes from the speech, not the third ability.
    searcher = _searcher_over(
        tmp_path, "在全市机关作风建设会议上的讲话\n同志们：\n要提高三种能力。一是学习能力，学而不厌。二是执行能力，"
        "说了就办。三是创新能力，敢闯敢试。\n要发扬三种精神。一是“螺丝钉”精神，干一行爱一行。"
        "二是“老黄牛”精神，埋头苦干。三是“孺子牛”精神，甘于服务群众。\n")
    index = searcher.index

    def quote(text: str) -> Evidence:
        chunk = next(c for c in index.chunks if text in c.text)
        return Evidence(text, chunk.chunk_id, chunk.speech_id, chunk.title, "", "f")

    quotes = [quote("三是创新能力，敢闯敢试。"), quote("一是“螺丝钉”精神，干一行爱一行。"),
              quote("二是“老黄牛”精神，埋头苦干。")]
    context = Context("要发扬哪几种精神", [], None, quotes)
    assert resolve("那第三种精神具体是什么意思？", searcher, context).focus.text == "三是“孺子牛”精神，甘于服务群众。"
    assert resolve("第三条具体怎么说的？", searcher, context).focus.text == "三是创新能力，敢闯敢试。"


def test_a_point_asked_for_is_quoted_from_its_opening_up_to_the_next_point(tmp_path):
    from conftest import HashEmbedder

    from rag.settings import load_settings
    from rag.write.evidence import passage_evidence, point_evidence

    (tmp_path / "talk.txt").write_text(
        "在全市信息工作会议上的讲话\n同志们：\n信息工作要把握三点。一是选题要准，紧扣中心工作。"
        "二是报送要快，时效就是价值。三是文字要精，一事一报。\n", "utf-8")
    settings = load_settings(home=tmp_path / "home", index=tmp_path / "index")
    ingest([tmp_path / "talk.txt"], settings, progress=False, embedder=HashEmbedder())
    index = CorpusIndex.open(settings.index_dir)
    chunk = next(c for c in index.chunks if "二是报送要快" in c.text)
    quote = Evidence("二是报送要快，时效就是价值。", chunk.chunk_id, chunk.speech_id, chunk.title, "", "f")
    assert [e.text for e in point_evidence(index, quote)] == ["二是报送要快，时效就是价值。"]
    opening = Evidence("信息工作要把握三点。", chunk.chunk_id, chunk.speech_id, chunk.title, "", "f")
    assert point_evidence(index, opening) == passage_evidence(index, chunk.chunk_id)


def test_the_prompt_holds_no_answer_shaped_text(searcher):
    settings = searcher.settings
    items = literal_evidence(searcher.index.chunks, PHRASE)
    for n, item in enumerate(items, start=1):
        item.n = n
    messages = synthesis_messages(settings, items, "哪些讲话用了这句话？", 120)
    prompt = "\n".join(m["content"] for m in messages)
    assert not SLOT.search(prompt) and "待填" not in prompt and "例如" not in prompt
    assert all(f"[{e.n}]《{e.title}》{e.text}" in prompt for e in items)


def gate(sources, shown):
    return SentenceGate(CopyIndex(["请只依据上面的原句，用两三句话归纳回答问题"]), sources, shown.append)


def test_a_sentence_echoing_the_prompt_stops_the_reply():
    shown = []
    g = gate(["要加强督查落实。"], shown)
    g("三篇讲话都要求加强督查落实[1]。")
    with pytest.raises(EchoedPrompt):
        g("请只依据上面的原句归纳回答问题。")
    assert g.echoed and shown == ["三篇讲话都要求加强督查落实。"]
    with pytest.raises(EchoedPrompt):
        gate([], []).__call__("【待填：篇名】要加强督查。")


def test_sentences_with_specifics_or_quotes_the_sources_lack_are_left_out():
    shown = []
    g = gate(["全年共印发《易门信息》27期185条。"], shown)
    g("全年印发信息27期。全年印发信息30期。讲话称之为“兵头将尾”。")
    g.close()
    assert shown == ["全年印发信息27期。"] and len(g.dropped) == 2
    assert misquoted("讲话说“身在兵职”。", ["要“身在兵位，胸为帅谋”。"])
    assert not misquoted("讲话说“身在兵位”。", ["要“身在兵位，胸为帅谋”。"])


def test_sentences_about_the_quotes_rather_than_their_content_are_not_shown():
    shown = []
    g = gate(["要加强督查落实。"], shown)
    g("两篇讲话都要求加强督查落实。这两句都依据了原句中的编号。")
    g.close()
    assert shown == ["两篇讲话都要求加强督查落实。"] and g.dropped == []


def test_a_sentence_saying_one_quote_again_in_swapped_words_is_not_shown():
    shown = []
    quote = "各级办公室处于中枢位置，必须把规矩的标尺立得更高一点、卡得更严一些。"
    title = "在全市秘书长会议上的讲话"
    g = SentenceGate(CopyIndex(["提示词"]), [quote], shown.append, "", [title])
    # The copy bound made the model swap a word; the quote itself is on screen above.
    g("各级办公室处于中枢位置，必须把规矩的对标尺立得更高一点，卡得更严一些。")
    g("讲话要求办公室对自己从严要求，标准高于一般部门。")
    # A speech named without 《》 answers "which speech": a title is not a quote said again.
    g("在全市秘书长会议上的讲话。")
    g.close()
    assert shown == ["讲话要求办公室对自己从严要求，标准高于一般部门。", "在全市秘书长会议上的讲话。"]
    assert g.dropped == []


def test_a_sentence_naming_one_speech_over_and_over_is_not_shown():
    shown = []
    county, office = "在全县办公室主任会议上讲话", "在办公室主任会议上的讲话"
    # Two speeches bear the second title: naming it twice names both.
    g = SentenceGate(CopyIndex(["提示词"]), ["要当好智囊团。"], shown.append, "", [county, office, office])
    g(f"《{county}》、《{county}》、《{county}》。")
    g(f"《{county}》、《{office}》和《{office}》都用了“智囊团”。")
    g.close()
    assert shown == [f"《{county}》、《{office}》和《{office}》都用了“智囊团”。"] and g.dropped == []


def test_a_stop_inside_a_speech_title_does_not_end_the_sentence():
    # An untitled speech is labelled by its opening words, cut off with …; the model names it so.
    label = "（无标题）刚才，传达学习了全国、全省、全州党委和政府秘书长…"
    sentence = f"《在全县办公室主任会议上讲话》和《{label}》都用了“多面手”。"
    shown = []
    g = SentenceGate(CopyIndex(["提示词"]), ["要做多面手。"], shown.append, "", [label, "在全县办公室主任会议上讲话"])
    for piece in (sentence[:40], sentence[40:], "两篇都要求做多面手。"):
        g(piece)
    g.close()
    assert shown == [sentence, "两篇都要求做多面手。"]
    assert [u.text for u in split_draft(sentence + "下一句讲别的事情。")] == [sentence, "下一句讲别的事情。"]
    # A 《 left open is a stray mark: the sentences after it still end.
    assert split_sentences("还有《未闭合。" + "后面的话很长" * 12 + "。结束。")[-1] == "结束。"


def test_evidence_comes_before_the_synthesis_and_its_citations_are_the_quotes_numbers(searcher):
    events = []
    generator = ReplyList("三篇讲话都用了这句话，要求办公室人员站在全局思考问题[2]。")
    result = answer(searcher.settings, searcher, generator, f"哪些讲话用了“{PHRASE}”？",
                    on_evidence=lambda items: events.append(("evidence", len(items))),
                    on_token=lambda piece: events.append(("token", piece)))
    assert events[0] == ("evidence", 3) and all(kind == "token" for kind, _ in events[1:])
    assert [e.n for e in result.evidence] == [1, 2, 3]
    assert result.draft.text and result.draft.timings["evidence"] <= result.draft.timings["total"]
    for sentence in result.draft.sentences:
        assert set(sentence.citations) <= {1, 2, 3}
    assert [c.n for c in result.draft.citations] == sorted({n for s in result.draft.sentences
                                                            for n in s.citations})


def test_an_echoing_reply_is_written_once_more_then_dropped(searcher):
    echo = "请只依据上面的原句，用两三句话归纳回答问题。"
    generator = ReplyList(echo, echo)
    result = answer(searcher.settings, searcher, generator, f"哪些讲话用了“{PHRASE}”？")
    assert generator.temperatures == [0.3, 0.7]
    assert result.draft.text == "" and ECHO_NOTE in result.draft.notes and len(result.evidence) == 3
    assert template_text(searcher.settings)


def test_the_chat_shows_quotes_with_citations_that_open_their_source(searcher):
    generator = ReplyList("三篇讲话都用了这句话[1]。")
    result = answer(searcher.settings, searcher, generator, f"哪些讲话用了“{PHRASE}”？")
    turn = AskTurn(f"哪些讲话用了“{PHRASE}”？", answer=result)
    page = transcript_html([turn])
    assert page.index("原文摘录") < page.index("归纳")
    assert page.count('<blockquote class="quote">「') == 3
    targets = set(re.findall(r'data-target="([^"]+)"', page))
    sources = sources_view([turn])
    assert targets and all(f'id="{t}"' in sources for t in targets)


def test_cli_prints_the_quotes_grouped_by_speech_then_the_synthesis(searcher, capsys, monkeypatch):
    import rag.cli.ask as cli

    generator = ReplyList("三篇讲话都用了这句话[1]。", "三篇讲话都用了这句话[1]。")
    monkeypatch.setattr(cli, "load", lambda settings, *prompt: (generator, searcher))
    index = ["--index", str(searcher.settings.index_dir)]
    assert main(["ask", f"哪些讲话用了“{PHRASE}”？", *index]) == 0
    out = capsys.readouterr().out
    assert out.index("原文摘录") < out.index("归纳：") and out.count("「") == 3
    assert main(["ask", f"哪些讲话用了“{PHRASE}”？", "--json", *index]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["evidence"]) == 3 and payload["text"]


def test_a_list_quoted_whole_gets_no_synthesis(real_index):
    from rag.search.hybrid import open_searcher

    settings, _ = real_index
    generator = ReplyList()  # never asked: the list is the answer
    result = answer(settings, open_searcher(*real_index), generator, "培训班上的讲话提了哪几点要求？")
    assert [e.text[:2] for e in result.evidence] == ["一要", "二要", "三要", "四要", "五要"]
    assert not result.draft.text and generator.temperatures == []


def test_cli_says_the_synthesis_was_left_out_when_every_sentence_of_it_was(searcher, capsys, monkeypatch):
    import rag.cli.ask as cli

    # A count the quotes do not give is an invented specific: the only sentence goes.
    generator = ReplyList("共有5篇讲话用了这句话[1]。", "共有5篇讲话用了这句话[1]。")
    monkeypatch.setattr(cli, "load", lambda settings, *prompt: (generator, searcher))
    assert main(["ask", f"哪些讲话用了“{PHRASE}”？", "--index", str(searcher.settings.index_dir)]) == 0
    captured = capsys.readouterr()
    assert "归纳：（略）\n" in captured.out and "共有5篇" in captured.err


@pytest.mark.models
def test_the_bundled_model_adds_a_synthesis_that_echoes_nothing(real_index):
    from rag.llm.generate import generator_for
    from rag.search.hybrid import open_searcher

    settings, embedder = real_index
    searcher = open_searcher(settings, embedder)
    shown = []
    result = answer(settings, searcher, generator_for(settings), f"哪些讲话用了“{PHRASE}”？", 80,
                    on_evidence=shown.append)
    assert len(shown) == 1 and len(result.evidence) == 3
    text = result.draft.text
    template = CopyIndex(template_text(settings))
    assert not SLOT.search(text) and template.longest_copied_run(text)[0] < 8
    assert not invented_specifics(text, [e.text for e in result.evidence])
    assert text or ECHO_NOTE in result.draft.notes


def test_a_speech_named_by_the_meeting_it_relays_and_its_level_is_the_one_with_both(searcher):
    index = searcher.index
    assert titles_named("传达全国秘书长会议精神的那篇县里讲话怎么讲服务群众？", index) == [
        "（无标题）刚才，传达学习了全国、全省、全州党委和政府秘书长…"]
    # Joined by 和, two namings stay two speeches.
    assert len(titles_named("县里那篇和培训班上的讲话怎么讲服务群众？", index)) >= 2


def test_a_qualifier_before_a_meeting_many_titles_share_names_the_speech(searcher):
    # 区政府 names one speech, 那次办公室主任会上的讲话 another: the qualifier says which meeting.
    assert titles_named("区政府那次办公室主任会上的讲话，头一个问题讲的是什么？", searcher.index) == [
        "在全区政府系统办公室主任会议上的讲话"]


def test_the_clause_before_which_speech_names_no_speech():
    speeches = {"a": "重要的是抓落实。", "b": "关键的是转作风。", "c": "要把信息科当作总开关。"}
    index = SimpleNamespace(
        folder=Path(f"tiny-{next(_tiny_indexes)}"),
        speeches=[{"speech_id": sid, "title": f"在第{sid}次会议上的讲话", "title_derived": False}
                  for sid in speeches],
        chunks=[Chunk(f"{sid}-1", sid, f"在第{sid}次会议上的讲话", f"{sid}.txt", [], text, 1)
                for sid, text in speeches.items()])
    # ……的是哪篇讲话: 的是 ends the clause before and 哪篇 asks, though two texts hold 的是.
    assert named_speeches("把信息科比作“总开关”的是哪篇讲话？", index) is None


def test_a_quoted_phrase_in_a_section_heading_is_listed_too():
    index = tiny_index(
        (["第二，遵照规范，才能使工作井然有序"], "办公室所处的地位，决定了工作的严肃性。"),
        (["第二，遵照规范，才能使工作井然有序", "一要强化规则意识"], "一要强化规则意识。各项工作要井然有序。"))
    found = literal_evidence(index.chunks, "井然有序")
    assert [e.text for e in found] == ["第二，遵照规范，才能使工作井然有序", "各项工作要井然有序。"]


def test_a_quoted_phrase_with_an_ellipsis_is_its_parts_in_order():
    index = tiny_index(([], "刚才，传达学习了全省宣传部长会议精神。会议精神要落实。"),
                       ([], "刚才大家都发了言。"))
    found = literal_evidence(index.chunks, "刚才，传达学习了……会议精神")
    assert [e.text for e in found] == ["刚才，传达学习了全省宣传部长会议精神。"]
    assert literal_evidence(index.chunks, "会议精神……刚才") == []


def test_a_title_written_without_its_leading_quan_names_its_speech(searcher):
    assert titles_named("区政府系统办公室主任会议怎么讲信息工作？", searcher.index) == [
        "在全区政府系统办公室主任会议上的讲话"]


def test_a_meeting_named_in_short_names_the_speech_that_holds_or_relays_it():
    speeches = {
        "a": ("在全市信息工作会议上的讲话", "同志们：今天召开全市信息工作会议。全市信息工作有了新进展。"),
        "b": ("", "刚才，传达学习了全国、全省、全市党委和政府宣传部长会议精神。全县宣传工作要抓好，全县上下要齐心。"),
        "c": ("", "刚才，传达学习了全国党委宣传部长会议精神。全省宣传系统要抓好落实，全省各地要行动。"),
        "d": ("在网信办主任会议上的讲话", "同志们：今天召开全市宣传部长、网信办主任会议。"),
        "e": ("在网信办主任会议上的讲话", "同志们：今天召开网信办主任会议，总结上半年工作。"),
        "f": ("在例会上的讲话", "同志们：这次例会放到建材制品公司来开，就是要看看一线。"),
    }
    index = SimpleNamespace(
        folder=Path(f"tiny-{next(_tiny_indexes)}"),
        speeches=[{"speech_id": sid, "title": title or text[:20], "title_derived": not title}
                  for sid, (title, text) in speeches.items()],
        chunks=[Chunk(f"{sid}-1", sid, title or text[:20], f"{sid}.txt", [], text, 1)
                for sid, (title, text) in speeches.items()])
    # 、 and 和 inside the relayed meeting list its levels, not speeches; 县里 says the level.
    assert named_speeches("传达国、省、市三级宣传部长会议精神的县里讲话怎么讲舆论？", index) == {"b"}
    assert named_speeches("县里传达三级宣传部长会议的那篇怎么讲舆论？", index) == {"b"}
    # Both openings hold every letter of 全国党委宣传部长会议: the words tell which one relays it.
    assert named_speeches("传达全国党委宣传部长会议精神的那篇怎么讲舆论？", index) == {"c"}
    # The 、 of a meeting an opening names lists who meets: one speech, though a title is in it.
    assert named_speeches("全市宣传部长、网信办主任会议那篇怎么讲舆论？", index) == {"d"}
    assert named_speeches("网信办主任会议那篇怎么讲舆论？", index) == {"d", "e"}
    # 全省 in the relayed meeting is its level, not the speech's: 县里 is.
    assert named_speeches("传达全国、全省、全市三级宣传部长会议精神的那篇县里讲话怎么讲舆论？", index) == {"b"}
    # The phrase as typed is in no text; the noun in it fewest speeches hold is (制品).
    assert named_speeches("放到制品公司开的那次会上怎么讲安全？", index) == {"f"}


def test_a_speech_named_by_how_it_opens_is_named_and_its_quote_is_not_searched_for():
    from rag.search.speech_names import naming_quotes
    speeches = {
        "a": "刚才，传达学习了全省宣传部长会议精神。下面讲三点意见。",
        "b": "同志们：今天召开全市宣传工作会议。刚才，传达学习了全省宣传部长会议精神，要抓落实。",
        "c": "同志们：这次会议开得很及时。",
    }
    index = SimpleNamespace(
        folder=Path(f"tiny-{next(_tiny_indexes)}"),
        speeches=[{"speech_id": sid, "title": text[:20], "title_derived": True} for sid, text in speeches.items()],
        chunks=[Chunk(f"{sid}-1", sid, text[:20], f"{sid}.txt", [], text, 1) for sid, text in speeches.items()])
    question = "那篇以“刚才，传达学习了……会议精神”开头的讲话讲了几点意见？"
    # b holds the quote too, but not where it opens.
    assert named_speeches(question, index) == {"a"}
    assert naming_quotes(question, index) == ["刚才，传达学习了……会议精神"]
    assert named_speeches("开头是“这次会议开得很及时”的那篇怎么讲的？", index) == {"c"}
    # The words naming it go with the quote, and what is asked stays whole.
    assert core_text(without_speech_names(question, index)) == "讲了几点意见"
    assert core_text(without_speech_names("开头是“这次会议开得很及时”的那篇，正文怎么讲的？", index)) == "正文怎么讲的"
    assert naming_quotes("哪些讲话用了“刚才”？", index) == []


def test_a_speech_named_by_words_it_says_is_the_one_holding_them():
    from rag.search.speech_names import naming_quotes
    speeches = {
        "a": ("在全市宣传部长会议上的讲话", "同志们：要守好阵地。要做到“管得住、用得好、传得开”。"),
        "b": ("在全市网信工作会议上的讲话", "同志们：要守好阵地，讲好故事。"),
        "c": ("在全县宣传工作会议上的讲话", "同志们：也要做到“管得住、用得好、传得开”。"),
    }
    index = SimpleNamespace(
        folder=Path(f"tiny-{next(_tiny_indexes)}"),
        speeches=[{"speech_id": sid, "title": title, "title_derived": False} for sid, (title, _) in speeches.items()],
        chunks=[Chunk(f"{sid}-1", sid, title, f"{sid}.txt", [], text, 1)
                for sid, (title, text) in speeches.items()])
    question = "讲“管得住、用得好、传得开”的那篇市里讲话，怎么讲守阵地？"
    # Both speeches holding the words, and of them the one 市里 names.
    assert named_speeches(question, index) == {"a"}
    assert naming_quotes(question, index) == ["管得住、用得好、传得开"]
    assert core_text(without_speech_names(question, index)) == "怎么讲守阵地"
    # Asked where words stand, no speech is named by them; nor by words no speech holds.
    assert naming_quotes("哪些讲话用了“管得住、用得好、传得开”？", index) == []
    assert naming_quotes("讲“管得好”的那篇怎么讲守阵地？", index) == []
    # Words no speech holds still stand where a name does: they are not what is asked about.
    assert core_text(without_speech_names("讲“管得好”的那篇市里讲话，怎么讲守阵地？", index)) == "怎么讲守阵地"


def test_two_names_joined_by_he_are_two_speeches_not_a_qualifier_and_a_name():
    speeches = {
        "x": ("在办公室例会上的讲话", "同志们：这次例会放到建材集团来开。"),
        "y": ("在全区信息工作会议上的讲话", "同志们：今天召开全区信息工作会议。"),
    }
    index = SimpleNamespace(
        folder=Path(f"tiny-{next(_tiny_indexes)}"),
        speeches=[{"speech_id": sid, "title": title, "title_derived": False}
                  for sid, (title, _) in speeches.items()],
        chunks=[Chunk(f"{sid}-1", sid, title, f"{sid}.txt", [], text, 1)
                for sid, (title, text) in speeches.items()])
    question = "建材集团办公室例会和全区信息工作会议，对安全各怎么要求？"
    assert named_speeches(question, index) == {"x", "y"}
    assert "对安全各怎么要求" in without_speech_names(question, index)


def test_a_question_asking_of_a_speech_s_opening_or_close_is_read_so():
    from rag.write.evidence import _in_part, speech_part
    assert speech_part("那篇讲话，开头怎么讲形势？") == "opening"
    assert speech_part("培训班上的讲话最后用哪几句话共勉？") == "closing"
    # 最后 of what happens, not of a speech: no part asked.
    assert speech_part("哪些讲话说杂活最后都压到办公室身上？") == ""
    index = tiny_index(*[([], f"第{n}段。") for n in range(1, 9)])
    placed = [[_in_part(index, chunk, part) for chunk in index.chunks] for part in ("opening", "closing")]
    assert placed == [[True, True] + [False] * 6, [False] * 6 + [True, True]]
    one = tiny_index(([], "只有一段。"))
    assert _in_part(one, one.chunks[0], "opening") and _in_part(one, one.chunks[0], "closing")


def test_a_quote_that_only_announces_or_heads_brings_the_sentence_after_it():
    index = tiny_index(([], "今年的主要目标如下：\n产值增长百分之八。\n一季度生产情况。年计划十二亿。"
                             "三月底完成二点五亿，占年计划百分之二十。二季度要加快进度。"))
    chunk = index.chunks[0]
    items = [Evidence(s, chunk.chunk_id, "s", chunk.title, "", chunk.source)
             for s in ("今年的主要目标如下：", "一季度生产情况。")]
    # A heading's notes come up to the first full sentence (年计划十二亿。 is a note too).
    assert [e.text for e in with_what_follows(items, index)] == [
        "今年的主要目标如下：", "产值增长百分之八。", "一季度生产情况。", "年计划十二亿。",
        "三月底完成二点五亿，占年计划百分之二十。"]
    index = tiny_index(([], "主要经营指标如下：\n新签合同额：90亿元\n营业收入：70亿元\n利润总额：1.6亿元\n要抓好落实。"))
    chunk = index.chunks[0]
    items = [Evidence("主要经营指标如下：", chunk.chunk_id, "s", chunk.title, "", chunk.source)]
    assert [e.text for e in with_what_follows(items, index)][1:] == [
        "新签合同额：90亿元", "营业收入：70亿元", "利润总额：1.6亿元"]



def test_a_phrase_standing_as_a_point_s_heading_is_quoted_once_with_what_the_point_says():
    index = tiny_index((["六是内容要实"], "六是内容要实。这是简报的基本要求，要写实事、报实情。七是反映要快。"))
    found = literal_evidence(index.chunks, "内容要实")
    # The heading the passage opens with is one occurrence, not two.
    assert [e.text for e in found] == ["六是内容要实"]
    assert [e.text for e in with_what_follows(found, index)] == ["六是内容要实", "这是简报的基本要求，要写实事、报实情。"]


def test_a_sentence_ending_by_opening_a_point_brings_what_the_point_says():
    index = tiny_index(([], "接待工作头绪多，要做好这项工作，一要细致。每个环节都要提前想到、逐项落实，不留死角。二要热情。"))
    chunk = index.chunks[0]
    item = Evidence("接待工作头绪多，要做好这项工作，一要细致。", chunk.chunk_id, "s", chunk.title, "", chunk.source)
    assert [e.text for e in with_what_follows([item], index)][1:] == ["每个环节都要提前想到、逐项落实，不留死角。"]
    # A long last clause is not a point's heading.
    item = Evidence("每个环节都要提前想到、逐项落实，不留死角。", chunk.chunk_id, "s", chunk.title, "", chunk.source)
    assert len(with_what_follows([item], index)) == 1


def test_a_quoted_total_brings_its_parts_and_a_quoted_part_its_total():
    index = tiny_index(([], "全年完成固定资产投资四十二亿元，同比增长百分之九。其中工业投资二十六亿元，占六成以上。"
                             "其余主要投向城市基础设施和民生项目。明年要继续扩大有效投资。"))
    chunk = index.chunks[0]

    def quoted(sentence: str) -> list[str]:
        item = Evidence(sentence, chunk.chunk_id, "s", chunk.title, "", chunk.source)
        return [e.text for e in with_what_follows([item], index)]

    parts = ["其中工业投资二十六亿元，占六成以上。", "其余主要投向城市基础设施和民生项目。"]
    assert quoted("全年完成固定资产投资四十二亿元，同比增长百分之九。")[1:] == parts
    # Quoted alone, a part says nothing of what it is a part of: the total comes before it.
    assert quoted(parts[0]) == ["全年完成固定资产投资四十二亿元，同比增长百分之九。", *parts]
    # A sentence that goes on to something new brings nothing.
    assert quoted("明年要继续扩大有效投资。") == ["明年要继续扩大有效投资。"]


def test_a_quoted_story_brings_the_lesson_drawn_from_it_and_the_lesson_its_story():
    story = "有位老农每天清晨去地里转一圈，哪怕只拔几棵草，几十年下来他家的庄稼总是最好。"
    lesson = "这个小故事告诉我们，功夫在平时，工作要天天抓、时时抓。"
    index = tiny_index(([], story + lesson + "下面我讲第二个问题。"))
    chunk = index.chunks[0]

    def quoted(sentence: str) -> list[str]:
        item = Evidence(sentence, chunk.chunk_id, "s", chunk.title, "", chunk.source)
        return [e.text for e in with_what_follows([item], index)]

    assert quoted(story) == [story, lesson]
    assert quoted(lesson) == [story, lesson]
    assert quoted("下面我讲第二个问题。") == ["下面我讲第二个问题。"]


def test_a_figure_in_chinese_numerals_with_what_it_counts_is_a_figure():
    from rag.write.evidence import FIGURE
    for sentence in ("我曾从事过十多年的办公室工作。", "全市新建三个示范点。", "培训两千余人。", "同比增长5%。"):
        assert FIGURE.search(sentence), sentence
    assert not FIGURE.search("一要提高认识，二要压实责任。")


def test_a_question_about_one_speech_is_answered_with_more_than_the_per_speech_share(searcher, monkeypatch):
    # Across speeches a few quotes each keep one speech from filling the list; asked of one
    # speech, all quotes are from it, and three would cut its answer short.
    alike = [Evidence(f"第{i}句讲办公室的作用。", f"c{i}", "s1", "t", "", "f", score=0.9) for i in range(8)]
    alike += [Evidence("另一篇讲话也讲了作用。", "c9", "s2", "t2", "", "f2", score=0.9)]
    assert Counter(e.speech_id for e in pick(alike)) == {"s1": MAX_PER_SPEECH, "s2": 1}
    assert len(pick(alike[:8], per_speech_cap=MAX_SENTENCES)) == MAX_SENTENCES
    # One passage gives two quotes, or four when the question names its speeches: there the
    # answer often fills one passage.
    one_passage = [replace(e, chunk_id="c0") for e in alike[:8]]
    assert len(pick(one_passage, per_speech_cap=MAX_SENTENCES)) == MAX_PER_CHUNK
    assert len(pick(one_passage, per_speech_cap=MAX_SENTENCES, per_chunk_cap=MAX_PER_CHUNK_NAMED)) == 4
    caps = []
    monkeypatch.setattr(evidence_module, "pick",
                        lambda scored, limit, cap, chunk_cap: caps.append((cap, chunk_cap)) or [])
    for question in ("培训班上的讲话怎么讲办公室的作用？", "县里那篇讲话怎么讲办公室的作用？", "哪些讲话讲了办公室的作用？"):
        request = resolve(question, searcher)
        answer_evidence(searcher, request.query, candidates(searcher, request.query, request.speech_ids),
                        request.speech_ids)
    assert caps == [(MAX_SENTENCES, MAX_PER_CHUNK_NAMED), (MAX_PER_SPEECH, MAX_PER_CHUNK_NAMED),
                    (MAX_PER_SPEECH, MAX_PER_CHUNK)]


def test_a_synthesis_numbering_items_the_quotes_do_not_number_loses_them():
    quotes = ["当好“四个表率”。", "一是做实干的表率。", "办公室任务繁重，需要我们默默无闻、任劳任怨、埋头苦干。"]
    gate = SentenceGate(CopyIndex(["提示词"]), quotes, None, "要当好哪四个表率？")
    gate("讲话要当好“四个表率”：一是做实干的表率；二是默默无闻、任劳任怨；三是埋头苦干。")
    gate.close()
    assert gate.text == "讲话要当好“四个表率”：一是做实干的表率；"
    assert gate.dropped == ["二是默默无闻、任劳任怨；", "三是埋头苦干。"]
    # 统一要求, 第一时间: not the number of an item.
    gate = SentenceGate(CopyIndex(["提示词"]), ["各单位要第一时间报送。"], None, "怎么报送？")
    gate("各单位统一要求第一时间报送。")
    gate.close()
    assert gate.kept and not gate.dropped


def test_a_synthesis_sentence_naming_one_speech_for_another_speechs_words_is_left_out():
    quotes = ["力争用三年时间培养一千名技术能手，让技术工人有尊严、有奔头。", "要严查医药购销领域的红包回扣。"]
    under = ["在集团公司经营工作会议上的讲话", "在卫生健康系统廉政会议上的讲话"]
    gate = SentenceGate(CopyIndex(["提示词"]), quotes, None, "哪篇讲话要培养技术能手？", under, under)
    gate("《在卫生健康系统廉政会议上的讲话》要培养一千名技术能手，让技术工人有奔头。")
    gate("《在集团公司经营工作会议上的讲话》要培养一千名技术能手，让技术工人有奔头。")
    gate.close()
    assert gate.text == "《在集团公司经营工作会议上的讲话》要培养一千名技术能手，让技术工人有奔头。"


def test_a_follow_up_naming_an_item_by_its_words_asks_for_that_point(searcher):
    # The item quoted before, or else one of the quoted speech's items, by the words named.
    speech = searcher.index.speeches[0]["speech_id"]
    items = [e for chunk in searcher.index.speech_chunks(speech)
             for e in passage_evidence(searcher.index, chunk.chunk_id) if item_marker(e.text)]
    item = items[-1]
    words = core_text(without_ordinal(item.text))[:8]
    question = f"其中{words}那一条具体怎么说的？"
    assert _named_item(question, [item], searcher.index) is item
    found = _named_item(question, [replace(items[0], text="这是上一回答引的另一句话。")], searcher.index)
    assert found is not None and found.text == item.text
    assert _named_item("那信息工作呢？", [item], searcher.index) is None


def test_a_synthesis_sentence_saying_the_question_back_is_left_out():
    question = "哪些讲话要求办公室在领导之间多做沟通，别让领导之间生出嫌隙？"
    assert restates("领导之间多做沟通，别让领导之间生出嫌隙。", question)
    assert restates("要在领导之间多做沟通。", question)
    # Naming the speech answers "which"; a figure or words of its own answer the question.
    assert not restates("《在办公室例会上的讲话》要求在领导之间多做沟通。", question)
    assert not restates("三冶集团新签合同额的目标是90亿元。", "三冶集团新签合同额的目标是多少？")
    assert not restates("要消除领导之间可能出现的误解，打通部门之间的隔阂。", question)
    # A long question said back with a few words put in says nothing more either; the answer to it
    # (who is held to account) does.
    long_question = "区政府系统那次会上讲办公室面临的新形势，说突发紧急的事情多了，对办公室人员有什么要求？"
    assert restates("区政府系统那次会上讲办公室面临的新形势，说突发紧急的事情多了，对办公室人员提出了更高的要求。",
                    long_question)
    assert not restates("易门那次会上讲信息迟报漏报，要追究有关信息人员、办公室主任和单位领导的责任。",
                        "易门那次会上讲信息迟报漏报，说要追究谁的责任？")
    gate = SentenceGate(CopyIndex(["提示词"]), ["要消除领导之间可能出现的误解。"], None, question)
    for piece in ("领导之间多做沟通，别让领导之间生出嫌隙。", "要消除领导之间可能出现的误解。"):
        gate(piece)
    assert gate.text == "要消除领导之间可能出现的误解。"


def test_a_counted_list_set_inside_one_sentence_is_quoted_whole():
    inline = ("在提升政治能力上提出“坚持绝对忠诚的政治品格、坚持高度自觉的大局意识、坚持极端负责的工作作风、"
              "坚持无怨无悔的奉献精神、坚持廉洁自律的道德操守”的“五个坚持”要求。")
    ending = "要在实践中增强本领，提高四种能力：即思谋能力，写作能力，协调能力，办事能力。"
    passages = [Passage(Chunk(str(i), "s", "t", "f", [], text, i), 1.0, i)
                for i, text in enumerate([ending, "坚持学习。" + inline])]
    (found,) = inline_list_evidence("县里那篇讲话里总书记提了哪五个坚持？", passages)
    assert found.text == inline
    # The count is the one before the word: 十条意见 does not ask for ten 坚持.
    assert [e.text for e in inline_list_evidence("讲话的十条意见里，哪五个坚持？", passages)] == [inline]
    # Items must open with the word counted: 能力 ends each of four items, there is no fifth.
    assert inline_list_evidence("提高哪五种能力？", passages) == []
    assert inline_list_evidence("提了哪些要求？", passages) == []


def test_between_sentences_scored_alike_the_one_in_the_passage_ranked_first_comes_first(searcher, monkeypatch):
    question = "怎样做好督查工作？"
    passages = searcher.search(question, k=CANDIDATE_CHUNKS)
    rank = {p.chunk.chunk_id: p.rank for p in passages}
    with_rank = {(e.chunk_id, e.text): e.score
                 for e in sentence_evidence(searcher, question, passages, limit=100)}
    monkeypatch.setattr(evidence_module, "PASSAGE_WEIGHT", 0.0)
    alone = sentence_evidence(searcher, question, passages, limit=100)
    shared = [e for e in alone if (e.chunk_id, e.text) in with_rank]
    assert shared and all(
        abs(with_rank[e.chunk_id, e.text] - e.score - PASSAGE_WEIGHT / rank[e.chunk_id] ** 0.5) < 1e-6
        for e in shared)


def test_a_quoted_name_in_a_question_that_asks_more_brings_the_answer_beside_its_occurrences(searcher):
    assert not asks_beyond("哪几篇讲话里出现过“雷厉风行”？", ["雷厉风行"])
    assert not asks_beyond("“排头兵”是哪篇讲话里的说法？", ["排头兵"])
    question = "三冶的“三五”规划里，到2015年资产总额和净资产分别要做到多少？"
    assert asks_beyond(question, ["三五"])
    request = resolve(question, searcher)
    occurrences = literal_evidence(searcher.index.chunks, "三五")
    found, _ = gather(searcher, request)
    listed = {(e.chunk_id, e.text) for e in found}
    assert {(e.chunk_id, e.text) for e in occurrences} < listed
    assert len(listed) == len(found)
