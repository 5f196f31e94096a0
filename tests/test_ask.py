"""素材问答: the quoted evidence first, then a synthesis that never echoes its prompt."""

import json
import re
from pathlib import Path

import pytest

from rag.ask import (
    ECHO_NOTE,
    Context,
    EchoedPrompt,
    SentenceGate,
    answer,
    misquoted,
    resolve,
    synthesis_messages,
    template_text,
)
from rag.clean import core_text
from rag.cli import main
from rag.copycheck import CopyIndex, invented_specifics
from rag.engine import ingest
from rag.evidence import literal_evidence, named_speeches, quoted_phrases, title_core
from rag.index import CorpusIndex
from rag.llm import Timings
from rag.retrieve import Searcher
from rag.structure import SLOT
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
    from rag.settings import load_settings
    from tests.conftest import HashEmbedder

    folder = tmp_path_factory.mktemp("ask")
    settings = load_settings(home=folder / "home", index=folder / "index")
    embedder = HashEmbedder()
    ingest([ROOT / "data" / "corpus"], settings, progress=False, embedder=embedder)
    found = Searcher(CorpusIndex.open(settings.index_dir), embedder.queries)
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


def test_follow_ups_are_read_with_the_question_before(searcher):
    first = resolve("督查工作有哪些要求？", searcher)
    assert first.speech_ids is None and first.focus is None
    items = literal_evidence(searcher.index.chunks, PHRASE)
    context = Context(first.query, [], None, items)
    county = resolve("那县里的讲话呢？", searcher, context)
    assert county.query == first.query and county.speech_ids == named_speeches("县里的讲话", searcher.index)
    second = resolve("第二条具体怎么说的？", searcher, context)
    assert second.focus is items[1]
    other = resolve("那信息工作呢？", searcher, context)
    assert other.query == "信息工作"


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
    monkeypatch.setattr(cli, "load_alongside", lambda settings: (generator, searcher))
    index = ["--index", str(searcher.settings.index_dir)]
    assert main(["ask", f"哪些讲话用了“{PHRASE}”？", *index]) == 0
    out = capsys.readouterr().out
    assert out.index("原文摘录") < out.index("归纳：") and out.count("「") == 3
    assert main(["ask", f"哪些讲话用了“{PHRASE}”？", "--json", *index]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["evidence"]) == 3 and payload["text"]


@pytest.mark.models
def test_the_bundled_model_adds_a_synthesis_that_echoes_nothing(real_index):
    from rag.engine import open_searcher
    from rag.generate import generator_for

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
