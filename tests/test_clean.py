"""Cleaning judges what a line is, not which site wrote it.

Every noise line here is worded for these tests, in the manner of sites the cleaner has not
seen: it must go wherever it stands. Every speech sentence here talks about the web, shops,
apps or members as its subject: it must stay, on its own line and inside a paragraph.
"""

import re

import pytest

import rag.corpus.clean
from rag.corpus.clean import CleanedText, clean_corpus, clean_text, core_text, noise_score, normalize
from rag.corpus.split import split_speeches
from rag.corpus.structure import split_sentences

TITLE = "在全县水土保持工作推进会上的讲话"
BODY = [
    "同志们：",
    "这次推进会的主要任务是回顾去年水土保持工作，研究部署今年的重点任务。",
    "一、把坡耕地治理摆在突出位置",
    "各乡镇要摸清坡耕地底数，因地制宜推进梯田改造和保护性耕作，防止水土继续流失。",
    "二、管住生产建设项目",
    "凡是扰动地表的建设项目都要编报水土保持方案，未批先建的一律停工整改。要把监督检查的结果向社会公开。",
    "同志们，保护一方水土就是保护群众的饭碗。希望大家守土尽责，把今年的各项任务落到实处。",
]


def _kept(lines: list[str], name: str = "x.txt") -> str:
    """The letters and digits of the titles and paragraphs a file comes out with."""
    cleaned = clean_text(normalize("\n".join(lines)))
    speeches, _ = split_speeches(cleaned, name)
    return core_text("".join(p for s in speeches for p in [s.title, *s.paragraphs]))


def _lost(kept: str, lines: list[str]) -> list[str]:
    return [s for line in lines for s in split_sentences(line) if core_text(s) not in kept]


# --- new wordings of site noise ---------------------------------------------------

NEW_NOISE = [
    "喜欢这篇的话，记得点个“在看”再走哦",
    "👉 戳这里领取更多发言稿模板",
    "本资料来源于互联网，仅供交流学习，请于24小时内删除",
    "微信搜一搜“笔下生花录”，每天一篇好材料",
    "【免费】注册即可下载全部范文，每日限3篇",
    "文档贡献者：王五 | 上传时间：2023-09-01 | 页数：5页",
    "点击头像关注作者，私信获取原文",
    "—— END ——",
    "本篇共计3521字，预计阅读时间9分钟",
    "声明：本文内容来源于网络，版权归原作者所有",
    "您已阅读30%，登录后继续阅读",
    "更多精彩内容，请下载APP查看",
    "赞赏 ¥2.00 ¥5.00 ¥10.00",
    "加入会员，畅享海量精品文档",
    "在看 点赞 分享",
    "上一页 1 2 3 下一页",
    "收起全文 ∧",
    "特别声明：以上内容仅代表作者观点",
    "2楼 回复 | 引用",
    "沙发！楼主辛苦了",
    "顶一下，谢谢分享",
    "发表于 3 天前 | 只看该作者",
    "本文档共5页，当前为第1页",
    "Tips：本文可编辑修改，按需使用。",
    "↑返回顶部",
    "[展开全文]",
    "转自：笔墨公众号 作者：老周",
    "全文完，感谢阅读！",
    "如需转载请联系后台授权",
    "觉得不错就分享给朋友吧~",
    "扫描左侧二维码，下载手机客户端",
    "本站所有资源均可在线预览，付费后下载无水印版",
    "热门标签：述职报告 心得体会 讲话稿",
    "文章摘自：某某写作论坛",
    "友情链接：中国笔墨网 | 公文学习网 | 范文大全",
    "客服微信：abc_12345，工作时间9:00-18:00",
    "请使用手机扫码阅读全文",
    "本帖最后由 笔杆子 于 2024-3-5 10:21 编辑",
    "All rights reserved. Powered by SiteKit 2.1",
    "本文由AI辅助生成，仅供参考，请自行核实",
]


@pytest.mark.parametrize("where", ["top", "between", "end"])
@pytest.mark.parametrize("noise", NEW_NOISE)
def test_new_wordings_of_site_noise_go_and_the_speech_stays(noise, where):
    lines = [TITLE, *BODY]
    lines.insert({"top": 1, "between": 4, "end": len(lines)}[where], noise)
    kept = _kept(lines)
    assert core_text(noise) not in kept
    assert _lost(kept, [TITLE, *BODY]) == []


# --- speech that talks about the web --------------------------------------------

SPEECH_ABOUT_THE_WEB = [
    "要推动政务服务“掌上办”，群众下载一个APP、关注一个公众号，就能办成大部分事项。",
    "对利用直播带货、扫码领奖等方式诱导老年人消费的行为，要依法严厉打击。",
    "有的网站打着“免费下载”的幌子，诱导用户充值会员，侵害消费者权益。",
    "各单位要把会员服务做实做细，让协会真正成为会员之家。",
    "我们开通了“扫码亮证”服务，群众扫一扫二维码就能查到证照信息。",
    "作为党员干部，你不担当谁担当？你不作为谁作为？",
    "县融媒体中心要办好“指尖上的新闻”，让群众点击一下就能看到权威发布。",
    "这次会议的材料，会后请大家登录内网下载学习。",
    "按照本文件要求，各地要在月底前报送工作方案。",
    "不少网友在留言区为他们点赞，称赞他们是新时代最可爱的人。",
    "祝您和家人新春愉快、身体健康、万事如意！",
    "文化馆今年免费开放场馆，举办公益讲座四十场，线上点击量超过三十万次。",
    "有的同志写材料，习惯上网搜范文、套模板，东拼西凑，这种文风必须改。",
    "现在，有的平台推出付费会员、自动续费，到期不提醒就扣款，群众意见很大。",
    "请大家扫描会议材料上的二维码，填写意见建议，会后我们逐条研究。",
    "大家可以扫码关注“县融媒”公众号，及时了解政策。",
    "以下是我讲的三点意见。",
    "以上就是我的发言。",
    "为六十岁以上老人免费提供扫码乘车服务。",
    "要推广扫码支付，方便群众。",
    "群众通过手机APP就能查看办理进度。",
    "科研人员要甘坐冷板凳。",
    "会议在3楼召开。",
    "昨天我还看了两个项目现场，总体进展不错。",
    "要认真学习这篇重要讲话。",
    "该文化遗址是全省重点文物保护单位。",
    "1#高炉要在年底前完成大修。",
    "要用好优惠政策，让企业应享尽享。",
    "下面分享三个典型案例。",
    "要马上开通绿色通道，确保物资运得进、送得出。",
    "去年全县 GDP 增长 5.2%，PM2.5 平均浓度下降 8%，建成 5G 基站 300 个。",
]


@pytest.mark.parametrize("sentence", SPEECH_ABOUT_THE_WEB)
def test_speech_that_talks_about_the_web_stays(sentence):
    own_line = [TITLE, *BODY[:4], sentence, *BODY[4:]]
    in_paragraph = [TITLE, *BODY[:3], BODY[3] + sentence + "要狠抓落实，确保各项任务按时完成。", *BODY[4:]]
    for lines in (own_line, in_paragraph):
        assert _lost(_kept(lines), lines) == []


def test_a_phrase_counts_once_in_its_strongest_kind():
    # 即可下载 is one promise to the reader, not a promise and a web action besides.
    assert noise_score("要加强政府网站建设，让群众在网上即可下载办事指南和表格。") == 0
    assert noise_score("关注公众号，回复“讲话”即可下载本文完整版") >= 2


def test_quoted_words_are_named_not_said():
    assert noise_score("对打着“免费领取会员”旗号骗取个人信息的网站，要坚决关停。") == 0
    assert noise_score("搜索“某某笔记”小程序，免费领取会员") >= 2


def test_speech_voice_asks_for_more_before_a_sentence_goes():
    # Three kinds of site words, but said by the speaker to the audience.
    assert noise_score("我们开通了“扫码亮证”服务，群众扫一扫二维码就能查到证照信息。") == 0
    assert noise_score("扫一扫二维码，即可下载讲话稿原文。") >= 2


# --- pages of sites not seen before ----------------------------------------------

PAGES = {
    "feed_article": (
        ["原创 笔墨说 2024-06-11 08:30", TITLE, *BODY,
         "往期回顾", "乡镇工作总结的五个要点", "讲话稿结尾怎么写才有力量", "公文里的数字怎么写",
         "阅读 1.2万  在看 30", "微信扫一扫赞赏作者"],
        ["笔墨说", "往期回顾", "五个要点", "结尾怎么写", "阅读12万", "赞赏作者"],
    ),
    "forum_thread": (
        [f"{TITLE} - 公文交流 - 笔友论坛", "楼主 笔墨客 发表于 2024-3-5 10:21", TITLE, *BODY,
         "2楼 张三：写得好，学习了", "沙发", "回复 3楼：谢谢分享", "引用 | 举报 | 回复"],
        ["笔友论坛", "笔墨客", "写得好", "沙发", "谢谢分享", "引用"],
    ),
    "template_site": (
        ["【导读】本文整理了一篇水土保持工作推进会讲话，结构清晰，供写作时参考。", TITLE, *BODY,
         "为您推荐：水土保持工作总结范文、水保站长述职报告"],
        ["导读", "结构清晰", "为您推荐"],
    ),
    "tags_and_breadcrumb": (
        ["热搜词：水保讲话 坡耕地治理发言 生态讲话", "您的位置：首页 » 讲话致辞 » 水土保持", TITLE, *BODY,
         "收录于合集 #讲话稿 12个"],
        ["热搜词", "您的位置", "收录于合集"],
    ),
    "pdf_pages": (
        [TITLE, *BODY[:3], "- 第 2 页 -", *BODY[3:5], "2 / 7", *BODY[5:], "Page 3"],
        ["第2页", "27", "Page3"],
    ),
    "site_name_after_paragraphs": (
        [TITLE, *[line + ("——笔墨斋" if line.endswith("。") else "") for line in BODY]],
        ["笔墨斋"],
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_furniture_of_pages_from_new_sites_goes(name):
    lines, noise = PAGES[name]
    cleaned = clean_corpus([normalize("\n".join(lines))])[0]
    speeches, _ = split_speeches(cleaned, name + ".txt")
    assert [s.title for s in speeches] == [TITLE]
    kept = core_text("".join(p for s in speeches for p in [s.title, *s.paragraphs]))
    assert _lost(kept, BODY) == []
    assert [n for n in noise if core_text(n) in kept] == []


@pytest.mark.parametrize("glossed", [
    "今天召開全縣水土保持工作會huì議，主要任務是總結去年工作。",
    "今天召開全縣水土保持工作會/huì/議，主要任/rèn/務是總/zǒng/結去年工作。",
    "今天召開全縣水土保持工作會「huì」議，主要任「rèn」務是總「zǒng」結去年工作。",
    "今天召開全縣水土保持工作會§hui4§議，主要任§ren4§務是總§zong3§結去年工作。",
    "今天召開全縣水土保持工作會（拼音：huì）議，主要任（拼音：rèn）務是總（拼音：zǒng）結去年工作。",
    "今天召開全縣水土保持工作會~huì議，主要任~rèn務是總~zǒng結去年工作。",
    "今天召開全縣水土保持工作會hui⁴議，主要任ren⁴務是總zong³結去年工作zuo⁴。",
    "今天召開全縣水土保持工作會⟪ㄏㄨㄟˋ⟫議，主要任⟪ㄖㄣˋ⟫務是總⟪ㄗㄨㄥˇ⟫結去年工作。",
    "今天召開全縣水土保持工作會huì議，主要任rèn務是總zǒng結去年工作，同志們men要抓緊。",
    "今天召開全縣水土保持工作會［hui˥˩］議，主要任［ren˥˩］務是總［zong˨˩˦］結去年工作。",
    "今天召開全縣水土保持工作{會|huì}議，主要{任|rèn}務是{總|zǒng}結去年工作。",
    "今天召開全縣水土保持工作⟨會/hui4⟩議，主要⟨任/ren4⟩務是⟨總/zong3⟩結去年工作。",
])
def test_glosses_in_other_brackets_and_bare_pinyin_go(glossed):
    kept = _kept([TITLE, "同志們：", glossed])
    assert core_text("今天召開全縣水土保持工作會議，主要任務是總結去年工作。") in kept
    assert "huì" not in kept


def test_a_title_and_salutation_glossed_as_ruby_text_stay():
    kept = _kept(["在全縣{水|shuǐ}土保持{工|gōng}作{會|huì}議上的{講|jiǎng}話",
                  "各位{代|dài}表、同{志|zhì}們：",
                  "{今|jīn}天召開全縣水土保持工作會議，主要任務是總結去年工作。",
                  "{做|zuò}好今年的工作，我{講|jiǎng}三點意見："])
    for line in ("在全縣水土保持工作會議上的講話", "各位代表、同志們：", "做好今年的工作，我講三點意見："):
        assert core_text(line) in kept
    assert "{" not in kept and "huì" not in kept


def test_strings_wedged_into_words_go_and_terms_in_latin_letters_stay():
    noisy = [TITLE, "同志们：",
             "今天召开全县水土保 q9#Lk 持工作推进会，主要任务是回顾 ~x7~ 去年工作。",
             "要把坡耕地治理作为 zz_31 重点，推进 7QXRT 梯田改造，防止水土流失。",
             "今年要推进梯田改造。"]
    kept = _kept(noisy)
    for junk in ("q9", "Lk", "x7", "zz31", "7QXRT"):
        assert junk not in kept
    assert core_text("要把坡耕地治理作为重点，推进梯田改造，防止水土流失。") in kept
    terms = [TITLE, "同志们：",
             "全县建成 5G 基站 300 个，PM2.5 浓度下降 8%，新增 iPhone 维修网点和 P2P 风险排查。",
             "对 H7N9 和 COVID-19 的防控经验要认真总结，执行 GB/T 标准。"]
    assert _lost(_kept(terms), terms[2:]) == []


@pytest.mark.parametrize("runs", [
    ["Σλφπ", "ЖдкУн", "ΩψЛб7"],  # other scripts
    ["▲42◎7", "17■□", "◈☆3"],  # decorations with digits
    ["%E4%B8%AD%E5", "7F%2A%C3%9B", "%A1%A2%0D"],  # percent-encoded bytes
    ["qrtvbnzk", "hxdfplmw", "ktrsvbqz"],  # letters drawn at random
    ["ⓚⓡ④ⓦ", "𝐐𝟕𝐙𝐱", "ⓑ𝟐ⓣⓣ"],  # circled and mathematical letters
    ["730194826551", "4420183377", "9182736450"],  # long digit runs
    ["⠓⠑⠇⠏", "╠═3╣", "٤٧٫٢٠١"],  # Braille, box drawing, Arabic-Indic digits
])
def test_strings_of_other_shapes_strewn_over_a_page_go(runs):
    sentences = ["今天召开全县水土保持工作推进会。", "主要任务是回顾去年工作。", "要把坡耕地治理作为重点。",
                 "推进梯田改造，防止水土流失。"]
    kept = _kept([TITLE, "同志们：", "".join(s + r for s, r in zip(sentences, [*runs, ""]))])
    assert _lost(kept, sentences) == []
    assert not any(core_text(r) and core_text(r) in kept for r in runs)


def test_a_page_counter_in_words_and_a_name_between_dashes_go():
    lines = [TITLE, "同志们：", BODY[1] + "—笔下文苑—", "共二页之第一页", BODY[3] + "—笔下文苑—",
             "第二页（共二页）", BODY[5] + "—笔下文苑—"]
    kept = _kept(lines)
    assert _lost(kept, [BODY[1], BODY[3], BODY[5]]) == []
    assert "笔下文苑" not in kept and "二页" not in kept


@pytest.mark.parametrize("joiner", ["¦", "·", "*", "#", "~"])
def test_runs_joined_by_marks_speech_does_not_write_go(joiner):
    runs = [joiner.join(parts) for parts in (["Qe", "7T", "x"], ["81", "4406", "29"], ["pZ", "Kw", "R3", "j"])]
    sentences = ["今天召开全县水土保持工作推进会。", "主要任务是回顾去年工作。", "要把坡耕地治理作为重点。",
                 "推进梯田改造，防止水土流失。"]
    kept = _kept([TITLE, "同志们：", "".join(s + r for s, r in zip(sentences, [*runs, ""]))])
    assert _lost(kept, sentences) == []
    assert not re.search(r"[A-Za-z0-9]", kept)


def test_a_page_strewn_with_odd_words_loses_them_and_a_speech_naming_products_keeps_them():
    odd = ["kuoR8TTQ", "avWX", "Bxqt", "hmPZ3e"]
    sentences = ["今天召开全县水土保持工作推进会。", "主要任务是回顾去年工作。", "要把坡耕地治理作为重点。",
                 "推进梯田改造，防止水土流失。"]
    kept = _kept([TITLE, "同志们：", "".join(s + o for s, o in zip(sentences, odd))])
    assert _lost(kept, sentences) == [] and not re.search(r"[A-Za-z]", kept)
    named = ["要用好ChatGPT、HarmonyOS等新工具，iPhone15和macOS的适配也要跟上，公共场所免费Wi-Fi要全覆盖。",
             "3·15前后要集中开展消费维权宣传，mRNA疫苗、eSIM和WeChat小程序的监管都要跟进。"]
    assert _lost(_kept([TITLE, "同志们：", *named]), named) == []


def test_an_aside_broken_over_a_line_end_goes_whole():
    lines = [TITLE, "同志们：", "这次推进会的主要任务是回顾去年工作。（转自：", "笔墨文苑）",
             "各乡镇要摸清坡耕地底数，防止水土继续流失。"]
    kept = _kept(lines)
    assert "笔墨文苑" not in kept and "转自" not in kept
    assert _lost(kept, ["这次推进会的主要任务是回顾去年工作。", lines[4]]) == []


def test_the_finishing_pass_folds_each_paragraph_once(monkeypatch):
    calls = []
    fold = rag.corpus.clean.to_simplified
    monkeypatch.setattr(rag.corpus.clean, "to_simplified", lambda text: calls.append(text) or fold(text))
    text = normalize("\n".join([TITLE, *BODY] * 3))
    prepared = rag.corpus.clean._prepare(text)
    calls.clear()
    rag.corpus.clean._finish(prepared, rag.corpus.clean.CorpusStats.from_paragraphs([prepared.paragraphs]))
    assert len(calls) <= len(prepared.paragraphs)


# --- splitting: what follows the speech's last sentence ---------------------------

def _split(lines: list[str]):
    return split_speeches(CleanedText(lines), "x.txt")


def test_a_list_after_the_last_sentence_is_not_speech():
    tail = ["往期回顾", "乡镇工作总结的五个要点", "新手报道，多多指教"]
    speeches, removed = _split([TITLE, *BODY, *tail])
    assert speeches[0].paragraphs == BODY
    assert [r.text for r in removed if r.reason == "links after the speech"] == tail


def test_one_line_without_a_stop_after_the_speech_stays():
    speeches, _ = _split([TITLE, *BODY, "谢谢大家"])
    assert speeches[0].paragraphs == [*BODY, "谢谢大家"]


def test_a_heading_left_last_by_a_cut_page_stays():
    speeches, _ = _split([TITLE, *BODY[:5], "三、加强监测评价", "相关文档", "水保方案编制要点"])
    assert speeches[0].paragraphs == [*BODY[:5], "三、加强监测评价"]


def test_a_title_that_names_members_is_still_the_title():
    title = "在全县个体工商户会员服务中心揭牌仪式上的讲话"
    speeches, _ = _split(["个体工商户讲话稿范文（精选3篇）", title, *BODY])
    assert speeches[0].title == title


# --- text that lost its line breaks, and text hard-wrapped -------------------------

def test_site_lines_glued_before_sentences_on_one_line_go():
    # A page copied as one line: what were line breaks are spaces.
    line = " ".join([
        "文章来源：笔墨网 发布时间：2023年5月6日", TITLE, "同志们：", BODY[1],
        "本篇经授权转载 " + BODY[3], "喜欢就点个关注，每天更新 " + BODY[6],
    ])
    kept = _kept([line])
    assert _lost(kept, [TITLE, BODY[1], BODY[3], BODY[6]]) == []
    for noise in ("笔墨网", "2023年5月6日", "授权转载", "点个关注"):
        assert core_text(noise) not in kept


def test_a_name_glued_after_many_sentences_of_one_line_goes():
    line = " ".join([TITLE, "同志们：", BODY[1] + "（笔墨园）", BODY[3] + "（笔墨园）", BODY[6] + "·公文坊·",
                     BODY[5] + "·公文坊·"])
    kept = _kept([line])
    assert "笔墨园" not in kept and "公文坊" not in kept
    assert _lost(kept, [BODY[1], BODY[3], BODY[5], BODY[6]]) == []


def test_a_title_glued_after_a_site_line_stays():
    kept = _kept(["加老师微信一对一辅导 " + TITLE, *BODY])
    assert core_text(TITLE) in kept and "老师微信" not in kept
    kept = _kept(["栏目：讲话致辞  人气：6598", TITLE, *BODY])
    assert "讲话致辞" not in kept


def test_an_anti_scraping_string_inside_a_sentence_leaves_it_whole():
    # The string's spaces go with it: the sentence is not cut into short pieces judged alone.
    sentence = "涉密内容不得随意上传到 gh//2k 各类网站和网盘。"
    kept = _kept([TITLE, "同志们：", BODY[1], sentence, BODY[6]])
    assert core_text("涉密内容不得随意上传到各类网站和网盘。") in kept


def test_lines_of_a_wrapped_speech_are_not_taken_for_keywords_or_watermarks():
    wrapped = [TITLE, "同志们：",
               "各单位主要负责同志 uu 8k P 是本单位网络安全第一",
               "责任人。要加强关键信息基础设施安全保护。",
               "去年的工作，群众看在眼里、记在心上。希望大家",
               "真抓实干，把今年的各项任务落到实处。",
               "今年的任务很重，时间很紧。希望大家",
               "坚定信心，攻坚克难，确保全年目标如期实现。"]
    cleaned = clean_corpus([normalize("\n".join(wrapped))] * 2)
    for c in cleaned:
        kept = core_text("".join(c.lines))
        assert core_text("各单位主要负责同志是本单位网络安全第一责任人。") in kept
        assert core_text("希望大家真抓实干") in kept and core_text("希望大家坚定信心") in kept


def test_a_title_naming_a_ware_between_site_lines_stays():
    title = "在全市机关公文写作能力提升培训班开班式上的讲话"
    kept = _kept(["以上内容由某某小助手整理，仅供参考。", title, "相关专题：乡村振兴讲话稿汇编", *BODY])
    assert core_text(title) in kept


def test_the_site_talk_score_knows_wordings_no_rule_was_written_for():
    from rag.corpus.site_talk import CATCH, RESCUE, site_talk

    for line in ("点击下方链接即可免费领取本文完整Word版", "更多优质公文模板，尽在本站资料库",
                 "本站所有文章均来自网络，如有侵权请联系删除"):
        assert site_talk(line) >= CATCH, line
    for sentence in ("要引导商户开通线上店铺，用好直播带货、扫码支付等新方式。",
                     "全县实现地区生产总值一百二十亿元，同比增长百分之六点二。"):
        assert site_talk(sentence) < RESCUE, sentence


@pytest.mark.parametrize("sentence", [
    "要组织电商专班手把手教农户开网店，教他们怎么做直播、怎么引导顾客点击关注、怎么设置商品链接。",
    "要督促平台落实责任，对诱导未成年人充值开通会员、点击链接购买虚拟装备的行为严肃查处。",
])
def test_a_speech_sentence_full_of_web_words_stays_when_it_reads_as_speech(sentence):
    lines = [TITLE, *BODY[:3], BODY[3] + sentence + "要狠抓落实，确保各项任务按时完成。", *BODY[4:]]
    assert _lost(_kept(lines), lines) == []


def test_a_paywall_glued_before_a_sentence_still_goes():
    lines = [TITLE, *BODY[:3], "剩余70%的内容需登录后解锁，点此继续阅读。" + BODY[3], *BODY[4:]]
    kept = _kept(lines)
    assert _lost(kept, [BODY[3]]) == [] and "解锁" not in kept


def test_a_short_line_with_a_site_word_stays_when_it_reads_as_speech():
    lines = [TITLE, *BODY, "感谢各位会员单位一年来的支持！"]
    assert _lost(_kept(lines), lines) == []


def test_a_running_header_a_table_of_contents_and_escaped_markup_go():
    lines = [TITLE, "目录", "一、把坡耕地治理摆在突出位置…………………… 1", "二、管住生产建设项目…………………… 2",
             "同志们：", BODY[1], TITLE + " 2", BODY[3], TITLE + " 3",
             "\\u003cp\\u003e" + BODY[5] + "\\u003c/p\\u003e\\n" + BODY[6]]
    kept = _kept(lines)
    assert _lost(kept, [BODY[1], BODY[3], BODY[5], BODY[6]]) == []
    assert kept.count(core_text(TITLE)) == 1 and "目录" not in kept and "u003c" not in kept
    assert kept.count(core_text("把坡耕地治理摆在突出位置")) == 0


@pytest.mark.parametrize("labels", [["◎ 稿例一", "◎ 稿例二"], ["参考稿A", "参考稿B"]])
def test_speeches_counted_by_a_label_of_any_wording_are_split(labels):
    other = "在全县林长制工作会议上的讲话"
    for glued in (False, True):
        first, second = (labels[0] + TITLE, labels[1] + other) if glued else (labels[0], labels[1])
        lines = [first, *([] if glued else [TITLE]), *BODY[:2], second, *([] if glued else [other]), *BODY[2:]]
        speeches, _ = split_speeches(clean_text(normalize("\n".join(lines))), "x.txt")
        assert [s.title for s in speeches] == [TITLE, other]


def test_lines_ending_in_a_lead_in_are_not_titles_or_salutations_and_page_numbers_in_words_go():
    lines = [TITLE + "，全文如下：", "◇ 一 ◇", TITLE, *BODY[:3], "－二－", *BODY[3:]]
    kept = _kept(["\u2028".join(lines)])
    assert kept.startswith(core_text(TITLE + BODY[0])) and "全文如下" not in kept
    assert core_text(BODY[2] + BODY[3]) in kept and _lost(kept, BODY) == []


def test_a_list_the_speech_announces_stays_and_page_fields_go():
    targets = ["粮食总产量：52万吨", "农村居民人均可支配收入：2.3万元", "新建高标准农田：8万亩"]
    lines = [TITLE, "栏目：讲话致辞", "人气：6598", *BODY[:2], "今年全县农业农村工作的主要预期目标如下：", *targets, *BODY[2:]]
    kept = _kept(lines)
    assert _lost(kept, ["今年全县农业农村工作的主要预期目标如下：", *targets, *BODY]) == []
    assert "人气" not in kept and "栏目" not in kept


def test_rich_text_source_pasted_as_text_gives_its_text():
    rtf = "".join("{\\pard\\qj\\fi480 {\\loch\\f2\\hich\\af2 \\u12288?" + line + "}\\par}\n" for line in [TITLE, *BODY])
    assert _lost(_kept([rtf]), [TITLE, *BODY]) == []
    assert "pard" not in _kept([rtf])


def test_tex_source_pasted_as_text_gives_its_text_and_its_quote_marks():
    quoted = "要把“放管服”改革往深里推。"
    tex = "".join("\\par{\\fangsong\\fontsize{16pt}{28pt}\\selectfont \\hspace*{2em}" + line + "}\\\\[4pt]\n"
                  for line in [TITLE, *BODY, quoted.replace("“", "``").replace("”", "''")])
    cleaned = "\n".join(clean_text(normalize(tex)).lines)
    assert _lost(_kept([tex]), [TITLE, *BODY, quoted]) == [] and quoted in cleaned
    assert not any(word in cleaned for word in ("fangsong", "16pt", "2em", "4pt", "\\", "{"))


def test_tags_of_office_formats_and_page_numbers_in_any_numerals_go():
    body = [line.replace("，", "，<text:soft-page-break/>", 1) for line in BODY]
    kept = _kept([TITLE, *body[:3], "✧ Ⅱ ✧", *body[3:5], "〘③〙", *body[5:]])
    assert _lost(kept, BODY) == [] and "softpagebreak" not in kept
    assert "Ⅱ" not in kept and "③" not in kept


def test_html_comments_wiki_templates_and_game_pieces_go():
    body = [BODY[0], "{{clear}}" + BODY[1], BODY[2] + "<!-- /editor -->", BODY[3] + "🂡🂮🂱🃁", *BODY[4:]]
    kept = _kept([TITLE, *body])
    assert _lost(kept, BODY) == [] and "clear" not in kept and "editor" not in kept
    assert not any("\U0001f000" <= ch <= "\U0001f0ff" for ch in kept)


def test_running_page_numbers_in_cheque_numerals_or_traditional_characters_go():
    header = "全县水土保持工作推进会材料汇编"
    kept = _kept([TITLE, *BODY[:3], f"{header}　第贰頁", *BODY[3:5], f"{header}　第叁頁", *BODY[5:]])
    assert _lost(kept, BODY) == [] and "贰" not in kept and "材料汇编" not in kept


def test_markup_that_is_not_a_whole_tag_stays_text_on_any_page():
    line = "<svg/onload=alert(1)>今天召开全县水土保持工作推进会，<img/src=x onerror=alert(1)>主要任务是回顾去年工作。"
    assert "onerror=alert(1)" in "\n".join(clean_text(normalize("\n".join([TITLE, "同志们：", line]))).lines)


def test_people_addressed_by_any_name_are_a_salutation_not_web_slang():
    kept = _kept(["在全镇秋收动员会上的讲话", "父老乡亲们，", "今年秋粮长势好，要抓紧抢收。"])
    assert core_text("父老乡亲们") in kept
    kept = _kept(["在全县非遗展演启动仪式上的讲话", "各位传承人、乡亲们：", "今天，全县非遗展演正式启动。"])
    assert core_text("各位传承人、乡亲们：") in kept


def test_a_title_whose_last_words_wrapped_onto_their_own_line_stays_whole():
    kept = _kept(["在全市物流园区建设推进会暨项目签约仪式上", "的讲话", "", "同志们：",
                  "今天，我们召开物流园区建设推进会，六个项目集中签约。"])
    assert core_text("在全市物流园区建设推进会暨项目签约仪式上的讲话") in kept


def test_letters_of_scripts_no_speech_is_written_in_go_even_once():
    kept = _kept([TITLE, "同志们：", "今年要把坡耕地治理ᚠᚢᚦᚨ作为重点，推进梯田改造。",
                  "α粒子和β射线的防护知识，要纳入培训。"])
    assert core_text("今年要把坡耕地治理作为重点，推进梯田改造。") in kept
    assert "ᚠ" not in kept and core_text("α粒子和β射线的防护知识") in kept


def test_page_numbers_in_odd_brackets_and_decorations_of_a_notice_go():
    kept = _kept([TITLE, "同志们：▓▓ 以下内容需开通会员后查看 ▓▓", "今年要推进梯田改造。", "〖二〗",
                  "要把坡耕地治理作为重点。"])
    assert "▓" not in kept and "〖" not in kept and "会员" not in kept
    assert core_text("同志们：今年要推进梯田改造。要把坡耕地治理作为重点。") in kept


def test_a_site_name_in_tortoise_brackets_goes_after_sentences_and_after_the_title():
    kept = _kept(["在全县水土保持工作推进会上的讲话〔某某范文苑〕", "同志们：",
                  "今年要推进梯田改造。〔某某范文苑〕", "要把坡耕地治理作为重点。〔某某范文苑〕"])
    assert "范文苑" not in kept
    assert core_text("在全县水土保持工作推进会上的讲话同志们今年要推进梯田改造") in kept


def test_a_line_naming_a_programme_with_a_title_word_in_it_is_no_title():
    from rag.corpus.structure import is_title_like
    assert not is_title_like("某某电台收听《讲话稿写作课》第12期")
    assert not is_title_like("加入“讲稿研习社”交流群")
    assert is_title_like("《在全县水土保持工作会议上的讲话》")
    assert is_title_like("在“两学一做”学习教育动员会上的讲话")


def test_a_sentence_scored_between_the_edge_and_prose_thresholds_goes_only_above_a_title(monkeypatch):
    import rag.corpus.clean as clean
    blurb = "这一篇的结构和语言都值得好好体会一番。"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.85 if "体会一番" in text else 0.0)
    kept = _kept([blurb, TITLE, "同志们：", *BODY])
    assert "体会一番" not in kept and _lost(kept, BODY) == []
    kept = _kept([TITLE, "同志们：", BODY[0], blurb, *BODY[1:]])
    assert "体会一番" in kept


def test_after_the_closing_words_a_sentence_between_the_thresholds_goes(monkeypatch):
    import rag.corpus.clean as clean
    remark = "这一篇的结构和语言都值得好好体会一番。"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.85 if "体会一番" in text else 0.0)
    kept = _kept([TITLE, "同志们：", *BODY, "谢谢大家！", remark])
    assert "体会一番" not in kept and core_text("谢谢大家") in kept
    kept = _kept([TITLE, "同志们：", BODY[0], "谢谢大家！", TITLE, "同志们：", remark, *BODY[1:]])
    assert "体会一番" in kept  # a new speech began


def test_a_running_header_goes_with_a_page_number_in_words_or_none():
    header = "某某文稿库 · 机关写作好帮手"
    kept = _kept([TITLE, "同志们：", BODY[0], "第一页", header, BODY[1], "第二页", header, *BODY[2:]])
    assert "文稿库" not in kept and "第一页" not in kept and _lost(kept, BODY) == []


def test_a_site_line_before_a_compilations_marker_or_the_salutation_is_at_the_edge(monkeypatch):
    import rag.corpus.clean as clean
    note = "这一篇的结构和语言都值得好好体会一番。"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.85 if "体会一番" in text else 0.0)
    kept = _kept([TITLE, "同志们：", *BODY[1:], note, "◆ 范文二", TITLE, *BODY])
    assert "体会一番" not in kept and _lost(kept, BODY) == []
    kept = _kept([TITLE, note, *BODY])
    assert "体会一番" not in kept and _lost(kept, BODY) == []


def test_the_rest_of_a_noise_phrases_own_sentence_goes_with_it(monkeypatch):
    import rag.corpus.clean as clean
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.9 if "须知" in text else 0.5 if "揣摩" in text else 0.0)
    kept = _kept(["【阅读须知】这一篇结构严谨、用语平实，值得各位反复揣摩体会。", TITLE, *BODY])
    assert "揣摩体会" not in kept and _lost(kept, BODY) == []
    # Glued to a paywall with nothing between, the speech's sentence stays.
    kept = _kept([TITLE, "同志们：", "剩余内容需付费查看" + BODY[1], *BODY[2:]])
    assert _lost(kept, BODY[1:]) == []


def test_a_paragraph_printed_again_and_again_with_a_notice_in_it_goes_whole():
    notice = "所有内容仅代表个人观点。转载请联系站长授权。"
    kept = _kept([TITLE, "同志们：", BODY[1], notice, BODY[2], BODY[3], notice, *BODY[4:], notice])
    assert "仅代表个人观点" not in kept and _lost(kept, BODY) == []


def test_numbers_a_reviewer_put_before_each_line_go_and_the_lines_join():
    lines = [TITLE, "同志们：", "这次推进会的主要任务是回顾去年水土保持", "工作，研究部署今年的重点任务。",
             "一、把坡耕地治理摆在突出位置", "各乡镇要摸清坡耕地底数，因地制宜推进梯田改造和保", "护性耕作。"]
    kept = _kept([f"{n} {line}" for n, line in enumerate(lines, start=1)])
    assert core_text("重点任务一把坡耕地") in kept and core_text("梯田改造和保护性耕作") in kept
    assert not re.search(r"\d", kept)


def test_after_the_speech_a_whole_sentence_a_space_cut_off_is_judged_as_a_sentence(monkeypatch):
    import rag.corpus.clean as clean
    comment = "楼上说得对，这一篇的结构值得好好体会一番。"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.85 if "体会一番" in text else 0.0)
    kept = _kept([TITLE, *BODY, "谢谢大家！", "点赞 12 " + comment])
    assert "体会一番" not in kept and _lost(kept, BODY) == []


def test_a_rich_text_editors_json_export_leaves_its_text():
    lines = [TITLE, *BODY]
    exported = "".join('{"insert":"' + line + '"},{"attributes":{"header":2},"insert":"\\n"},' for line in lines)
    kept = _kept([exported])
    assert _lost(kept, BODY) == [] and "insert" not in kept and "attributes" not in kept


def test_footnote_marks_and_the_lines_of_notes_go():
    body = [BODY[0], "这次推进会的主要²任务是回顾去年水土保持工作，研究部署今年的重点³任务。", *BODY[2:]]
    kept = _kept([TITLE, *body[:2], "注释：²任（rèn） ³务（wù）", *body[2:]])
    assert _lost(kept, BODY) == [] and "注释" not in kept and "rèn" not in kept


def test_a_bracketed_site_mark_set_into_words_goes_wherever_it_falls():
    mark = "〖青檀文苑〗"
    body = [BODY[0], "这次推进会的主要任务是回" + mark + "顾去年水土保持工作，研究部署今年的重点任务。",
            BODY[2], "各乡镇要摸清坡耕地底数，因地制" + mark + "宜推进梯田改造和保护性耕作，防止水土继续流失。",
            BODY[4], "凡是扰动地表的建设项目都要编报水土保持方案，未批" + mark + "先建的一律停工整改。要把监督检查的结果向社会公开。",
            *BODY[6:]]
    kept = _kept([TITLE, *body])
    assert "青檀文苑" not in kept and _lost(kept, BODY) == []


def test_symbols_of_the_technical_block_are_shapes_speech_does_not_write():
    from rag.corpus.clean import odd_runs
    assert [m.group() for m in odd_runs("要推行延时服务、⍟⏏⌘预约服务")] == ["⍟⏏⌘"]
    assert odd_runs("PM2.5年均浓度下降3.5%，GDP增长6%") == []


def test_the_speaker_turning_to_the_audience_after_a_glued_ad_stays():
    ad = "《公文写作一本通》纸质版现货发售，扫码下单立减10元，点此购买"
    kept = _kept([TITLE, *BODY[:-1], ad + "同志们，保护水土就是保护饭碗。"])
    assert core_text("保护水土就是保护饭碗") in kept and "一本通" not in kept and _lost(kept, BODY[:-1]) == []


def test_a_line_shaped_like_a_title_goes_when_the_score_is_sure_it_is_a_sites(monkeypatch):
    import rag.corpus.clean as clean
    plug = "某某公文号更新啦：五分钟看懂讲话的结构"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.97 if "更新啦" in text else 0.0)
    kept = _kept([TITLE, *BODY[:3], plug, *BODY[3:]])
    assert "更新啦" not in kept and _lost(kept, BODY) == []
    # A speech's title it names is not read by the score: the marker goes later, the title stays.
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.97 if "〘" in text else 0.0)
    kept = _kept(["〘稿1〙" + TITLE, *BODY])
    assert core_text(TITLE) in kept


def test_what_stands_before_a_noise_word_stays_only_if_it_does_not_read_as_a_site(monkeypatch):
    import rag.corpus.clean as clean
    ad = "某某牌点读笔暑期大促销，拍一下就能查生字，家长群里下单立减9.90元"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.96 if "点读笔" in text else 0.0)
    kept = _kept([TITLE, *BODY[:3], ad, *BODY[3:]])
    assert "点读笔" not in kept and _lost(kept, BODY) == []


def test_tone_marks_typed_as_combining_accents_and_any_line_end_are_read_as_such():
    body = [BODY[0], "这次推进会的主要任务是回\u2e1chui\u0300\u2e1d顾去年水土保持工作，研究部署今年的重点任务。", *BODY[2:]]
    kept = _kept(["\x0b".join([TITLE, *body])])
    assert _lost(kept, BODY) == [] and "hui" not in kept


def test_a_gloss_of_a_whole_word_goes():
    body = [BODY[0], "这次推进会的主要任务⦉rènwù⦊是回顾去年水土保持⦉shuǐtǔbǎochí⦊工作，研究部署今年的重点任务。",
            *BODY[2:]]
    kept = _kept([TITLE, *body])
    assert _lost(kept, BODY) == [] and "wù" not in kept and "⦉" not in kept


def test_a_title_printed_on_page_after_page_is_kept_once():
    kept = _kept([TITLE, *BODY[:3], TITLE, *BODY[3:5], TITLE, *BODY[5:]])
    assert kept.count(core_text(TITLE)) == 1 and _lost(kept, BODY) == []


def test_a_paywall_set_into_a_sentence_leaves_both_halves():
    last = "希望大家趁着秋冬农闲的好时机，撸起袖子加油干，为明年的水土保持打下坚实基础。"
    cut = last.replace("为明年", "点击展开剩余62%内容 ▾为明年")
    kept = _kept([TITLE, *BODY, cut])
    assert core_text(last) in kept and "展开" not in kept


def test_a_table_of_contents_with_short_leaders_and_page_numbers_goes():
    contents = ["目录", "一、把坡耕地治理摆在突出位置……2", "二、管住生产建设项目……3"]
    kept = _kept([*contents, TITLE, *BODY])
    assert kept.count(core_text("把坡耕地治理摆在突出位置")) == 1 and _lost(kept, BODY) == []


def test_people_addressed_one_after_another_as_members_are_a_salutation():
    from rag.corpus.structure import is_salutation
    assert is_salutation("各位会员，各位姐妹：") and is_salutation("尊敬的各位评委：")
    assert not is_salutation("各位要注意这个问题：")
    kept = _kept([TITLE, "各位会员，各位姐妹：", *BODY[1:]])
    assert core_text("各位会员各位姐妹") in kept


def test_a_short_line_of_pieces_the_score_reads_whole_as_a_sites_goes_whole(monkeypatch):
    import rag.corpus.clean as clean
    line = "暑期好物 打印机以旧换新，最高补贴八百元"
    monkeypatch.setattr(clean, "site_talk", lambda text: 0.95 if "好物" in text and "以旧换新" in text else 0.0)
    kept = _kept([TITLE, *BODY[:3], line, *BODY[3:]])
    assert "以旧换新" not in kept and _lost(kept, BODY) == []
