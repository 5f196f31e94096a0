"""Cleaning, splitting and chunking on the sample corpus and on unseen documents."""

import re
from collections import Counter
from pathlib import Path

import pytest

from rag.corpus.chunk import MAX_CHARS, chunk_speech
from rag.corpus.clean import core_text, normalize
from rag.corpus.read import read_corpus
from rag.corpus.structure import ends_sentence, split_sentences
from rag.types import Speech

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


# --- text as users' folders hold it: lost line breaks, hard wraps, noise of many kinds ---

SPEECH_TITLE = "在全县营商环境优化提升推进会上的讲话"
SPEECH_BODY = [
    "同志们：",
    "今天召开这次推进会，主要任务是总结前一阶段优化营商环境的做法，查找差距，部署下一步工作。",
    "一、统一思想，把优化营商环境摆在更加突出的位置",
    "营商环境就是生产力。企业往哪里去，资金往哪里流，很大程度上取决于一个地方的办事效率和诚信水平。"
    "各乡镇、各部门要把这项工作当作“一把手”工程，主要负责同志亲自抓、负总责。",
    "二、聚焦堵点，推动政务服务提质增效",
    "（一）压缩审批时限。凡是能够并联办理的事项一律并联办理，凡是能够网上办理的事项一律网上办理。"
    "要加强政府网站建设，让群众在网上就能下载办事指南和表格。",
    "（二）规范涉企检查。推行“综合查一次”，同一部门对同一企业的检查原则上每年不超过两次。",
    "三、压实责任，确保各项措施落地见效",
    "县委督查室、县政府督查室要把营商环境纳入年度督查重点，对推诿扯皮、吃拿卡要的问题，"
    "发现一起、查处一起、通报一起。",
    "同志们，优化营商环境只有进行时，没有完成时。让我们以更大的决心、更实的举措，为全县高质量发展营造良好环境！",
]


def _sentences_survive(corpus, lines: list[str]) -> list[str]:
    """The speech lines whose letters and digits do not come through into the chunks."""
    kept = core_text("".join(c.text + "".join(c.section) for c in corpus.chunks))
    return [line for line in lines for s in split_sentences(line) if core_text(s) not in kept]


def test_a_speech_on_one_line_after_a_banner_is_kept_whole(tmp_path):
    # As copied out of a document site: banner, compilation heading, salutation and the whole
    # speech on a single line, an ad in the middle and a paywall prompt at the end.
    body = "".join(SPEECH_BODY[:5]) + "更多精彩文章请访问本站 www.wengao-sample.net " + "".join(SPEECH_BODY[5:])
    line = f"本文档下载后可任意编辑 2024年营商环境讲话稿汇编 {SPEECH_TITLE} {body}试读已结束，开通会员查看全文"
    (tmp_path / "one_line.txt").write_text(line, "utf-8")
    corpus = read_corpus([tmp_path])
    assert _sentences_survive(corpus, SPEECH_BODY) == []
    assert [s.title for s in corpus.speeches] == [SPEECH_TITLE]
    text = "".join(c.text for c in corpus.chunks)
    for noise in ("下载后", "www.", "本站", "试读", "会员"):
        assert noise not in text
    assert corpus.warnings == []
    # The headings it held are found again as sections.
    assert any(c.section and c.section[0].startswith("二、聚焦堵点") for c in corpus.chunks)


def test_hard_wrapped_text_with_page_furniture_is_reflowed(tmp_path):
    # As a PDF gives it: every paragraph starts a line and breaks after 23 characters.
    wrapped = [p[i:i + 23] for p in SPEECH_BODY for i in range(0, len(p), 23)]
    wrapped.insert(9, "第 1 页 共 2 页")
    wrapped.insert(20, "- 2 -")
    (tmp_path / "wrapped.txt").write_text(SPEECH_TITLE + "\n" + "\n".join(wrapped), "utf-8")
    corpus = read_corpus([tmp_path])
    assert _sentences_survive(corpus, SPEECH_BODY) == []
    text = "".join(c.text for c in corpus.chunks)
    # Words that ads use too, inside speech sentences, stay.
    assert "要加强政府网站建设，让群众在网上就能下载办事指南和表格。" in text
    assert "第 1 页" not in text and "共2页" not in text


@pytest.mark.parametrize("noisy, noise", [
    # anti-scraping strings between and inside sentences
    ("营商环境就是生产力。 x8 ^- Tq *3 w0 企业往哪里去，资金往哪里流。", "x8 ^- Tq *3 w0"),
    ("各部门要把这项工作当作 k3 |m 9* 一把手工程来抓。", "k3 |m 9*"),
    # paywall and truncation
    ("要推行综合查一次。……此处隐藏1873个字……", "此处隐藏1873个字"),
    ("要推行综合查一次。\n预览已结束，剩余3页未读，请先登录后查看", "预览已结束"),
    # template-site blurbs
    ("以下是小编为您搜集的推进会讲话，欢迎阅读收藏。\n营商环境就是生产力。", "小编为您搜集"),
    ("营商环境就是生产力。\n以上就是本站整理的讲话稿全部内容，希望对大家有所帮助。", "全部内容"),
    # HTML residue in a text file
    ("<p class=\"txt\">营商环境就是生产力。</p><br/>", "</p>"),
    # a keyword header
    ("标签：营商环境讲话 推进会讲话稿 县委书记讲话\n营商环境就是生产力。", "标签"),
    ("营商环境讲话稿 营商环境发言稿 营商环境讲话材料 营商环境会议讲话\n营商环境就是生产力。", "讲话材料"),
])
def test_noise_of_each_kind_is_cut_and_the_sentence_kept(tmp_path, noisy, noise):
    (tmp_path / "n.txt").write_text(f"{SPEECH_TITLE}\n同志们：\n{noisy}\n", "utf-8")
    corpus = read_corpus([tmp_path])
    text = "".join(c.text for c in corpus.chunks)
    assert core_text(noise) not in core_text(text)
    for sentence in re.findall(r"[\u4e00-\u9fff，“”]{6,}[。！]", noisy):
        if noise not in sentence and not any(w in sentence for w in ("小编", "本站", "预览")):
            assert sentence in text


def test_pinyin_glosses_go_and_traditional_characters_stay(tmp_path):
    glossed = "同志們：\n今(jīn)天(tiān)召(zhào)開(kāi)這(zhè)次(cì)會(huì)議(yì)，主要是部署工作。"
    (tmp_path / "t.txt").write_text(f"{SPEECH_TITLE}\n{glossed}\n", "utf-8")
    text = "".join(c.text for c in read_corpus([tmp_path]).chunks)
    assert "今天召開這次會議，主要是部署工作。" in text


def test_files_that_do_not_come_through_are_named(tmp_path):
    (tmp_path / "good.txt").write_text(SPEECH_TITLE + "\n" + "\n".join(SPEECH_BODY), "utf-8")
    (tmp_path / "ads.txt").write_text("更多范文请访问 www.example-wenku.cn\n扫码关注公众号领取会员资料\n", "utf-8")
    ads = "\n".join(["本站VIP会员免费下载 www.example.net", "客服QQ：12345678"] * 20)
    (tmp_path / "mostly_ads.txt").write_text(f"{ads}\n{SPEECH_TITLE}\n" + "\n".join(SPEECH_BODY[:3]), "utf-8")
    corpus = read_corpus([tmp_path])
    warned = {w.path: w for w in corpus.warnings}
    assert set(warned) == {"ads.txt", "mostly_ads.txt"}
    assert warned["ads.txt"].chunks == 0 and "没有得到任何片段" in warned["ads.txt"].message
    assert warned["mostly_ads.txt"].removed_share > 0.3 and warned["mostly_ads.txt"].chunks > 0


def test_ingest_report_is_incomplete_when_a_file_is_named(tmp_path, settings, hash_embedder):
    from rag.index.build import ingest

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "good.txt").write_text(SPEECH_TITLE + "\n" + "\n".join(SPEECH_BODY), "utf-8")
    assert ingest([tmp_path / "c"], settings, progress=False, embedder=hash_embedder).complete
    (tmp_path / "c" / "ads.txt").write_text("更多范文请访问 www.example-wenku.cn\n", "utf-8")
    report = ingest([tmp_path / "c"], settings, progress=False, embedder=hash_embedder)
    assert not report.complete and [w.path for w in report.warnings] == ["ads.txt"]


def test_a_title_after_a_site_date_is_found():
    from rag.corpus.clean import clean_text
    from rag.corpus.split import split_speeches

    text = normalize(f"2024 {SPEECH_TITLE}20XX {SPEECH_TITLE}\n" + "\n".join(SPEECH_BODY[:2]))
    speeches, _ = split_speeches(clean_text(text), "x.txt")
    assert [s.title for s in speeches] == [SPEECH_TITLE]
    assert speeches[0].paragraphs == SPEECH_BODY[:2]


def test_speech_sentences_that_use_words_ads_use_are_kept(tmp_path):
    # A speech on government websites and new media: its sentences say 网站, 公众号, 下载,
    # 会员, 关注, 登录, 讲话稿, 参考 as speech, not as advertising.
    body = [
        "同志们：",
        "下面，我就做好政务公开和政务新媒体工作讲几点意见，供大家参考。",
        "一、办好政府网站和政务公众号",
        "要把政府网站作为政务公开的第一平台，群众可以登录网站查询政策、下载办事表格。",
        "各部门的政务公众号要坚持内容为王，群众关注什么，我们就回应什么。",
        "二、管好用好新媒体账号",
        "对长期不更新的“僵尸”账号要坚决关停，对商会、协会会员企业的诉求要及时回应。",
        "办公室起草讲话稿、编写信息，要多用群众听得懂的语言，少讲空话套话。",
        "去年全县 GDP 增长 5.2%，PM2.5 平均浓度下降 8%，建成 5G 4K 示范点 1 200 个。",
        "同志们，政务公开是法定职责，希望大家高度重视、抓好落实。谢谢大家！",
    ]
    (tmp_path / "gov.txt").write_text("在全县政务公开工作会议上的讲话\n" + "\n".join(body), "utf-8")
    corpus = read_corpus([tmp_path])
    assert _sentences_survive(corpus, body) == []
    assert corpus.warnings == [] and sum(len(r.text) for r in corpus.removed["gov.txt"]) == 0


# --- heading lines with no paragraph under them ------------------------------------

GREETING = "同志们："
TALK = ("这次会议的主要任务是回顾过去一年的工作，安排部署今年的重点任务。"
        "过去一年，全系统干部职工迎难而上，各项工作取得了新的进展。")


def _chunks(*paragraphs: str) -> list:
    return chunk_speech(Speech("s-1", "在全市工作会议上的讲话", "a.txt", list(paragraphs)))


def test_a_closing_wish_read_as_a_heading_ends_the_last_chunk():
    # "最后，……！" opens like the last of a list of points; nothing follows it.
    closing = "最后，祝大家新春愉快、工作顺利！"
    chunks = _chunks(GREETING, TALK, closing)
    assert len(chunks) == 1
    assert chunks[0].text == f"{GREETING}\n{TALK}\n{closing}"
    assert chunks[0].section == []


def test_a_heading_followed_at_once_by_the_next_one_stays_in_the_text():
    chunks = _chunks(
        "三、强化保障", TALK,
        "四、营造良好氛围",
        "五、加强组织领导", "各单位主要负责同志要亲自抓，分管负责同志要具体抓。",
    )
    assert [(c.section, c.text) for c in chunks] == [
        (["三、强化保障"], f"{TALK}\n四、营造良好氛围"),
        (["五、加强组织领导"], "各单位主要负责同志要亲自抓，分管负责同志要具体抓。"),
    ]


def test_a_page_cut_after_a_heading_keeps_the_heading_as_written():
    # The page ends on a sub-heading; its full stop is speech text as well.
    chunks = _chunks("一、提升政务服务", "（一）推行一网通办。", TALK, "（二）提升窗口服务水平。")
    assert chunks[-1].text.endswith(f"{TALK}\n（二）提升窗口服务水平。")
    assert chunks[-1].section == ["一、提升政务服务", "（一）推行一网通办"]


def test_headings_with_paragraphs_under_them_stay_in_the_section_path_only():
    chunks = _chunks("一、提升政务服务", "（一）推行一网通办", TALK)
    assert [(c.section, c.text) for c in chunks] == [(["一、提升政务服务", "（一）推行一网通办"], TALK)]


def test_a_sub_heading_whose_parent_has_nothing_else_yet_is_a_chunk_of_its_own():
    # Ending the greeting's chunk would put （一） before 一、, which only the next chunk's
    # path holds; a chunk of its own keeps the order and names its section.
    chunks = _chunks(GREETING, TALK, "一、总体要求", "（一）指导思想", "（二）基本原则",
                     "坚持问题导向，坚持系统观念。")
    assert [(c.section, c.text) for c in chunks] == [
        ([], f"{GREETING}\n{TALK}"),
        (["一、总体要求", "（一）指导思想"], "（一）指导思想"),
        (["一、总体要求", "（二）基本原则"], "坚持问题导向，坚持系统观念。"),
    ]


def test_a_heading_after_a_full_chunk_is_a_chunk_of_its_own():
    full = "全面推进依法行政，" * 54 + "建设法治政府。"
    assert len(full) <= MAX_CHARS < len(full) + len("四、营造良好氛围")
    chunks = _chunks("三、强化保障", full, "四、营造良好氛围")
    assert [(c.section, c.text) for c in chunks] == [
        (["三、强化保障"], full),
        (["四、营造良好氛围"], "四、营造良好氛围"),
    ]


def test_a_speech_of_headings_alone_still_gets_a_chunk():
    chunks = _chunks("一、统一思想", "二、突出重点", "三、狠抓落实")
    assert [(c.section, c.text) for c in chunks] == [(["一、统一思想"], "一、统一思想\n二、突出重点\n三、狠抓落实")]


def test_a_heading_left_bare_by_a_page_cut_is_ingested(tmp_path):
    lines = [SPEECH_TITLE, *SPEECH_BODY[:7], "（三）提升窗口服务水平。"]
    (tmp_path / "cut.txt").write_text("\n".join(lines) + "\n", "utf-8")
    corpus = read_corpus([tmp_path])
    assert corpus.chunks[-1].text.endswith("（三）提升窗口服务水平。")
    assert _sentences_survive(corpus, SPEECH_BODY[:7]) == []
