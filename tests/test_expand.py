"""`wengao expand` as a user runs it: bad input fails fast, a real model writes a cited section."""

import json

import pytest

from rag.cli import main
from rag.llm.copyblock import CopyBlock
from rag.settings import load_settings
from rag.types import Chunk, Passage
from rag.write.expand import (
    ExpandRequest,
    SupportCheck,
    in_order,
    section_body,
    strip_greeting,
    too_thin,
    trim_to_length,
    undoubled,
    unnumbered_point,
    without_asides,
    without_headings,
    without_repeats,
    write_paragraph,
    write_section,
)
from rag.write.plan import Paragraph, SourceSentence


def test_greetings_are_stripped_from_sections():
    assert strip_greeting("同志们：\n要把工作抓实。") == "要把工作抓实。"
    assert strip_greeting("尊敬的各位领导：大家好！要把工作抓实。") == "要把工作抓实。"
    assert strip_greeting("要把同志们团结起来。") == "要把同志们团结起来。"
    assert strip_greeting("各位领导，我们办公室的同志任劳任怨。") == "我们办公室的同志任劳任怨。"
    assert strip_greeting("各位同志要守住底线。") == "各位同志要守住底线。"


def test_a_section_stops_where_the_model_goes_on_to_the_next_point():
    reply = ("一要在参谋辅政上主动作为\n在区委办公室干部大会上的讲话\n\n一要在参谋辅政上主动作为\n\n"
             "首先，要建立沟通机制。\n其次，要提高专业素养。\n\n二要在服务大局上主动作为\n\n要加强政治学习。")
    assert section_body("一要在参谋辅政上主动作为", reply, "在区委办公室干部大会上的讲话") == (
        "首先，要建立沟通机制。\n其次，要提高专业素养。")
    # An unnumbered point: any top-level heading ends the section; sub-points stay.
    assert section_body("要抓好学习", "要抓好学习。要读原著。\n一是学理论。\n二、另一个要点\n正文") == (
        "要读原著。\n一是学理论。")


def test_a_section_ends_at_the_sentence_end_nearest_its_length():
    first, second = "要把督查落实摆在突出位置。" * 2, "对批示事项要跟踪问效。" + "件件有回音、事事有着落，不能一批了之。"
    assert trim_to_length([first, second], 40) == [first, "对批示事项要跟踪问效。"]
    assert trim_to_length([first, second], 26) == [first]
    assert trim_to_length([first, second], 200) == [first, second]  # short is left to the writer


def test_sentences_about_the_task_are_not_the_section():
    text = ("这一部分讲督查落实，这是它的第一段。今天我演讲的主题是督查。督查要盯住关键环节。"
            "好的，我明白了。各位领导、同事们，大家好！下面我将从三个方面谈谈体会。要件件有回音。"
            "请随时告诉我需要修改的地方。（以上内容约162字）以下是正文内容：要跟踪问效。"
            "当然，我可以帮助你完成这个任务。请提供之前的文字内容和我开始工作。请继续提供材料或用户输入。")
    assert without_asides(text) == "督查要盯住关键环节。要件件有回音。要跟踪问效。"


def test_a_section_does_not_open_or_close_the_meeting_nor_number_its_prose():
    text = ("值班要守住底线。本次座谈会在这里举行，目的是交流经验。我谈两点以下看法：1.要盯紧岗位。"
            "2、要及时报告。稍等，我会写出全文。约90字。在这一段里我讲了值班。让我们携起手来，再创佳绩！"
            "请听我讲一下交接班。今天，我在这里代表党政办公室，向大家汇报工作情况。"
            "我们相信，在大家的共同努力下，我们一定能够完成好本职工作！"
            "下面，结合个人体会，就做好值班工作谈谈两点意见。我今天在这里发言，想和大家谈谈值班。"
            "我们相信有在座各位的共同努力和支持，我们的办公室一定能够取得新的成绩。"
            "今天，我将对当前工作纪律问题进行严肃讨论。今天，我们在这里相聚，讨论一个重要的话题。")
    assert without_asides(text) == "值班要守住底线。要及时报告。"
    assert without_asides("督查结果要与评先挂钩。一、改进督查方式，直插一线。") == "督查结果要与评先挂钩。改进督查方式，直插一线。"
    # Figures and a list announced in words stay.
    assert without_asides("去年增长3.5%。要做到以下几点：一是快，二是准。") == "去年增长3.5%。要做到以下几点：一是快，二是准。"
    assert without_asides("今天，办公室工作的内涵已经变了。") == "今天，办公室工作的内涵已经变了。"


def test_a_paragraph_has_no_heading_lines_nor_a_phrase_joined_to_itself():
    # Joined to the prose, the heading read 一、明确协调的内容和方法要搞好协调.
    body = "统筹协调是关键。\n一、明确协调的内容和方法\n要搞好协调，就要清楚目标。"
    assert without_headings(body) == "统筹协调是关键。\n要搞好协调，就要清楚目标。"
    assert without_headings("一、明确协调的内容和方法") == "一、明确协调的内容和方法"  # nothing else: kept
    assert undoubled("要遵守党规党纪和党规党纪，守住政治规矩与政治规矩。") == "要遵守党规党纪，守住政治规矩。"
    # A phrase followed by a longer word that opens with it, or said twice on purpose, stays.
    assert undoubled("加强研究和研究生培养，一次、两次") == "加强研究和研究生培养，一次、两次"
    assert undoubled("深化对党的的信任，的的确确，在严、细、、实上下功夫。") == "深化对党的信任，的的确确，在严、细、实上下功夫。"


def test_list_words_that_break_their_order_go():
    # Each paragraph brings its sources' list words: 其次 with no 首先, 首先 after 其次.
    pieces = ["首先需要明确职责。其次，要注重细节。最后，要建立机制。",
              "其次，要多沟通。首先，我们要明确分工。其次要抓落实。再次强调纪律。"]
    assert in_order(pieces) == [pieces[0], "要多沟通。首先，我们要明确分工。其次要抓落实。再次强调纪律。"]
    # A list word read as a word of its own (其次是, 最后一公里) stays; 再次 with no 其次 goes; 最后
    # may close clauses no list word numbered.
    assert in_order(["其次是要加强学习。最后一公里要打通。再次，要关心待遇。要敢担当；最后，要守纪律。"]) == [
        "其次是要加强学习。最后一公里要打通。要关心待遇。要敢担当；最后，要守纪律。"]
    # 首先 inside a sentence opens the list all the same.
    written = ["要严守纪律，首先要遵守政治规矩。其次，要遵守党规党纪。最后，要绷紧廉洁这根弦。"]
    assert in_order(written) == written


def test_the_section_names_its_point_without_the_ordinal():
    text = "总之，“三要树立热情周到的服务意识”是做好工作的关键。"
    assert unnumbered_point(text, "三要树立热情周到的服务意识") == "总之，树立热情周到的服务意识是做好工作的关键。"
    assert unnumbered_point("（二）加强学习很重要。", "（二）加强学习") == "加强学习很重要。"
    assert unnumbered_point(text, "树立热情周到的服务意识") == text  # a point without an ordinal


def test_a_sentence_that_says_an_earlier_one_again_goes():
    first = ["保密工作要常抓不懈，警钟长鸣。涉密文件要专人管理。", "要定期开展保密检查。"]
    second = ["因此，保密工作一定要常抓不懈、警钟长鸣。", "检查要覆盖所有科室。"]
    assert without_repeats(first + second) == [*first, "", "检查要覆盖所有科室。"]
    # So does one another section of the speech said already; a short one takes nothing with it.
    written = ["按照立党为公、执政为民的要求，努力克服形式主义和官僚主义。要加强学习。"]
    pieces = ["要按照“立党为公，执政为民”要求，努力克服形式主义和官僚主义，力戒虚谈。要加强学习，增长本领。"]
    assert without_repeats(pieces, written) == ["要加强学习，增长本领。"]


def test_a_lone_slot_is_not_a_section():
    assert too_thin("【待填：说明】") and too_thin("") and not too_thin("要抓好保密工作，守住底线，确保万无一失。")


class ThinUnlessLoose:
    """A model that writes nothing usable while the copy ban takes whole words; keeps each call's block."""

    def __init__(self):
        self.blocks = []

    def stream(self, messages, max_tokens, temperature=0.3, block=None, **_):
        self.blocks.append(block)
        yield "【待填：说明】" if block.whole_words else "督查工作要抓实，件件有回音、事事有着落。"


def test_a_paragraph_left_empty_under_the_whole_word_ban_is_written_once_more_without_it():
    generator = ThinUnlessLoose()
    paragraph = Paragraph([SourceSentence("督查结果要与年度考核挂钩，做到奖优罚劣。", 0, 0)], 40)
    block = CopyBlock(["督查结果要与年度考核挂钩，做到奖优罚劣。"])
    text = write_paragraph(load_settings(), generator, ExpandRequest("要抓好督查落实"), paragraph, 0,
                           block, None)
    assert text == "督查工作要抓实，件件有回音、事事有着落。"
    assert [b.whole_words for b in generator.blocks] == [True, True, False]
    assert block.whole_words  # the section's block is left as it was


class Writes:
    """A model that writes one fixed reply."""

    def __init__(self, reply: str):
        self.reply = reply

    def stream(self, messages, max_tokens, temperature=0.3, block=None, **_):
        yield self.reply


def test_a_later_paragraph_does_not_open_with_first_of_all():
    reply = "首先，督查工作要抓实，件件有回音、事事有着落。"
    paragraph = Paragraph([SourceSentence("督查结果要与年度考核挂钩，做到奖优罚劣。", 0, 0)], 40)
    written = [write_paragraph(load_settings(), Writes(reply), ExpandRequest("要抓好督查落实"), paragraph, n,
                               CopyBlock(["督查结果要与年度考核挂钩。"]), None) for n in (0, 1)]
    assert written == [reply, "督查工作要抓实，件件有回音、事事有着落。"]


SOURCE = "督查结果要与年度考核挂钩，做到奖优罚劣。对推进不力的单位要通报批评，限期整改。"
GENERIC = "我们要明确职责和任务，制定详细的计划和流程。要让每一位员工都知道自己的工作内容和责任。"
# Near its source, as a hashing embedder can tell (the judge's thresholds are set for e5).
GROUNDED = "督查结果要与年度考核挂钩，真正做到奖优罚劣。对推进不力的单位要通报批评，责令限期整改。"


def source_passage() -> Passage:
    return Passage(Chunk("s1-001", "s1", "在全市督查工作会议上的讲话", "a.txt", [], SOURCE, 1), 1.0, 1)


def test_support_is_judged_as_citations_are(hash_embedder):
    check = SupportCheck([source_passage()], hash_embedder.queries)
    assert check.unsupported_share(GENERIC) == 1.0
    assert check.unsupported_share(GROUNDED) == 0.0


class DriftsFirst:
    """A model that first writes general talk, then, sampled more freely, from its sources."""

    def __init__(self):
        self.temperatures = []

    def stream(self, messages, max_tokens, temperature=0.3, block=None, **_):
        self.temperatures.append(temperature)
        yield GENERIC if len(self.temperatures) == 1 else GROUNDED


def test_a_paragraph_its_passages_do_not_support_is_written_once_more(hash_embedder):
    generator, shown = DriftsFirst(), []
    plan = [Paragraph([SourceSentence(SOURCE, 0, 0)], 40)]
    body = write_section(load_settings(), generator, ExpandRequest("要抓好督查落实", length=40), [source_passage()],
                         plan, shown.append, support=SupportCheck([source_passage()], hash_embedder.queries))
    assert body == GROUNDED and generator.temperatures == [0.3, 0.7]
    assert "重写如下" in "".join(shown)
    # A paragraph its passages support is kept as first written.
    generator = DriftsFirst()
    generator.temperatures.append(0.3)
    body = write_section(load_settings(), generator, ExpandRequest("要抓好督查落实", length=40), [source_passage()],
                         plan, None, support=SupportCheck([source_passage()], hash_embedder.queries))
    assert body == GROUNDED and generator.temperatures == [0.3, 0.3]


@pytest.mark.parametrize("point, message", [
    ("", "为空"), ("   ", "为空"), ("。。！？", "标点"), ("统筹" * 200, "过长"),
])
def test_bad_points_exit_2_before_loading_anything(tmp_path, capsys, point, message):
    assert main(["expand", point, "--index", str(tmp_path / "none")]) == 2
    assert message in capsys.readouterr().err


def test_unknown_or_invalid_model_exits_2(tmp_path, capsys):
    assert main(["expand", "抓好督查落实", "--model", str(tmp_path / "missing.gguf")]) == 2
    assert str(tmp_path / "missing.gguf") in capsys.readouterr().err
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model at all" * 100)
    assert main(["expand", "抓好督查落实", "--model", str(fake)]) == 2
    assert "GGUF" in capsys.readouterr().err


@pytest.mark.models
def test_expand_writes_a_cited_section(real_index, capsys, monkeypatch):
    settings, _ = real_index
    monkeypatch.setenv("WENGAO_LLM", "qwen2.5-coder-0.5b")  # the small model keeps the test short
    point = "要在督查落实上下功夫"
    code = main(["expand", point, "--length", "120", "--json", "--index", str(settings.index_dir)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"].startswith(point + "\n")
    body = out["text"][len(point) + 1:]
    assert len(body) > 30 and not body.startswith(("同志们", "尊敬的", "大家好"))
    assert out["sentences"] and all("supported" in s for s in out["sentences"])
    for c in out["citations"]:
        assert {"n", "chunk_id", "title", "section", "quote"} <= set(c)
    assert {"retrieve", "first_token", "tokens_per_second", "total"} <= set(out["timings"])
    assert "longest" in out["copy"] and "copied_share" in out["copy"]


class AsideThenSection:
    """A model that opens every reply by talking about its task, as the small models do."""

    def __init__(self):
        from rag.llm.local import Timings

        self.timings = Timings()

    def stream(self, messages, max_tokens, temperature=0.3, **_):
        yield from ["好的，以下是讲话稿正文的内容：\n", "督查工作要抓实，", "件件有回音、事事有着落。"]


def test_the_section_as_kept_is_printed_after_a_stream_it_differs_from(tmp_path, monkeypatch, capsys):
    from conftest import HashEmbedder

    from rag.index.build import ingest
    from rag.index.store import CorpusIndex
    from rag.search.hybrid import Searcher

    (tmp_path / "talk.txt").write_text(
        "在全市督查工作会议上的讲话\n同志们：\n要把督查落实摆在突出位置，对重点任务跟踪问效。\n", encoding="utf-8")
    settings = load_settings(home=tmp_path / "home", index=tmp_path / "index")
    embedder = HashEmbedder()
    ingest([tmp_path / "talk.txt"], settings, progress=False, embedder=embedder)
    searcher = Searcher(CorpusIndex.open(settings.index_dir), embedder.queries, embedder.use_queries)
    monkeypatch.setattr("rag.cli.expand.load", lambda *_: (AsideThenSection(), searcher))
    monkeypatch.setattr("rag.write.expand.require_relevant", lambda *_: None)
    assert main(["expand", "要抓好督查落实", "--length", "50", "--index", str(settings.index_dir)]) == 0
    streamed, kept = capsys.readouterr().out.split("整理后的正文（去掉了题外话和重复的句子）：")
    assert "好的，以下是讲话稿正文的内容" in streamed
    assert "督查工作要抓实" in kept and "好的" not in kept.split("\n\n[")[0]
