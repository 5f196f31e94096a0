"""Cleaning, splitting and chunking on the sample corpus and on unseen documents."""

from collections import Counter
from pathlib import Path

import pytest

from rag.chunk import MAX_CHARS, chunk_speech
from rag.clean import normalize
from rag.ingest import read_corpus
from rag.structure import ends_sentence

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"


def _chars(text: str) -> Counter:
    return Counter(ch for ch in text if not ch.isspace())


@pytest.fixture(scope="module")
def sample():
    return read_corpus([CORPUS])


def test_sample_has_nine_speeches_with_titles(sample):
    titles = [s.title for s in sample.speeches]
    assert len(titles) == 9
    assert titles.count("在办公室主任会议上的讲话") == 2
    for expected in [
        "在全省文化系统办公室主任会议上的讲话",
        "在全市党政办公室主任培训班上的讲话",
        "在办公室例会上的讲话",
        "在全县办公室主任会议上讲话",
        "在办公室主任工作会议的经验交流讲话",
        "在全区政府系统办公室主任会议上的讲话",
    ]:
        assert expected in titles
    derived = [s for s in sample.speeches if s.title_derived]
    # One file starts straight with 同志们 and has no title line, nor a meaningful file
    # name: it is named by its opening words.
    assert [s.title for s in derived] == ["（无标题）刚才，传达学习了全国、全省、全州党委和政府秘书长…"]


@pytest.mark.parametrize("roots", [[CORPUS], [FIXTURES]])
def test_every_character_is_kept_or_removed_as_noise(roots):
    corpus = read_corpus(roots)
    for source in corpus.sources:
        speeches = [s for s in corpus.speeches if s.source == source.path]
        kept = Counter()
        for s in speeches:
            if not s.title_derived:
                kept += _chars(s.title)
            for p in s.paragraphs:
                kept += _chars(p)
        removed = Counter()
        for r in corpus.removed[source.path]:
            removed += _chars(r.text)
        assert kept + removed == _chars(normalize(source.text)), source.path


def test_no_noise_in_sample_chunks(sample):
    noise = ["QQ", "会员", "订阅", "金刷子", "写作门户", "当前位置", "推荐访问", "第3页", "酷乐文行",
             "倒卖", "外传", "以下是为大家整理", "......", "【篇"]
    for chunk in sample.chunks:
        for word in noise:
            assert word not in chunk.text, (word, chunk.chunk_id)


def test_unseen_ads_and_watermarks_are_removed_and_speech_kept():
    corpus = read_corpus([FIXTURES])
    by_title = {s.title: s for s in corpus.speeches}
    a = by_title["在全县安全生产工作会议上的讲话"]
    b = by_title["在机关作风建设推进会上的讲话"]
    text_a = "\n".join(a.paragraphs)
    text_b = "\n".join(b.paragraphs)
    for ad in ["公文网", "www.", "公众号", "版权所有", "共 2 页", "笔杆子素材库"]:
        assert ad not in text_a
    assert "笔杆子之家" not in text_b
    # Speech content survives in full, headings included.
    for line in [
        "同志们：",
        "一、提高认识，切实增强做好安全生产工作的责任感",
        "（二）抓好建筑施工安全。要落实企业主体责任，加强施工现场监管，对存在重大隐患的工地，"
        "坚决责令停工整改。",
        "同志们，安全生产责任重于泰山。让我们以高度负责的精神，扎实做好各项工作，"
        "为全县经济社会发展创造良好的安全环境！",
    ]:
        assert line in a.paragraphs
    assert b.paragraphs[-1].startswith("同志们，作风建设永远在路上。")
    assert "各单位主要负责同志要履行第一责任人职责，带头转变作风，层层传导压力。" in b.paragraphs


def test_hard_line_breaks_inside_sentences_are_repaired(tmp_path):
    body = ("办公室工作涉及面广、政策性强，要求我们的干部既要有扎实的理论功底，又要有丰富的实践经验，"
            "还要有过硬的文字能力。")
    wrapped = "\n".join(body[i:i + 18] for i in range(0, len(body), 18))
    (tmp_path / "w.txt").write_text(f"在全市办公室工作会议上的讲话\n同志们：\n{wrapped}\n", "utf-8")
    corpus = read_corpus([tmp_path])
    assert corpus.speeches[0].paragraphs == ["同志们：", body]


def test_punctuation_is_normalised():
    assert normalize("同志们:今天(周一)开会,好吗?") == "同志们：今天（周一）开会，好吗？"
    assert normalize("利润1.6亿元, version 2.0") == "利润1.6亿元，version 2.0"


def test_compilation_without_titles_and_pasted_speeches(tmp_path):
    para = "要坚持把学习贯彻党的创新理论作为首要政治任务，不断提高政治判断力、政治领悟力、政治执行力。"
    text = (
        f"第一篇：在理论学习中心组会议上的发言\n同志们：\n{para}\n"
        f"第二篇：在青年干部座谈会上的讲话\n同志们：\n青年干部要敢于担当、善于作为。{para}\n"
    )
    (tmp_path / "c.txt").write_text(text, "utf-8")
    titles = [s.title for s in read_corpus([tmp_path]).speeches]
    assert titles == ["在理论学习中心组会议上的发言", "在青年干部座谈会上的讲话"]
    pasted = f"在甲会议上的讲话\n同志们：\n{para}\n在乙会议上的讲话\n同志们：\n继续努力。{para}\n"
    (tmp_path / "c.txt").write_text(pasted, "utf-8")
    assert [s.title for s in read_corpus([tmp_path]).speeches] == ["在甲会议上的讲话",
                                                                   "在乙会议上的讲话"]


def test_chunks_are_sentence_aligned_and_sized(sample):
    for speech in sample.speeches:
        for chunk in chunk_speech(speech):
            assert len(chunk.text) <= MAX_CHARS + 10
            # A chunk ends where a paragraph or a sentence ends, never mid-sentence.
            last = chunk.text.split("\n")[-1]
            assert any(p.endswith(last) for p in speech.paragraphs) or ends_sentence(last)


def test_section_paths_follow_heading_hierarchy(sample):
    chunks = {c.chunk_id: c for c in sample.chunks}
    paths = [c.section for c in chunks.values()]
    assert ["二、围绕中心，突出重点，不断提高办公室工作层次和水平",
            "（一）要强化制度建设，规范工作运行"] in paths
    assert ["第一，遵从规矩，才能使办公室工作忠诚不改、永葆本色",
            "一要把遵从政治规矩体现在绝对忠诚上"] in paths


def test_near_duplicate_paragraphs_are_stored_once(tmp_path):
    para = ("办公室是党委政府的参谋部和服务部，必须坚持围绕中心、服务大局，"
            "切实把各项工作放到全局中去谋划、去推进、去落实，努力做到参谋到位、服务到位、落实到位。")
    near = para.replace("努力做到", "真正做到")
    (tmp_path / "a.txt").write_text(f"在甲会议上的讲话\n同志们：\n{para}\n", "utf-8")
    (tmp_path / "b.txt").write_text(f"在乙会议上的讲话\n同志们：\n{near}\n", "utf-8")
    corpus = read_corpus([tmp_path])
    assert corpus.duplicates == 1
    assert sum("参谋部和服务部" in c.text for c in corpus.chunks) == 1
