"""The workspace as a person uses it: `wengao serve` in a subprocess, driven through Debian's Chromium.

One browser page goes through the tabs in order, as a speechwriter would:
propose an outline and expand a point, type a point of one's own and follow a
citation, assemble and export the speech, then add a document to the corpus.
Screenshots of each view are saved in tests/artifacts/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document

from ui.library import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.models

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Headless, and off the network: the workspace must work without it.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
GENERATION_MS = 420_000  # one generation of a short section on two busy cores, prompt reading included
STARTUP_S = 240
TYPED_POINT = "要在督查落实上下功夫"
# Markup that survives cleaning (well-formed tags are taken out as HTML residue) and that a
# browser would still run if it were inserted as HTML rather than shown as text.
HOSTILE = "<svg/onload=alert(1)>"
HOSTILE_IMG = "<img/src=x onerror=alert(1)>"
# Inside a sentence, where cleaning keeps it (a tag trailing a line is stripped as page residue).
UPLOAD = (f"在全市档案工作会议上的讲话\n\n同志们：\n{HOSTILE}今天我们召开全市档案工作会议，{HOSTILE_IMG}"
          "研究部署数字档案馆建设工作。\n一、加快推进档案数字化\n要加快馆藏档案数字化进度，做好电子文件归档，推进数字档案馆建设。\n"
          "二、强化档案安全管理\n要落实档案安全责任制，定期开展档案安全检查，确保档案实体安全和信息安全。\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"wengao serve exited with {proc.returncode}:\n{log.read_text('utf-8')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    pytest.fail(f"wengao serve did not open port {port} in {STARTUP_S} s:\n{log.read_text('utf-8')}")


@pytest.fixture(scope="module")
def server(real_index, tmp_path_factory):
    """`wengao serve` on a free port over a copy of the bundled index, its home a fresh folder."""
    settings, _ = real_index
    home = tmp_path_factory.mktemp("serve-home")
    shutil.copytree(settings.index_dir, home / "index")
    port = free_port()
    log = home / "serve.log"
    env = os.environ | {"WENGAO_HOME": str(home), "WENGAO_LLM": "qwen2.5-coder-0.5b"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--port", str(port),
                                 "--index", str(home / "index")], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log)
        yield f"http://127.0.0.1:{port}", home
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "Traceback" not in log.read_text("utf-8")


@pytest.fixture(scope="module")
def page(server):
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: run `make browser`")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    url, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000},
                                      accept_downloads=True)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        yield page
        assert page.dialogs == [], "corpus text ran as script"
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def tab(page, name: str):
    page.get_by_role("tab", name=name).click()
    return page.locator(".tabitem:visible")


def wait_until_done(view, timeout: int = GENERATION_MS) -> str:
    """The status line once a request has ended, however it ended."""
    notice = view.locator(".status .notice.done, .status .notice.warn, .status .notice.error").first
    notice.wait_for(timeout=timeout)
    return notice.inner_text()


def expand(view, card) -> None:
    card.get_by_role("button", name="扩写此要点").click()
    # The section streams in before it is checked.
    card.locator(".section .streaming p").first.wait_for(timeout=GENERATION_MS)
    status = wait_until_done(view)
    assert "扩写完成" in status, status


def test_outline_is_proposed_and_a_point_expanded(page):
    view = tab(page, "提纲扩写")
    view.get_by_label("讲话主题").fill("加强督查督办工作")
    view.get_by_label("场合").fill("全市办公室主任会议")
    view.get_by_label("要点数").click()
    page.get_by_role("option", name="2-4").click()
    view.get_by_role("button", name="生成提纲").click()
    status = wait_until_done(view)
    assert "已拟定" in status, status
    first = view.locator(".point-card").first
    first.wait_for()  # drawn once the outline has arrived
    first.get_by_label("字数").fill("50")
    first.get_by_label("字数").blur()
    expand(view, first)
    assert first.locator(".section .draft p").count() >= 1


def test_typed_point_is_expanded_and_its_citation_opens_the_passage(page):
    view = tab(page, "提纲扩写")
    cards = view.locator(".point-card")
    before = cards.count()
    view.get_by_label("新要点").fill(TYPED_POINT)
    view.get_by_role("button", name="添加要点").click()
    cards.nth(before).wait_for()
    card = cards.last
    assert card.locator("textarea, input").first.input_value() == TYPED_POINT
    card.get_by_label("字数").fill("50")
    card.get_by_label("字数").blur()
    expand(view, card)
    # A small model does not always write a sentence its sources support: ask again, as a person would.
    for _ in range(2):
        if card.locator(".section a.cite").count():
            break
        card.get_by_role("button", name="重新生成").click()
        card.locator(".section .streaming p").first.wait_for(timeout=GENERATION_MS)
        wait_until_done(view)
    link = card.locator(".section a.cite").first
    target = link.get_attribute("data-target")
    link.click()
    source = page.locator(f"#{target}")
    assert source.evaluate("el => el.open")
    passage = source.locator(".passage")
    assert passage.is_visible() and len(passage.inner_text()) > 20
    assert source.locator("summary").inner_text().startswith(link.inner_text())
    shot(page, "outline")


def test_speech_is_assembled_and_exported_as_word(page, tmp_path):
    # A long section being written does not hold up assembling, which generates nothing without frames.
    outline = tab(page, "提纲扩写")
    waiting = outline.locator(".point-card").nth(1)
    waiting.get_by_label("字数").fill("600")
    waiting.get_by_label("字数").blur()
    waiting.get_by_role("button", name="扩写此要点").click()
    outline.locator(".status .notice.busy").wait_for(timeout=10_000)
    view = tab(page, "全文组稿")
    view.get_by_label("标题", exact=True).fill("在全市办公室主任会议上的讲话")
    view.get_by_label("写开场白和结束语").uncheck()  # the sections are the subject here; frames cost minutes
    view.get_by_role("button", name="组稿").click()
    status = wait_until_done(view, timeout=20_000)
    assert "已组稿" in status, status
    outline = tab(page, "提纲扩写")
    assert outline.locator(".status .notice.busy").count() == 1, "the section was finished first"
    outline.get_by_role("button", name="停止").click()
    outline.locator(".status .notice.busy").wait_for(state="detached", timeout=GENERATION_MS)
    view = tab(page, "全文组稿")
    editor = view.locator("#speech-editor textarea")
    text = editor.input_value()
    assert text.startswith("# 在全市办公室主任会议上的讲话") and f"## {TYPED_POINT}" in text
    shot(page, "assemble")
    view.get_by_role("button", name="导出 Word（.docx）").click()
    link = view.locator("#speech-file a").first
    link.wait_for(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "speech.docx"
    download.value.save_as(path)
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    assert paragraphs[0] == "在全市办公室主任会议上的讲话"
    assert TYPED_POINT in paragraphs
    sources = paragraphs[paragraphs.index("参考材料") + 1:]
    assert sources and sources[0].startswith("[1]《")


def test_document_is_uploaded_found_in_search_shown_as_text_and_removed(page, server, tmp_path):
    _, home = server
    view = tab(page, "语料库")
    document = tmp_path / "档案<工作>讲话.txt"
    document.write_text(UPLOAD, "utf-8")
    view.locator("#corpus-upload input[type=file]").set_input_files(str(document))
    view.get_by_role("button", name="加入语料库").click()
    view.get_by_text("索引已更新").wait_for(timeout=120_000)
    assert view.locator("#speech-table").get_by_text("在全市档案工作会议上的讲话").count() == 1
    (stored,) = (home / "corpus").iterdir()  # under a name with nothing of the markup left
    assert stored.suffix == ".txt" and "档案" in stored.name and not set("<>/") & set(stored.name)

    view.get_by_label("检索语料").fill("召开全市档案工作会议")
    view.get_by_role("button", name="检索").click()
    result = view.locator(".result").first
    result.wait_for(timeout=30_000)
    assert "在全市档案工作会议上的讲话" in result.inner_text()
    # The markup in the document is shown as the text it is, and never becomes elements.
    assert HOSTILE in result.inner_text() and HOSTILE_IMG in result.inner_text()
    assert page.locator(".result svg, .result img").count() == 0
    shot(page, "corpus")

    view.get_by_label("移除讲话（连同其所在文件中的其他讲话）").click()
    page.get_by_role("option", name="在全市档案工作会议上的讲话").click()
    view.get_by_role("button", name="移除").click()
    view.get_by_text("已移除：在全市档案工作会议上的讲话").wait_for(timeout=120_000)
    assert view.locator("#speech-table").get_by_text("在全市档案工作会议上的讲话").count() == 0
    assert not list((home / "corpus").iterdir()) and (home / "trash" / stored.name).is_file()


def test_refused_uploads_and_requests_get_a_message(page, server, tmp_path):
    _, home = server
    view = tab(page, "语料库")
    wrong = tmp_path / "名单.exe"
    wrong.write_bytes(b"MZ" * 100)
    view.locator("#corpus-upload input[type=file]").set_input_files(str(wrong))
    view.get_by_role("button", name="加入语料库").click()
    view.get_by_text("不能加入语料库").wait_for(timeout=30_000)
    large = tmp_path / "汇编.txt"
    large.write_bytes("同志们：".encode() * (MAX_UPLOAD_BYTES // 12 + 1))
    view.locator("#corpus-upload input[type=file]").set_input_files(str(large))
    view.get_by_role("button", name="加入语料库").click()
    view.get_by_text("超过了 20 MB 的上限").wait_for(timeout=60_000)
    assert not (home / "corpus").exists() or not list((home / "corpus").iterdir())

    view = tab(page, "素材问答")
    view.get_by_role("button", name="发送").click()
    view.get_by_text("为空").wait_for(timeout=10_000)
    page.wait_for_timeout(1_000)
    assert page.locator(".toast-body").count() == 0  # a refused request stops before the queue, silently
    view.get_by_label("提问或要求").fill("红烧肉怎么做才好吃？")
    view.get_by_role("button", name="发送").click()
    answer = view.locator("#chat-transcript .notice.warn")
    answer.wait_for(timeout=60_000)
    assert "语料库中没有" in answer.inner_text() and "现有语料收录的讲话有" in answer.inner_text()
    shot(page, "chat")


def test_a_question_is_answered_with_quotes_first_whose_citations_open_their_passage(page):
    view = tab(page, "素材问答")
    view.get_by_label("提问或要求").fill("哪些讲话用了“身在兵位，胸为帅谋”这句话？")
    view.get_by_role("button", name="发送").click()
    # The quotes are on the page before the model has written a word of the synthesis.
    quotes = view.locator("#chat-transcript .quotes").last
    quotes.wait_for(timeout=60_000)
    assert view.locator("#chat-transcript .streaming").count() == 1
    assert quotes.locator("blockquote.quote").count() == 3
    assert all("身在兵位，胸为帅谋" in q for q in quotes.locator("blockquote.quote").all_inner_texts())
    status = wait_until_done(view)
    assert "完成" in status, status
    answer = view.locator("#chat-transcript .answer").last
    assert answer.locator(".quotes").count() == 1
    link = answer.locator(".quotes a.cite").nth(1)
    target = link.get_attribute("data-target")
    link.click()
    source = page.locator(f"#{target}")
    assert source.evaluate("el => el.open")
    assert "身在兵位，胸为帅谋" in source.locator(".passage").inner_text()
    # A follow-up is read with the question before: the second quote, in its whole passage.
    view.get_by_label("提问或要求").fill("第二条具体怎么说的？")
    view.get_by_role("button", name="发送").click()
    wait_until_done(view)
    follow = view.locator("#chat-transcript .answer").last
    assert "敢于胸为帅谋" in follow.locator(".quotes").inner_text()
    shot(page, "chat-quotes")
