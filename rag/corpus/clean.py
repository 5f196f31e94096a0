"""Separate speech text from the noise that web copies of speeches carry.

Nothing here lists any one site's strings. Noise is recognised by what it is, and
taken out as a span: a line that holds speech text keeps it, whatever is glued to it.

1. Marks inside the text: HTML tags left in a text file, pinyin glosses after
   characters (會(huì)議), anti-scraping strings of random ASCII, "N characters hidden",
   page counters.
2. Lines that are noise through and through (an address, a contact, navigation, a
   paywall prompt) are taken out first, so the text around them can be re-flowed.
3. Re-flow: lines a hard break cut inside a sentence are joined; a line that holds a
   whole speech is split where the speech's own structure starts (a salutation, a
   heading, a compilation marker, a paragraph indent).
4. Each paragraph is cut into sentences and each judged: advertising, paywall and
   template-site blurbs, keyword lists, boilerplate repeated across files, fragments
   wedged between noise, a teaser repeating the text below, a watermark glued after the
   last sentence. A title or salutation glued to noise is kept.

A sentence is judged by the kinds of site talk in it, not by a list of any site's lines: a
page speaks of itself (本文, 下文), to one reader (您), tells them to click or reply, names its
wares and prices, decorates with arrows and stars. A speech may touch one kind as its subject
(网站, 下载, 会员); a site's line packs several. The speech's own voice (我们, 各级, 要) and
plain prose on both sides of a sentence ask for more before it goes. In text that lost its
line breaks a space between two characters is where one was, and the pieces are judged
apart. What recurs is furniture: a name glued after sentence after sentence, a tail repeated
across lines and files. Each paragraph is folded to simplified characters once, and its
sentences are judged on the folded text.

Every character ends up either kept or in `removed` with a reason, so the cleaning can
be audited and tested for losing speech text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rag.corpus.site_talk import CATCH, CATCH_EDGE, CATCH_PROSE, RESCUE, names_a_title, site_talk
from rag.corpus.structure import (
    CN_NUM,
    COMPILATION_MARKER_BODY,
    COUNTED_LABEL,
    TERMINAL,
    ends_sentence,
    heading_of,
    is_salutation,
    is_structural,
    is_title_like,
    split_sentences,
)
from rag.corpus.traditional import to_simplified

# --- normalisation -------------------------------------------------------

_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”‘’（）《》、，。：；！？]"
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<={_CJK})[,:;!?()]|[,:;!?()](?={_CJK})")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})[ \t]+(?={_CJK})")
_SPACE_AT_FULLWIDTH = re.compile(r"(?<=[，。：；！？、（）“”])[ \t]+|[ \t]+(?=[，。：；！？、（）“”])")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_NEWLINE_ESCAPE = re.compile(r"(?:\\r)?\\n(?=[^\x00-\x7f]|\\|$)|(?<=[^\x00-\x7f])(?:\\r)?\\n")


# Rich-text source pasted as text ({\pard\qj {\loch\f2 同志们：}\par}): its control words go.
_RTF_WORD = re.compile(r"\\[a-z]{1,32}(?:-?\d{1,10})? ?")
_RTF_PARAGRAPH = re.compile(r"\\pard?\b")  # every paragraph of rich text ends in \par
RTF_PARAGRAPHS = 3


def _rtf_text(text: str) -> str:
    text = re.sub(r"\\u(-?\d{1,5})\??", lambda m: chr(int(m.group(1)) % 65536), text)
    text = re.sub(r"\\'[0-9a-fA-F]{2}", "", text)
    text = re.sub(r"\\(?:par|line)\b ?", "\n", text)
    return _RTF_WORD.sub("", text).replace("{", "").replace("}", "")


# TeX source pasted as text (\par{\zihao{3}\selectfont 同志们：}\\[6pt]): a command goes with the
# settings it takes (arguments with no Chinese in them), the text it sets stays, and ``…'' are
# its quote marks.
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?(?:\[[^\]\n]{0,40}\]|\{[^{}\u3400-\u9fff\n]{0,40}\})*")
_TEX_TAKING = re.compile(r"\\[A-Za-z]+\*?[{\[]")  # a command with an argument: no other source writes them
_TEX_BREAK = re.compile(r"\\\\(?:\[[^\]\n]{0,20}\])?|\\par\b")
TEX_COMMANDS = 3


def _tex_text(text: str) -> str:
    text = _TEX_BREAK.sub("\n", text).replace("``", "“").replace("''", "”")
    return _TEX_COMMAND.sub("", text).replace("{", "").replace("}", "")


_LINE_END = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def normalize(text: str) -> str:
    """Consistent punctuation and line ends; the same rules for every file.

    Spaces between Chinese characters stay until cleaning is done: they often mark where
    a banner or a heading ends in text that lost its line breaks.
    """
    # Every line end Unicode knows (a PDF's form feed, a word processor's vertical tab) is one;
    # tone marks typed as combining accents (zà\u0300i) are the letters they compose.
    text = _LINE_END.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    if "{\\rtf" not in text and len(_TEX_TAKING.findall(text)) >= TEX_COMMANDS:
        text = _tex_text(text)
    elif len(_RTF_PARAGRAPH.findall(text)) >= RTF_PARAGRAPHS:
        text = _rtf_text(text)
    # Text that went through a JSON string on its way (\u003cp\u003e, \u3000, \n), unescaped.
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = _NEWLINE_ESCAPE.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\u3000", " ").replace("\u00a0", " ")
    # Full-width letters and digits to ASCII, leaving CJK punctuation as it is.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff5a" else ch for ch in text
    )
    text = text.replace("...", "……").replace("。。。", "……")
    text = _PUNCT_NEAR_CJK.sub(lambda m: _ASCII_TO_FULL[m.group()], text)
    return _SPACE_AT_FULLWIDTH.sub("", text)


def _tidy(text: str) -> str:
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def core_text(text: str) -> str:
    """Letters and digits only: text compared without spaces and punctuation."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def spliced(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end) span, in order and not overlapping, replaced by its string."""
    out, at = [], 0
    for start, end, new in replacements:
        out += [text[at:start], new]
        at = end
    return "".join(out) + text[at:]


def bigrams(text: str) -> set[str]:
    """The character bigrams of `text`'s letters and digits: wording compared across sentences."""
    chars = core_text(text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


# --- marks inside the text -----------------------------------------------------

# Markup, also as escaped inside a script's string (<\/p>).
# An HTML or XML tag, an office format's own too (<text:line-break/>, <w:t>).
# An HTML comment (<!-- /lake -->) and a wiki's layout template ({{gap}}) are markup too.
_TAG = re.compile(r"<\\?/?[A-Za-z][A-Za-z0-9_:.-]*(?:\s[^<>\n]{0,300})?/?>|<!--[^\n]{0,300}?-->"
                  r"|\{\{[A-Za-z][^{}\n]{0,60}\}\}")
# What a rich-text editor's or a web API's export leaves around the text ({"insert":"……"},
# {"attributes":{"align":"justify"},"insert":"\n"}): a run of ASCII with quoted keys, or with
# three or more braces, straight quotes and backslashes. Speech text writes none of them in a row
# (it quotes with “”, and its ASCII is GDP, PM2.5, 1+N); a forum's [size=4] tags go later, whole.
_CODE_RUN = re.compile(r"[!-~][!-~ \t]*")
_CODE_KEY = re.compile(r'"[A-Za-z_][\w-]*"\s*:')
_CODE_MARKS = re.compile(r'[{}"\\]')
# Footnote marks: a superscript number after a character (校园¹欺凌) is no part of the text,
# and a line that opens with one, after a label at most (讀音註釋｜¹及（jí）), is the notes.
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_FOOTNOTE_MARK = re.compile(rf"(?<={_HAN})[{_SUPERSCRIPTS}]+")
_FOOTNOTE_LINE = re.compile(rf"^\s*(?:[^\s。！？]{{1,8}}[|｜:：]\s*)?[{_SUPERSCRIPTS}]")


def _code_runs(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "markup residue") for m in _CODE_RUN.finditer(line)
            if _CODE_KEY.search(m.group()) or len(_CODE_MARKS.findall(m.group())) >= 3]


_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_TONE_DIGITS = "1-5¹²³⁴⁵"
_CHAO = "˥˦˧˨˩"  # tone letters: qu˧˥
_SYLLABLE = (rf"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouüv{_TONES}]{{1,3}}(?:ng|n|r)?"
             rf"(?:[{_TONE_DIGITS}]|[{_CHAO}]{{1,3}})?")
# A gloss is set off by any mark that is neither a letter nor sentence punctuation (〖〗, 「」,
# ‖‖, /…/, ^…), may carry a short label (读作, 注音：), and may gloss a whole word (⦉huìyuán⦊).
_GLOSS_MARK = r"[^\w\s，。、；：？！,.;:?!…—“”‘’\"'-]"
_GLOSS = re.compile(
    rf"(?<={_HAN}){_GLOSS_MARK}[ \t]*(?:{_HAN}{{1,3}}[:：]?[ \t]*)?{_SYLLABLE}(?:[ \t]*{_SYLLABLE})*[ \t]*"
    rf"(?:{_GLOSS_MARK}|(?=[ \t]?{_HAN}))"
    # or toned pinyin standing bare between two characters (會huì議): no speech text writes that
    rf"|(?<={_HAN})[ \t]?(?=[a-zü]*[{_TONES}]|[a-zü]+[¹²³⁴⁵]){_SYLLABLE}(?![A-Za-z0-9])"
    # or, on a page that glosses, a bare toneless syllable after a character (們men)
    rf"|(?<={_HAN})(?=[a-zü]{{1,6}}(?![A-Za-z0-9])){_SYLLABLE}(?![A-Za-z0-9])"
    # or zhuyin, bracketed or bare (博⦅ㄅㄛˊ⦆): speech text is never written in it
    rf"|(?<={_HAN}){_GLOSS_MARK}?[ \t]*[\u3105-\u312f\u31a0-\u31bfˊˇˋ˙]+[ \t]*{_GLOSS_MARK}?"
)
_TONED = re.compile(rf"[{_TONES}{_CHAO}]|[a-z][{_TONE_DIGITS}]|[\u3105-\u312f\u31a0-\u31bf]")
# The opening mark of a gloss set around its character as ruby text is ({字|zì}, ⟨字/zi4⟩): the
# rest of it (|zì}) is a gloss after the character.
_RUBY_OPEN = re.compile(
    rf"{_GLOSS_MARK}(?={_HAN}{{1,3}}{_GLOSS_MARK}[ \t]*({_SYLLABLE}(?:[ \t]+{_SYLLABLE})*)"
    rf"[ \t]*{_GLOSS_MARK})")
# Forums scatter runs of one- to three-character ASCII tokens through copied text. A token may
# end in punctuation that normalising made full-width, but never is only that (a real comma).
_SCRAMBLE_TOKEN = r"[!-~]{1,3}"
_SCRAMBLE = re.compile(rf"(?<![A-Za-z0-9.])(?:{_SCRAMBLE_TOKEN}[ \t]+)+{_SCRAMBLE_TOKEN}(?![A-Za-z0-9])")
_SYMBOL = re.compile(r"[!-/:-@\[-`{-~]")
# Or one run of letters, digits and symbols whose case and kind keep switching (LdQD7ngi$):
# no word, acronym, number or model name looks like that.
_ADDRESS = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,6}(?:/\S*)?|[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,6}",
                      re.A)
_RANDOM_RUN = re.compile(r"(?<![!-~])[!-~]{5,48}(?![!-~])")
_HIDDEN = re.compile(r"[（(【\[]?(?:……|…)?此处(?:已)?隐藏\s*\d+\s*个?字(?:符)?(?:……|…)?[）)】\]]?")
# A site's note in brackets inside the text: （未完，全文共2页，请下载后查看）
_ASIDE = re.compile(r"[（(【\[]([^（）()【】\[\]\n]{2,40})[）)】\]]")
# Numerals of every script and form (Ⅲ, ③, ㈢, 〣): a page number may be set in any of them.
_NUMERALS = re.escape("".join(chr(c) for c in range(0x80, 0x10000)
                              if unicodedata.category(chr(c)) in ("Nl", "No")))
_NUMBER_IN_WORDS = rf"(?:[一二三四五六七八九十百]+|[{_NUMERALS}])"
_PAGE = re.compile(
    r"(?:当前)?第\s*\d+\s*页\s*[/，,、]?\s*(?:共\s*\d+\s*页)?|共\s*\d+\s*页\s*[/，,、]?\s*(?:当前)?第\s*\d+\s*页"
    r"|\bPage\s*\d+\s*(?:of|/)\s*\d+"
    # a number in words between two of the same mark, alone on its line: －一－, ◈ 二 ◈, ⁂ ㈡ ⁂
    rf"|^\s*([^\w\s（）()【】\[\]])\s*{_NUMBER_IN_WORDS}\s*\1\s*$"
    # or in brackets no heading is numbered in: ⦑二⦒, 〖三〗, ⦍〢⦎
    rf"|^\s*[⦃-⦘〈〔〖〘〚⟦-⟯«‹]\s*(?:{_NUMBER_IN_WORDS}|\d+)\s*[⦃-⦘〉〕〗〙〛⟦-⟯»›]\s*$"
    # in words only as a pair, which no sentence writes: 共二页之第一页, 第三页（共五页）
    r"|共\s*[一二三四五六七八九十百]+\s*页\s*[之/，,、]?\s*第\s*[一二三四五六七八九十百]+\s*页"
    r"|第\s*[一二三四五六七八九十百]+\s*页\s*[（(/，,、]?\s*共\s*[一二三四五六七八九十百]+\s*页[）)]?",
    re.I,
)


def _is_scramble(span: str) -> bool:
    """Short ASCII tokens in Chinese text, unless numbers or acronyms (GDP CPI, 5G 4K).

    Two tokens are a scramble only with a lower-case letter, a symbol or a lone character in
    them; three or more always are.
    """
    tokens = span.split()
    if all(re.fullmatch(r"[-—\d]+", t) for t in tokens):
        return False  # page numbers (- 2 -), numbers with spaced thousands
    if all(re.fullmatch(r"[A-Z0-9]{2,3}", t) for t in tokens):
        return False
    return len(tokens) >= 3 or any(len(t) == 1 or re.search(r"[a-z]", t) or _SYMBOL.search(t)
                                   for t in tokens)


def _is_random_run(run: str) -> bool:
    """Mixed case switching back and forth (LdQD7ngi), or from eight characters letters interleaved
    with digits or symbols (a442-aee6-d354, AH.GGH.KV): not COVID-19, iPhone15, GB/T19001, 2023-05-06."""
    if _ADDRESS.fullmatch(run) or "<" in run or ">" in run:
        # An address is judged with its sentence (an advertising line); markup that is not a
        # whole tag stays text, shown as the text it is.
        return False
    if re.search(r"[A-Za-z0-9]_[A-Za-z0-9]", run):
        return True  # groups joined by underscores (kq_7x2): no word or number is written so
    parts = re.split(r"[-./]", run)
    if len(parts) <= 3 and all(re.fullmatch(r"[A-Z]?[a-z]+|\d+|[A-Z]{2,6}", part) for part in parts):
        return False  # words and numbers joined as they are written (Wi-Fi, COVID-19, No.1)
    kinds = ["u" if c.isupper() else "l" if c.islower() else "d" if c.isdigit() else "s" for c in run]
    switches = sum(a != b for a, b in zip(kinds, kinds[1:]))
    letters = "u" in kinds or "l" in kinds
    mixed_case = "u" in kinds and "l" in kinds
    return switches >= 4 and (mixed_case or (letters and ("d" in kinds or "s" in kinds) and len(run) >= 8))


# A short ASCII run between two Chinese characters: a word of the text (GDP, 5G, PM2.5, iPhone)
# or a string wedged into a word. These shapes are the words and numbers speech text writes.
_WEDGED = re.compile(rf"(?<={_HAN})[ \t]*([!-~](?:[!-~ \t]{{0,14}}[!-~])?)[ \t]*(?={_HAN})")
_PLAIN = re.compile(
    r"[\d.,:/%-]+|[A-Z]{2,8}[s+]?|[A-Z]{1,5}-?\d+(\.\d+)?[A-Z]?|\d+[A-Z]{1,2}\+?|[A-Z]\d+[A-Z]\d*|"
    r"[A-Z]+(/[A-Z]+)+|[A-Za-z][a-z]+|[a-z]?([A-Z][a-z]*[aeiouy][a-z]*)+[A-Z]{0,4}\d*|[a-z][A-Z]{1,4}\d*"
)
# A run of letters and digits of any script but Chinese, or decorations (● □ ◆ † ¤), with
# whatever joins them short of a space, a Chinese character or Chinese punctuation: MkGY¦HgS,
# 7730X*67675, J·7E·A3·R, ΚΚνχ, ◇●35□15, and COVID-19, PM2.5.
_NOT_JOINING = r"\s\u3400-\u9fff\uf900-\ufaff，。、；：？！“”‘’（）《》【】…—()\[\]\"'<>"
# Decorations (box drawing and shading too, technical symbols ⏚ ⌮, game pieces 🀄 🂡, alchemical
# signs 🜔), and letters no speech is typed in: circled (ⓐ) or bracketed (⒜), mathematical (𝐌, 𝟖), Braille.
_DECORATION = ("\u2300-\u23ff\u2500-\u25ff\u2600-\u27bf\u2b00-\u2bff\u2020\u2021\u00a4\u249c-\u24e9"
               "\u2800-\u28ff\U0001d400-\U0001d7ff\U0001f000-\U0001f0ff\U0001f700-\U0001f7ff")
_RUN_END = rf"(?:[^\W_\u3400-\u9fff\uf900-\ufaff]|[{_DECORATION}])"
_FOREIGN = re.compile(rf"{_RUN_END}(?:[^{_NOT_JOINING}]*{_RUN_END})?")
# What joins the parts of words and numbers in speech text: 3.5, 1,200, COVID-19, GB/T, 8:30,
# 1+N, R&D, 5%.
_SPEECH_JOINERS = set(".,:/%-+&")
# Days named by their date: 3·15, 6·26, 9·18.
_DAY = re.compile(r"\d{1,2}·\d{1,2}")
# Decorations, percent-encoded bytes (%E9%2F), two letters or digits of another script (Greek,
# Cyrillic look-alikes of Latin ones, Arabic-Indic digits), nine digits in a row (a speech writes
# large numbers with 万 or 亿).
_NEVER_IN_SPEECH = re.compile(
    rf"[{_DECORATION}]|(%[0-9A-Fa-f]{{2}}){{2}}|[^\W0-9_a-zA-Z\u3400-\u9fff\uf900-\ufaff]{{2}}|\d{{9}}")
_VOWEL = re.compile(r"[aeiouAEIOU]")
# A page whose text is strewn with this many different runs of shapes speech text does not
# write has had them inserted; a speech names a product or two, and the same ones again.
ODD_RUNS_PER_PAGE = 3


def _odd_run(run: str) -> bool:
    """A run of a shape speech text does not write: letters of other scripts (Greek, Cyrillic),
    decorations, parts joined by other marks (¦ · * #), or a part that is no word, number,
    acronym or product name (usoT5KDYY, epYW, Nvzt)."""
    if _ADDRESS.fullmatch(run) or _DAY.fullmatch(run):
        return False
    if _NEVER_IN_SPEECH.search(run):
        return True
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", run) if p]
    if set(re.sub(r"[A-Za-z0-9]", "", run)) - _SPEECH_JOINERS:
        return len(parts) >= 2
    return any(len(p) >= 3 and not _PLAIN.fullmatch(p) or _unpronounceable(p) for p in parts)


def _unpronounceable(part: str) -> bool:
    """A word of letters drawn at random: few vowels (Nvzt, hxpapdtj, tbvyykjwus)."""
    if not re.fullmatch(r"[A-Za-z][a-z]{3,}", part):
        return False
    vowels = len(_VOWEL.findall(part))
    return vowels == 0 or len(part) >= 6 and vowels / len(part) < 0.3


# Markup that is not a whole tag (<svg/onload=alert(1)>): text, shown as the text it is.
_MARKUP = re.compile(r"<[^<>\n]{1,300}>")


def odd_runs(text: str) -> list[re.Match[str]]:
    """The runs of `text` of shapes speech text does not write, outside markup."""
    markup = [m.span() for m in _MARKUP.finditer(text)]
    return [m for m in _FOREIGN.finditer(text) if _odd_run(m.group())
            and not any(a <= m.start() and m.end() <= b for a, b in markup)]


# Scripts a Chinese speech may quote a word in; letters of any other (ᚠᚢᚦ, ⴰⵣ, ꓐꓑ) are a string
# inserted into the text, however few the page has.
_SPEECH_SCRIPTS = ("CJK", "LATIN", "GREEK", "CYRILLIC", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH",
                   "DIGIT", "SUPERSCRIPT", "SUBSCRIPT", "ROMAN", "CIRCLED", "PARENTHESIZED")
_LETTER_RUN = re.compile(r"[^\W\d_\u3400-\u9fff\uf900-\ufaff]{2,}")


def _alien(ch: str) -> bool:
    return ch.isalpha() and not unicodedata.name(ch, "").startswith(_SPEECH_SCRIPTS)


def alien_runs(text: str) -> list[re.Match[str]]:
    """Runs of two or more letters with one of a script no speech is written in."""
    return [m for m in _LETTER_RUN.finditer(text) if sum(map(_alien, m.group())) >= 2]


def strewn(text: str) -> bool:
    """Whether a page holds enough different runs of shapes speech text does not write to have
    had them inserted."""
    return len({m.group() for m in odd_runs(text)}) >= ODD_RUNS_PER_PAGE


def _wedged_in_word(match: re.Match[str], text: str, whole: str) -> bool:
    """An ASCII run of a shape speech text does not write (7QXRT, hTk), set apart by spaces or
    splitting a word: the two characters around it stand together elsewhere in the `whole`
    file (推 7QXRT 进 there, 推进 elsewhere)."""
    tokens = match.group(1).split()
    if not any(len(t) >= 3 and not _PLAIN.fullmatch(t) for t in tokens):
        return False
    spaced = match.group().startswith((" ", "\t")) and match.group().endswith((" ", "\t"))
    return spaced or text[match.start() - 1] + text[match.end()] in whole


# A site's name glued after a sentence (。【某某网】, 。——某某文库): in text that lost its line
# breaks it is not at a line's end, but it comes back after sentence after sentence.
_GLUED_NAME = re.compile(
    r"(?<=[。！？；”])[ \t]*([【〖〔〘\[（(][^【】〖〗〔〕〘〙\[\]（）()。！？\s]{2,12}[】〗〕〙\]）)]"
    # or set off by the same mark on both sides: ·某某网·, —某某汇—, ★某某文库★
    r"|([·—~～*★☆◆◇●○■□※#|])\2?(?:(?!\2)[^。！？\s]){2,12}\2\2?"
    r"|——[^—。！？；，、\s]{2,12}(?=\s|$))"
)
# A name set apart as a name: 【某某网】, （某某整理）, ·某某网·, ——某某文库
_NAME_SHAPE = re.compile(r"[【〖〔〘\[（(][^。！？]{1,20}[】〗〕〙\]）)]"
                         r"|·[^·。！？]{2,14}·|——[^。！？，]{2,14}")


_OPENING = "【〖〔〘[（("


# A site's name in brackets set into the middle of a word (协调¦〖某某范文〗¦发展).
_NAME_IN_WORD = re.compile(rf"(?<={_HAN})([【〖〔〘][^【】〖〗〔〕〘〙。！？\s]{{2,12}}[】〗〕〙])(?={_HAN})")


def _glued_names(text: str) -> set[str]:
    """The names glued after two or more sentences of a file, and the bracketed names it sets
    three times or more, once at least in the middle of a word."""
    counts = Counter(m.group(1) for m in _GLUED_NAME.finditer(text))
    inside = {m.group(1) for m in _NAME_IN_WORD.finditer(text)}
    return {name for name, n in counts.items() if n >= 2} | {name for name in inside if text.count(name) >= 3}


def _glossing(text: str) -> bool:
    """A page that glosses its characters with toned pinyin: its toneless glosses go too."""
    return sum(bool(_TONED.search(m.group())) for m in _GLOSS.finditer(text)) >= 3


def _gloss_spans(text: str, glossing: bool) -> list[tuple[int, int, str]]:
    """The pinyin glosses of `text`; toneless ones only on a page that glosses."""
    spans = [(m.start(), m.end(), "pinyin gloss") for m in _GLOSS.finditer(text)
             if glossing or _TONED.search(m.group())]
    return spans + [(m.start(), m.end(), "pinyin gloss") for m in _RUBY_OPEN.finditer(text)
                    if glossing or _TONED.search(m.group(1))]


def _without_glosses(text: str, glossing: bool) -> str:
    return _cut(text, sorted(_gloss_spans(text, glossing)), 0, [])[0]


def _marks(text: str, glossing: bool, whole: str, odd: bool) -> list[tuple[int, int, str]]:
    """Spans of `text` that are marks, not text, with the reason for each; `odd` runs go when
    the page is strewn with them."""
    spans = _gloss_spans(text, glossing)
    spans += [(m.start(), m.end(), "anti-scraping string") for m in _SCRAMBLE.finditer(text)
              if _is_scramble(m.group())]
    spans += [(m.start(), m.end(), "anti-scraping string") for m in _RANDOM_RUN.finditer(text)
              if _is_random_run(m.group())]
    spans += [(m.start(1), m.end(1), "anti-scraping string") for m in _WEDGED.finditer(text)
              if _wedged_in_word(m, text, whole)]
    spans += [(m.start(), m.end(), "anti-scraping string") for m in (odd_runs(text) if odd else [])]
    spans += [(m.start(), m.end(), "anti-scraping string") for m in alien_runs(text)]
    spans += [(m.start(), m.end(), "hidden-text mark") for m in _HIDDEN.finditer(text)]
    spans += [(m.start(), m.end(), "bracketed notice") for m in _ASIDE.finditer(text)
              if _notice(_fold(m.group(1)))]
    spans += [(m.start(), m.end(), "page counter") for m in _PAGE.finditer(text)]
    merged: list[tuple[int, int, str]] = []
    for start, end, reason in sorted(spans):
        if reason == "anti-scraping string":
            # The string takes the spaces it was set in with: the words around it close up again.
            start = len(text[:start].rstrip(" \t"))
            end = len(text) - len(text[end:].lstrip(" \t"))
        # Overlapping or touching marks are one (a spaced scramble running into a random run).
        if merged and start <= merged[-1][1] + 1 and not text[merged[-1][1]:start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, reason))
    return merged


def _cut(text: str, spans: list[tuple[int, int, str]], number: int, removed: list[Removal],
         offsets: list[int] | None = None) -> tuple[str, list[int]]:
    """`text` without `spans` (each reported removed), and `offsets` moved to match."""
    out, at = [], 0
    moved = list(offsets or [])
    for start, end, reason in spans:
        if start < at:
            continue
        out.append(text[at:start])
        removed.append(Removal(text[start:end], reason, number))
        moved = [o - (min(o, end) - start) if o > start else o for o in moved]
        at = end
    out.append(text[at:])
    return "".join(out), moved


# --- noise patterns --------------------------------------------------------

# A line of search keywords names itself: 关键词：, 【主题词】, Tags:
_KEYWORD_LABEL = re.compile(
    r"^\s*[\u4e00-\u9fff]{0,4}(关键词|关键字|主题词|标签|热词|搜索|想搜|热搜|词条|tags?|keywords?)\s*[:：]|"
    r"^\s*[【\[](关键词|关键字|主题词|标签|热词)[】\]]", re.I)
# The same names anywhere in a line: keywords glued after a page's heading.
_KEYWORD_WORD = re.compile(r"(关键词|关键字|主题词|标签|tags?|keywords?)\s*[:：】\]]", re.I)
# Each of these alone marks a short line or a sentence as noise.
_STRONG = [
    re.compile(r"https?://|www\.|\.(com|cn|net|org|cc)\b", re.I),
    # An account or number, not the words after 电话 (电话会议): ASCII only.
    re.compile(r"(QQ|qq|微信|微博|抖音|电话|热线|手机|邮箱|e-?mail)\s*(群|号)?\s*[:：]?\s*[A-Za-z0-9_@.\-]{6,}"),
    re.compile(r"(QQ|qq|微信|交流|会员|读者|粉丝)群\s*[:：]"),
    re.compile(r"当前位置|^\s*[\u4e00-\u9fff]{0,4}位置\s*[:：]|首页\s*[>›»]|[>›»]\s*正文"),
    # a line that is a page number and nothing else: 3/5, - 3 -, ·3·, 1/2页, P3, 【第3页】
    re.compile(r"^[-—－~·•|｜()（）\[\]【】\s]*(第|P|p)?\s*\d+\s*([/／]\s*\d+\s*)?页?[-—－~·•|｜()（）\[\]【】\s]*$"),
    _PAGE,
    re.compile(r"推荐(访问|阅读)|相关(推荐|文章|阅读|范文)|猜你喜欢|热门(文章|推荐|范文)|上一篇|下一篇"),
    re.compile(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?\s*\d{1,2}:\d{2}(:\d{2})?"),
    re.compile(r"版权所有|©|免责声明|转载请注明|未经授权|ICP备|公网安备|备案号"),
    _KEYWORD_LABEL,
    # a page's own fields: 人气：6598, 栏目：, 发布时间：, 推荐：
    re.compile(r"(人气|阅读|浏览|点击|热度|下载)(量|数|次数)?\s*[:：]\s*\d+|"
               r"^\s*[\u4e00-\u9fff]{0,4}(栏目|分类|作者|编辑|来源|审核|校对)\s*[:：]|"
               r"^\s*(发布(时间|日期)?|更新(时间|日期)|字数|页数|大小|格式|推荐)\s*[:：]"),
    # a page's own title, as its <title> gives it: 在……上的讲话_气象讲话_某某公文网
    re.compile(r"[_|｜-]\s*[^_|｜\-\s]{1,12}(网|站|文库|之家|论坛)\s*$"),
    # the heading of a list of links: 热门文档, 相关阅读, 精华帖子
    re.compile(r"^\s*(热门|相关|最新|推荐|精选|更多|猜你)[\u4e00-\u9fff]{0,4}\s*[:：]?\s*$|"
               r"^\s*[\u4e00-\u9fff]{0,4}(推荐|阅读|文章|排行|帖子|热帖|导读)\s*[:：]?\s*$"),
    # a line in Latin letters alone (All rights reserved, —— END ——): the speech is in Chinese
    re.compile(r"^[^\u3400-\u9fff]*[A-Za-z]{3,}[^\u3400-\u9fff]*$"),
    # a pager (上一页 1 2 3 下一页) and a post's time (发表于 3 天前)
    re.compile(r"^[\s\d|｜…]*(上一页|下一页|首页|尾页|末页)[\s\d|｜…]*(上一页|下一页|尾页|末页)[\s\d|｜…]*$|"
               r"(发表|发布|更新)于\s*(\d|昨天|今天|前天|刚刚)"),
]
# Phrases only a document site says, as it speaks to its reader about the page: one of them
# makes a sentence of up to sixty characters noise.
DISTINCT_WEIGHT = 4
_DISTINCT = re.compile(
    "小编|为(大家|您|你|各位|广大网友)(精心|特别|用心)?(整理|收集|精选|搜集|编辑|汇编|推荐)|仅代表作者|"
    "(以下|下面|上面|如下)(就)?(是|为).{0,16}(整理|准备|收集|搜集|精选|分享|推荐|提供|编辑)的|"
    "这是一篇|本文(由|为|系|来自)|感谢(您的)?(阅读|浏览|观看)|敬请关注|欢迎(您)?(访问|光临)本|"
    "(本站|本网|本栏目|本平台)(整理|发布|提供|原创|推荐|收集|编辑)|"
    "(预览|试读)(已)?(结束|完毕)|免费试读|(全文|文档)(阅读)?已结束|"
    r"(剩余|还剩|余下)\s*\d+\s*页|此处(已)?隐藏|请先登录|登录后(即可)?(查看|阅读|下载|复制)|"
    "开通(VIP|vip|会员)|(VIP|vip)(会员|专享|用户|免费)|付费(下载|阅读|查看)|"
    "下载后可|(可|任意)编辑|以上(就)?是.{0,50}(全部|所有)内容|"
    # what the page holds back: 还有40%的内容未显示，点此解锁
    r"(内容|全文|正文|剩余部分)(未|没有|尚未)(显示|展示|加载|展开)|点(此|击)(解锁|展开|阅读全文|查看全文)|"
    r"解锁(全文|全部|剩余|完整)|(还有|剩余|剩下|余下)\s*\d+\s*[%％页字]|"
    # where the page says it came from: 本文由网友投稿整理, 以上内容是关于……的相关介绍
    "(本文|本篇|这篇|此篇|该篇|此文|该文)[^。！？，]{0,12}(由|系|来自|来源于|出自|转自|摘自)|"
    "(网友|用户)(投稿|上传|分享|整理|发布)|(以上|上述)(内容|文章|材料|范文)?(就)?是(关于|有关)|"
    "(您|你)的写作|"
    # copyright boilerplate, and what a download or forum page asks of its reader
    "如有侵权|侵权(请)?(联系|告知)|联系(我们)?删除|版权归(原)?作者|原作者所有|"
    r"获取本文|本文(的)?(Word|word|WORD|PDF|pdf|完整|电子)版|(Word|word|WORD|PDF)版本?|回复“[^”]{1,10}”|"
    r"(本文|全文)共\s*\d+\s*(字|页)|仅显示前?\s*\d+\s*[%％]|需\s*\d+(\.\d+)?\s*元|隐藏内容|回复本帖|本帖|楼主|"
    r"[（(【\[][\u4e00-\u9fff]{1,8}(网|站|文库|之家)[）)】\]]"
)
# What a page says to its reader, by kind, with a weight. A speech may use words of one kind
# as its subject (a speech on government websites says 网站, 下载, 公众号 and 会员); a site's
# line packs several kinds together: it points at itself, speaks to one reader, tells them to
# click or scan, names its wares and prices, and decorates. Words are told apart by kind, not
# counted one by one, so a speech that says 网站 five times scores no more than once.
_LATIN_WORD = r"(?<![A-Za-z])(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?![A-Za-z])|(?<![A-Za-z])V[Xx](?![A-Za-z])"
_CUE_PATTERNS = (
    # the page speaks of itself: 本文, 下文, 本帖, 正文完, 以上内容, 下面这篇
    (2, r"本文(?!件)|本篇|[此该]篇|[此该]文(?![件化物明字])|[上下]文(?![化明艺体字件物])|文末|[本此该]页|"
        r"本资料|[本此该]文档|正文(完|结束)|全文(完|阅读|下载|可|共|已)|这篇(?!大?文章|重要)|"
        r"以上(内容|文章|范文)|以下(内容|文章|范文)|下面(这|那)[篇份]|(分享|推荐)一篇|"
        r"(的人|朋友)(还|也)(看了|读了)|本站|本网(?!格)|本栏目|本平台|小编"),
    # it speaks to one reader, not to an audience: 您, 喜欢的朋友 (你 is also a speech's rhetoric:
    # 你追我赶, 你不作为谁作为)
    (2, r"您|(喜欢|需要|感兴趣|有需要|想要)的(朋友|小伙伴|读者|网友)|小伙伴|(?<![乡])亲们|"
        r"(?<![有祝])你(?!们)的|给你(?!们)"),
    # it tells the reader to click, reply or pay, or promises what that gets them (scanning a
    # code is something a speech asks of citizens too: 扫码乘车, so it counts as a web action)
    (2, r"点击(?![量率数])|点此|点这里|戳(这里|此|我)|长按|(搜索|搜一搜|搜)[“「]|复制(链接|全文|本文)|"
        r"一键(生成|下载|复制|套用|排版|获取)|回复[“\"「]|私信|评论区|加(微信|V|VX|vx|群|QQ|qq)|"
        r"(交流|粉丝|读者|微信|QQ|qq)群|下载券|开通(会员|VIP|vip|年卡)|升级会员|点个(关注|赞|在看|收藏)|"
        r"(立即|马上|赶紧|速来|快来)(下载|购买|升级|领取|注册|抢购)|"
        r"(后可|即可|方可)(下载|阅读全文|复制|观看|编辑|打印)|免费(领取|下载|看(?![病护])|试用|试读|获取|赠送)"),
    # a forum's furniture: 楼主, 沙发, 回复 2楼, 只看该作者
    (2, r"楼主|层主|只看(该)?作者|沙发|顶一下|顶帖|回帖|本帖|此帖|(谢谢|感谢)(楼主|分享)|"
        r"(^|回复|引用|#)\s*\d{1,4}\s*楼"),
    # decoration no prose is written with: arrows, stars, pointing hands, a symbol run, a
    # handle, a hashtag
    (2, "[\u2190-\u21ff\u2227\u2228\u25b2-\u25c5\u2605\u2606\u203b\u25c6\u25c7\u258c\u258d\u261b\u261e"
        "\u2713\u2714\u2728\u2665\u2764\U0001f300-\U0001faff]|(?P<run>[~=*#>_+<])(?P=run){2,}|@\\S|"
        "(?<![0-9])#[\u4e00-\u9fffA-Za-z]"),
    # web actions, which a speech may describe: 下载, 登录, 注册, 扫码, 收藏, 转发, 订阅, 购买
    (1, r"下载|登[录陆]|注册|扫码|[扫搜]一[扫搜]|扫描|识别.{0,4}二维码|收藏|转发|订阅|支付|购买|充值|"
        r"领取|解锁|预览|试读|试看|打印|投稿|点赞|搜索|关注(我们|本|公众号|后|该|一下)|分享(到|给|一篇|一下)|"
        r"参考借鉴|借鉴使用|套用|值得(一读|收藏)|建议收藏|阅读(全文|原文|更多)|(阅读|查看)(全部|完整|更多)|"
        r"(展开|收起)全文|继续阅读|返回(首页|顶部)|(欢迎|敬请)(大家|各位|您)?(阅读|借鉴|参考|收藏|使用|下载|分享|转发)|"
        r"供(大家|您|各位)(参考|借鉴|参阅)|希望(对|能)(大家|您|你)有(所)?帮助|(带来|有所)(启发|帮助|借鉴)|举报|"
        r"违者|用后删除|倒卖|外传|商用|商业用途|仅供(学习|参考|内部|个人|交流)|(整理|收集)(发布|分享)|未完"),
    # a site's wares and trade: 范文, 文档, 会员, 模板, 公众号, 小程序, 广告, 限时特价
    (1, r"范文|范例|文档|原稿|模板|素材|材料包|资料包|合集|大全|汇编|汇总|精选|例文|会员|VIP|vip|小程序|"
        r"公众号|微信|微博|抖音|二维码|链接|网址|浏览器|客户端|朋友圈|客服|网盘|网站|站内|论坛|帖子|网友|"
        r"文库|门户|编辑部|讲话稿|发言稿|演讲稿|讲话材料|讲稿|写作|写材料|代写|写手|稿费|广告|特价|限时|"
        r"优惠券|免费|折扣|年卡|付费|原创|出处|转载|首发|来源[:：]|完整版|同类文章|更多(精彩|范文|资料|内容)|"
        r"Word|WORD|word|PDF|pdf|APP|app"),
    # a price, or a count of documents or of what is held back: 3.00元, ￥9, 12篇, 30%内容
    (1, r"[￥¥]\s*\d|\d+\.\d{1,2}\s*元|(仅需|只需|低至|特价|售价|仅售|只要)\s*\d|元\s*/\s*[天月年篇份次]|"
        r"\d+\s*篇|\d+\s*[%％]\s*的?(内容|部分)"),
    # words in Latin letters other than an acronym: Word, Powered by
    (1, _LATIN_WORD),
)
_CUES = tuple((weight, re.compile(pattern)) for weight, pattern in _CUE_PATTERNS)
_WORD_CUES = [cue for _, cue in _CUES if cue.pattern != _LATIN_WORD]
# A page's own counters: 阅读 2498, 在看 6, 点击数：300. Two of them make a line of page furniture.
_COUNTER = re.compile(
    r"(阅读|浏览|点击|在看|点赞|评论|收藏|分享|转发|下载|查看|人气|热度|回复|播放)(量|数|次数)?\s*[:：]?\s*\d+"
)
# A label opening the line before its text: 导语：, 温馨提示：, 【广告】; not an address to the
# audience (各位同志：, 同学们：), not a compilation's marker (【篇二】, 第二篇：).
# The colon stays out of the match: what follows a colon is what the label points at.
_LABEL = re.compile(
    rf"^\s*(?!{COMPILATION_MARKER_BODY})"
    r"([【\[〖［][^】\]〗］]{1,6}[】\]〗］]|(?!各位|亲爱|尊敬)[\u4e00-\u9fff]{2,6}(?<![们志])(?=\s*[:：]))(?=\s*\S)"
)
# Words in quotation marks or title marks are named, not said: a speech quotes a shop's
# “充值送会员” to criticise it, and a blurb names 《在……会议上的讲话》; an ad's own words stand
# outside its quotes (关注“某某号”领取).
_DIGIT = re.compile(r"\d")
_QUOTED = re.compile(r"(?<=“)[^“”]{1,20}(?=”)|(?<=《)[^《》]{1,40}(?=》)")
# The voice of a speech: it speaks of us and of what must be done (not of 工作 or 会议, which a
# blurb names when it names the speech). Two of these in a sentence ask for one more kind of
# site talk before it is taken for noise.
_VOICE = re.compile(r"我们|我[市县区省]|全[市县区省]|各级|各地|各部门|各单位|群众|干部|同志|要(?!求)|必须|"
                    r"坚持|推进|推动|加强|落实|确保|切实|认真|进一步|抓好|研究|部署")


def _fold(text: str) -> str:
    """`text` in simplified characters, so that pages in traditional ones say the same words.

    Folding keeps positions (one character for one), or the text is used as it is: what is
    found in the folded text is cut from the text itself.
    """
    folded = to_simplified(text)
    return folded if len(folded) == len(text) else text


_HINTS = (*_STRONG, _DISTINCT, _LABEL, *(cue for _, cue in _CUES))


def _hint_spans(text: str) -> list[re.Match[str]]:
    """Noise words in folded `text`."""
    return [m for p in _HINTS for m in p.finditer(text)]


def _has_hint(text: str) -> bool:
    return any(p.search(text) for p in _HINTS)


def _blank(match: re.Match[str]) -> str:
    return "＿" * len(match.group())


def _said(text: str) -> str:
    """Folded `text` with what it quotes blanked out."""
    return _QUOTED.sub(_blank, text)


def _cue_score(text: str) -> int:
    """The weight of the kinds of site talk in folded, blanked `text`.

    A phrase counts once, in its strongest kind: 即可下载 is a promise, not a promise and a
    web action as well.
    """
    score = bool(_LABEL.search(text)) + (min(2, len(_COUNTER.findall(text))) if _DIGIT.search(text) else 0)
    for weight, cue in _CUES:  # strongest kinds first
        if cue.search(text):
            score += weight
            text = cue.sub(_blank, text)
    return score


def noise_score(line: str) -> int:
    """2 or more means certainly noise; 1 means noise if the line is not prose.

    Sentences are speech text unless several kinds of site talk meet in them: a speech may
    say 关注 or 下载 in passing, an ad says little else.
    """
    return _score(to_simplified(line))  # the same words on pages in traditional characters


def _score(line: str, inside: bool = False) -> int:
    """noise_score of text already folded to simplified; `inside` a paragraph of the speech's
    sentences, a sentence needs one more kind of site talk to be noise."""
    long_prose = is_prose(line) and len(line) > 100
    if not long_prose and any(p.search(line) for p in _STRONG):
        return 2
    distinct = DISTINCT_WEIGHT * len(_DISTINCT.findall(line))
    said = _said(line)
    # A heading is the speech's own structure: only a site's own phrases make it noise.
    cues = _cue_score(said)
    hits = distinct + (0 if cues and heading_of(line) else cues)
    if is_prose(line) and (hits < max(3, len(line) // 40)
                         or hits < 3 + inside + (len(set(_VOICE.findall(said))) >= 2)):
        return 0
    return hits


def _notice(aside: str) -> bool:
    """A site's note in brackets, folded: in Chinese, in the site's words (a gloss or a term
    in Latin letters is not one)."""
    return bool(re.search(_HAN, aside)) and _score(aside) >= 1


def _certain(line: str) -> bool:
    """A short folded line that is noise whatever surrounds it: taken out before lines are re-flowed.

    Longer lines wait: they may be a whole speech that lost its line breaks.
    """
    if len(line) > 60 or TERMINAL.search(line):
        return False
    # Three kinds of site talk are more than a line broken off a speech's sentence ever holds.
    return any(p.search(line) for p in _STRONG) or bool(_DISTINCT.search(line)) or _score(line) >= 3


def is_prose(line: str) -> bool:
    # A speech's questions and exclamations are short (谁来为基层减负？); a site's short line
    # ending in a full stop is a notice (已全部加载。).
    return ends_sentence(line) and len(line) >= (8 if line.rstrip()[-1:] in "？！?!" else 12)


def _short_fragment(line: str) -> bool:
    """Neither a sentence nor part of the speech's structure."""
    return len(line) <= 40 and not ends_sentence(line) and not is_structural(line)


def _keyword_list(line: str) -> bool:
    """A folded line of short search keywords (讲话稿 / 领导讲话 / 讲话稿大全), no sentence."""
    # (A salutation may have a page's line glued after it: 同志们：▒▒ 以下内容需开通会员 ▒▒.)
    before_colon = re.split(r"(?<=[：:])", line, maxsplit=1)[0]
    if TERMINAL.search(line) or heading_of(line) or is_salutation(before_colon):
        return False
    if _KEYWORD_LABEL.match(line):
        return True
    items = re.split(r"[|｜·•/／>＞»›→▸]", line)
    if len(items) >= 3 and all(len(i.strip()) <= 12 for i in items) \
            and sum(bool(re.search(_HAN, i)) for i in items) >= 2:
        return True  # a menu or a breadcrumb: 首页 | 讲话稿 | 工作总结, 首页 ▸ 文秘知识 ▸ 致辞讲话
    # Not 、: a title may list topics with it (安全生产、消防安全、食品安全工作会议).
    items = [i for i in re.split(r"[，,|/\s]+", line) if i]
    # Keywords go between spaces, bars or ASCII commas; between full-width commas are the clauses
    # of a sentence (a line broken off a wrapped paragraph), unless a label said otherwise.
    if len(items) < 3 or max(map(len, items)) > 15 or "，" in line and not _KEYWORD_WORD.search(line):
        return False
    # (Latin letters alone are no sign here: an anti-scraping string breaks a line into items too.)
    if any(cue.search(line) for cue in _WORD_CUES) or _DISTINCT.search(line):
        return True
    if max(map(len, items)) > 10:
        return False  # clauses of a sentence, not keywords
    bigrams = Counter(b for item in items for b in {item[k:k + 2] for k in range(len(item) - 1)})
    return len(items) >= 4 and any(n * 2 >= len(items) + 1 for n in bigrams.values())


# --- data ------------------------------------------------------------------


@dataclass
class Removal:
    text: str
    reason: str
    line: int


@dataclass
class CleanedText:
    """A file's speech paragraphs after cleaning, and everything taken out."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)

    def removed_share(self) -> float:
        """Share of the file's letters and digits taken out as noise."""
        removed = sum(len(core_text(r.text)) for r in self.removed)
        total = removed + sum(len(core_text(line)) for line in self.lines)
        return removed / total if total else 0.0


@dataclass
class _Paragraph:
    """A paragraph being cleaned: its text and the first source line it came from."""

    text: str
    line: int
    # Where a hard line break was mended: the end of each line joined to the next.
    joins: list[int] = field(default_factory=list)

    def tails(self) -> list[tuple[int, int]]:
        """Spans glued after the last sentence of each of its lines (watermarks, if repeated)."""
        spans = []
        for cut in [*self.joins, len(self.text)]:
            ends = [m.end() for m in TERMINAL.finditer(self.text, 0, cut)]
            if ends and 2 <= len(core_text(self.text[ends[-1]:cut])) <= 40:
                spans.append((ends[-1], cut))
        return spans


@dataclass
class _Prepared:
    """A file after marks and certain noise are out and its lines are re-flowed."""

    paragraphs: list[_Paragraph]
    removed: list[Removal]


@dataclass
class CorpusStats:
    """What is repeated across the corpus: the evidence for boilerplate."""

    fragment_files: dict[str, int]
    tails: Counter

    @classmethod
    def from_paragraphs(cls, files: list[list[_Paragraph]]) -> CorpusStats:
        seen_in: dict[str, set[int]] = defaultdict(set)
        counts: Counter = Counter()
        tails: Counter = Counter()
        for i, paragraphs in enumerate(files):
            for paragraph in paragraphs:
                for fragment in _fragments(paragraph.text):
                    seen_in[fragment].add(i)
                    counts[(i, fragment)] += 1
                for start, end in paragraph.tails():
                    tails[core_text(paragraph.text[start:end])] += 1
        # A fragment counts as repeated if it is in two files or twice in one.
        repeats = {fragment: len(files) for fragment, files in seen_in.items()}
        for (_, fragment), n in counts.items():
            if n > 1:
                repeats[fragment] = max(repeats[fragment], n)
        return cls(repeats, tails)


def _fragments(paragraph: str) -> list[str]:
    """A paragraph's parts that may be boilerplate: whole short lines and glued tails."""
    found = [paragraph] if _short_fragment(paragraph) else []
    tail = glued_tail(paragraph)
    return found + ([tail.strip()] if tail else [])


def glued_tail(line: str) -> str:
    """The text after a line's last sentence end, if the line has sentences before it."""
    ends = list(TERMINAL.finditer(line))
    if not ends:
        return ""
    tail = line[ends[-1].end():]
    return tail if 2 <= len(core_text(tail)) <= 40 else ""


# --- 1 and 2: marks and certain noise --------------------------------------------


def _prepare(text: str) -> _Prepared:
    removed: list[Removal] = []
    # (source line, text); "" for a blank line, None for a line taken out as noise
    kept: list[tuple[int, str | None]] = []
    # HTML tags and a site's name glued after sentences go first, line by line: they sit at the
    # ends of paragraphs and hide the full stop that decides whether a line goes on. Other marks
    # run across hard breaks (an anti-scraping string wrapped onto the next line) and go once
    # lines are re-flowed.
    names = _glued_names(text)
    raws = text.split("\n")
    numbered = _line_numbers(raws)
    lines: list[str | None] = []
    for number, raw in enumerate(raws, start=1):
        if _FOOTNOTE_LINE.match(raw):
            removed.append(Removal(raw.strip(), "footnotes", number))
            lines.append(None)
            continue
        spans = [(m.start(), m.end(), "HTML residue") for m in _TAG.finditer(raw)]
        spans += _code_runs(raw)
        spans += [(m.start(), m.end(), "footnote mark") for m in _FOOTNOTE_MARK.finditer(raw)]
        if number - 1 in numbered:
            spans.append((0, _LINE_NUMBER.match(raw).end(), "line number"))
        spans += [(m.start(1), m.end(1), "watermark") for m in _GLUED_NAME.finditer(raw)
                  if m.group(1) in names]
        # A name in its brackets, once known, is the site's mark wherever it falls: a site may
        # set it every so many characters, mid-word. (A forum's [/font] is markup, not a name.)
        spans += [(m.start(), m.end(), "watermark") for name in names
                  if name[0] in _OPENING and re.search(_HAN, name)
                  for m in re.finditer(re.escape(name), raw)]
        # Once known, the name goes from the end of any line, a title's too.
        end = raw.rstrip()
        spans += [(len(end) - len(name), len(end), "watermark") for name in names
                  if end.endswith(name) and end.strip() != name]
        line = _cut(raw, sorted(set(spans)), number, removed)[0].strip()
        lines.append(None if raw.strip() and not line else line)
    furniture = _page_furniture(lines)
    glossing = _glossing(text)
    for number, line in enumerate(lines, start=1):
        # Only a line with no sentence end in it can be a keyword list or a notice on its own;
        # it is judged without its glosses, whose brackets and bars would read as a list.
        folded = _fold(_without_glosses(line, glossing)) if line and not TERMINAL.search(line) else ""
        if number in furniture:
            removed.append(Removal(line or "", furniture[number], number))
            line = None
        elif line and _teaser(line, [rest for rest in lines[number:] if rest]):
            removed.append(Removal(line, "excerpt teaser", number))
            line = None
        elif folded and _keyword_list(folded):
            removed.append(Removal(line, "keyword list", number))
            line = None
        elif folded and _certain(folded) and not is_structural(line):
            head, tail = _salvage(line, folded)
            removed.append(Removal(line[len(head):len(line) - len(tail)], "advertising/navigation", number))
            line = (head + " " + tail).strip() or None
        kept.append((number, line))
    odd = strewn(text)
    paragraphs = []
    for paragraph in _reflow(kept):
        spans = _marks(paragraph.text, glossing, text, odd)
        paragraph.text, paragraph.joins = _cut(paragraph.text, spans, paragraph.line, removed,
                                               paragraph.joins)
        paragraphs += [p for p in _split_at_sentence_ends(paragraph) if p.text.strip()]
    return _Prepared(paragraphs, removed)


# A reviewer's copy numbers its lines: 12 衛生健康部門要會同……
_LINE_NUMBER = re.compile(r"^\s*(\d{1,4})(?:\s+|$)")
# So many lines in a row counting up by one are numbered lines, not a list the speech made.
_NUMBERED_RUN = 5


def _line_numbers(lines: list[str]) -> set[int]:
    """Indexes of the lines that start with a line number: runs of lines whose leading numbers
    count up by one (from 1 again on each page)."""
    values = [int(m.group(1)) if (m := _LINE_NUMBER.match(line)) else None for line in lines]
    found: set[int] = set()
    start = 0
    for end in range(1, len(values) + 1):
        if end < len(values) and values[end] is not None and values[end - 1] is not None \
                and values[end] == values[end - 1] + 1:
            continue
        if end - start >= _NUMBERED_RUN:
            found.update(range(start, end))
        start = end
    return found


# A table of contents: a heading, dot leaders, perhaps a page number (一、……………… 3), or a
# short leader and the page number (二、找准短板……2).
_CONTENTS_LINE = re.compile(r"^[^。！？]{2,60}?(?:(?:…{4,}|[.·．]{6,})\s*\d{0,3}|…{2,3}\s*\d{1,3})$")
_CONTENTS_HEAD = re.compile(r"^目\s*录[:：]?$")
_DIGITS = re.compile(r"\d+")
# In words, in the numerals of cheques and contracts (第叁页), and in traditional characters (頁).
_PAGE_IN_WORDS = re.compile(r"第[一二三四五六七八九十百零〇壹贰貳叁參肆伍陆陸柒捌玖拾佰]+[页頁]")


# A line shaped like a title that comes back this often is a running header (not a title a
# compilation gives twice).
RUNNING_TITLE = 3


def _page_furniture(lines: list[str | None]) -> dict[int, str]:
    """Line numbers of a copy's page furniture, with the reason: a line that comes back on page
    after page with only its number changed (a running header: the title and the page), and a
    table of contents with its heading."""
    def key(line: str) -> str:
        return _DIGITS.sub("#", _PAGE_IN_WORDS.sub("第#页", line.replace(" ", "")))

    counts = Counter(key(line) for line in lines if line and len(line) <= 60 and not ends_sentence(line))
    seen: Counter[str] = Counter()
    found: dict[int, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        # Twice, with or without a number that changes (no part of a speech comes back whole).
        numbered = _DIGIT.search(line) or _PAGE_IN_WORDS.search(line)
        shape = key(line)
        repeats = counts.get(shape, 0)
        seen[shape] += 1
        if is_salutation(line) or _MARKER_IN_LINE.match(line):
            continue
        if repeats >= 2 and (numbered or not is_structural(line)):
            found[number] = "running header"
        elif repeats >= RUNNING_TITLE and seen[shape] > 1 and heading_of(line) is None:
            # A title printed on page after page: the first is the speech's, the rest the page's.
            found[number] = "running header"
        elif _CONTENTS_LINE.match(line):
            found[number] = "table of contents"
    for number, line in enumerate(lines, start=1):
        following = [n for n in range(number + 1, min(number + 4, len(lines) + 1)) if lines[n - 1]]
        if line and _CONTENTS_HEAD.match(line) and following \
                and found.get(following[0]) == "table of contents":
            found[number] = "table of contents"
    return found


def _split_at_sentence_ends(paragraph: _Paragraph) -> list[_Paragraph]:
    """Undo a join made only because a mark hid the full stop that ended the line."""
    parts, start, joins = [], 0, []
    for join in paragraph.joins:
        if ends_sentence(paragraph.text[start:join]):
            parts.append(_Paragraph(paragraph.text[start:join], paragraph.line, joins))
            start, joins = join, []
        else:
            joins.append(join - start)
    parts.append(_Paragraph(paragraph.text[start:], paragraph.line, joins))
    return parts


_OPEN_BEFORE = re.compile(r"[【\[［（(][^【】\[\]［］（）()]{0,12}$")
_CLOSE_AFTER = re.compile(
    r"[^【】\[\]［］（）()。！？]{0,12}[】\]］）)]|\s*[（(]?[^，。！？\s]{0,4}\d+\s*篇[）)]?"
)


# Where the clause of a noise phrase ends: a stop, a colon, a space, or a heading glued after it.
_CLAUSE_END = re.compile(rf"[，,。！？!?；;：:\s]|(?={CN_NUM}、|[（(]{CN_NUM}[）)]|[第其]{CN_NUM}[，、：:])")


def _salvage(noise: str, folded: str) -> tuple[str, str]:
    """A title, heading or salutation before or after the noise in a piece of text.

    "下载后可任意编辑 在全县XX会议上的讲话" keeps the title: the noise runs from the
    first noise word to the last, and what lies outside them stays if it is structure.
    """
    hits = _hint_spans(folded)
    if not hits:
        return "", ""
    first = min(m.start() for m in hits)
    last = max(m.end() for m in hits)
    # The noise takes its brackets (【此文档可编辑，下载后直接使用】) and a count after it (讲话稿6篇).
    opening = _OPEN_BEFORE.search(noise[:first])
    first = opening.start() if opening else first
    closing = _CLOSE_AFTER.match(noise, last)
    last = closing.end() if closing else last
    # The noise runs on to the end of its clause when a few words are left of it (开通会员后畅享
    # 全部, 推荐阅读这篇《……》的全文), not over a clean sentence or a title it was glued to.
    clause = _CLAUSE_END.search(noise, last)
    end = clause.start() if clause else len(noise)
    if len(core_text(_said(folded[last:end]))) <= 10 and not _speech_part(noise[last:end], folded[last:end]) \
            and not _ADDRESSED.match(noise, last):
        last = end
    head = noise[:first]
    tail = noise[last:]
    # A head cut at a comma is the first half of the noise's own sentence, not a title, unless it
    # reads as the speech's clause (撸起袖子加油干，点击展开剩余内容 ▾为明年……).
    lead = head.rstrip()
    if lead.endswith(("，", ",", "、")) and not (_speech_part(lead, folded[:len(lead)])
                                                 and site_talk(folded[:len(lead)]) < RESCUE):
        head = ""
    # The head goes without the marks it trails (同志们：▒▒ 以下内容已隐藏): they were the noise's.
    head = re.sub(r"(?<=[：:])\W*$|[^\w：:]+$", "", head)
    head = head if (_speech_part(head, folded[:first]) or is_structural(head.strip(" ，,：:"))
                    or is_salutation(head.strip())) and not _reads_as_site(head, folded[:first]) else ""
    # After a colon comes what the noise points at (上一篇：another speech's title) or a field's
    # short value (栏目：讲话致辞), not the page's own text.
    pointing = tail.lstrip().startswith(("：", ":")) \
        or noise[:last].rstrip().endswith(("：", ":")) and len(core_text(tail)) <= 8
    tail = "" if pointing else tail.lstrip(" ，,、；;。！!")
    # Where the noise runs on with no stop or space (这篇讲话层次分明……, 【读前提示】本文为……),
    # what follows is the rest of the noise's own sentence unless it reads as the speech's
    # (点此解锁毒品问题事关……).
    tail_folded = folded[len(noise) - len(tail):]
    run_on = not re.search(r"[。！？!?；;…\s]$", noise[:last]) and not _ADDRESSED.match(tail) \
        and not is_structural(tail) and site_talk(tail_folded) >= RESCUE
    if not run_on and _speech_part(tail, tail_folded) and not _reads_as_site(tail, tail_folded):
        return head, tail
    # In text that lost its line breaks a space is where one was: after a page's fields
    # (来源：某网 发布时间：…) the speech may go on from the next space.
    for gap in re.finditer(r"\s+", noise[last:]):
        at = last + gap.end()
        rest = noise[at:]
        if (_speech_part(rest, folded[at:]) or _clean_sentence(rest, folded[at:])) \
                and not _reads_as_site(rest, folded[at:]):
            return head, rest
    return head, ""


def _reads_as_site(text: str, folded: str) -> bool:
    """Whether what is left beside a noise phrase is a site's sentence all the same (点赞 12
    楼上说得对……): a title or heading is the speech's whatever words it has."""
    return not is_structural(text.strip()) and site_talk(folded.strip()) >= CATCH_EDGE


def _clean_sentence(text: str, folded: str) -> bool:
    """A whole sentence with no site word in it."""
    return ends_sentence(text) and len(core_text(text)) >= 8 and not _has_hint(folded)


def _speech_part(text: str, folded: str) -> bool:
    """Text beside a noise phrase that is the speech's own: its structure, or a whole clean sentence
    (a paywall prompt glued to the start of one)."""
    text, folded = text.strip(), folded.strip()
    # A title in the site's own words is its heading (栏目：讲话致辞, ……讲话稿汇编), not the speech's.
    # What it quotes does not count towards a whole sentence: 《……》值得细读 is a blurb's end.
    # A sentence that turns to the audience (同事们，……。) is the speaker's, however short, and so
    # is a shorter one, or a clause cut off by the noise, that the score reads as speech.
    if is_structural(text) and _score(folded) < 2:
        return True
    if _score(folded) or _hint_spans(folded):
        return False
    letters = len(core_text(_said(folded)))
    return letters >= 20 or bool(_ADDRESSED.match(text)) and ends_sentence(text) \
        or letters >= 8 and text.endswith(("。", "！", "？", "，", ",")) and site_talk(folded) < RESCUE


# --- 3: re-flow ------------------------------------------------------------------

_SALUTATION_IN_LINE = re.compile(
    r"(?:(?:尊敬的|各位|亲爱的)[^。！？：:\s]{0,30})?(?:同志[们們]|同事[们們]|朋友[们們]|女士[们們]|各位代表|各位[来來][宾賓])"
    r"[^。！？：:\n]{0,10}[：:]"
)
_SALUTATION_BEFORE = re.compile(
    r"(?:(?:同志们|同事们|朋友们|女士们|先生们|各位[^，、。！？：:]{0,8})[，、])+$"
)
# The speaker turning to the audience (同事们，……) opens a sentence of the speech's own.
_ADDRESSED = re.compile(r"(?:同志[们們]|同事[们們]|朋友[们們]|女士[们們]|先生[们們]"
                        r"|各位[^，、。！？：:\s]{0,8})[，,]")
_MARKER_IN_LINE = re.compile(COMPILATION_MARKER_BODY)
_STOP_BEFORE = r"(?<=[。！？；…”])"
_HEADING_AHEAD = rf"(?={CN_NUM}、|[（(]{CN_NUM}[）)]|第{CN_NUM}[，、：:]|\d{{1,2}}[、．](?!\d))"
_LONG_LINE_BREAK = re.compile(rf"{_STOP_BEFORE}[ \t]*{_HEADING_AHEAD}|{_STOP_BEFORE}[ \t]{{2,}}")
# A paragraph longer than this is a whole speech that lost its line breaks.
_RUN_ON = 500


_OPEN_BRACKET = re.compile(r"[（(【\[〔][^（()）【】\[\]〔〕]{0,30}$")


def _reflow(lines: list[tuple[int, str | None]]) -> list[_Paragraph]:
    pieces: list[tuple[int, str | None]] = []
    for number, line in lines:
        pieces += [(number, part) for part in _split_run_on(line)] if line else [(number, line)]
    return _join_breaks(pieces)


def _split_run_on(text: str) -> list[str]:
    cuts = {m.start() for m in _MARKER_IN_LINE.finditer(text)}
    if not is_salutation(text):
        for m in _SALUTATION_IN_LINE.finditer(text):
            # 同志们，朋友们： is one salutation, not 同志们， glued to the text before it.
            before = _SALUTATION_BEFORE.search(text[:m.start()])
            cuts |= {before.start() if before else m.start(), m.end()}
    if len(text) > _RUN_ON:
        cuts |= {m.end() for m in _LONG_LINE_BREAK.finditer(text)}
    bounds = sorted(cuts | {0, len(text)})
    parts = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in parts if p]


def _join_breaks(lines: list[tuple[int, str | None]]) -> list[_Paragraph]:
    """Join lines that a hard line break cut inside a sentence.

    A blank line ends a paragraph; a line taken out as noise does not (a page footer
    between two halves of a sentence).
    """
    filled = [line for _, line in lines if line]
    if not filled:
        return []
    lengths = sorted(len(line) for line in filled)
    wrap = lengths[int(len(lengths) * 0.75)]
    threshold = max(12, min(30, int(wrap * 0.8)))
    out: list[_Paragraph] = []
    open_ = False  # the last paragraph may take the next line
    for number, line in lines:
        if line is None:
            continue
        if not line:
            open_ = False
            continue
        if out and open_ and _continues(out[-1].text, line, threshold):
            out[-1].joins.append(len(out[-1].text))
            # Words of Latin script broken over a line stay apart (an anti-scraping string's tokens).
            gap = " " if out[-1].text[-1:].isascii() and line[:1].isascii() else ""
            out[-1].text += gap + line
        else:
            out.append(_Paragraph(line, number))
        open_ = True
    return out


_TITLE_END = re.compile(r"(?:上的|的)?(?:讲话|致辞|发言|报告|讲话稿|主持词)(?:[（(][^（）()]{1,12}[）)])?")


def _continues(previous: str, line: str, threshold: int) -> bool:
    # A bracket left open runs on: an aside broken over the line end (（转自：⏎某某文苑）).
    if _OPEN_BRACKET.search(previous) and not is_structural(line):
        return True
    if _TITLE_END.fullmatch(line) and not TERMINAL.search(previous) and is_title_like(previous + line):
        return True  # a title's last words wrapped onto a line of their own (……仪式上⏎的讲话)
    if len(previous) < threshold or ends_sentence(previous) or previous.endswith(("：", ":")):
        return False
    # A title broken over two lines: the first half has no title words of its own.
    if is_title_like(line) and not is_title_like(previous) and not TERMINAL.search(previous) \
            and is_title_like(previous + line) and not heading_of(line):
        return True
    if is_structural(line) or is_salutation(previous) or _MARKER_IN_LINE.match(line):
        return False
    # A title line: title words and no clause of a sentence (a wrapped line has its commas).
    if is_title_like(previous) and not re.search("[，。；、]", previous):
        return False
    heading = heading_of(previous)
    return not (heading and heading.whole_line)


# --- 4: sentences ----------------------------------------------------------------


def clean_text(text: str, stats: CorpusStats | None = None) -> CleanedText:
    """Clean one normalised file's text; `stats` brings repetition evidence from the corpus."""
    return clean_corpus([text])[0] if stats is None else _finish(_prepare(text), stats)


def clean_corpus(texts: list[str]) -> list[CleanedText]:
    """Clean normalised texts together, so boilerplate shared between files is seen."""
    prepared = [_prepare(text) for text in texts]
    stats = CorpusStats.from_paragraphs([f.paragraphs for f in prepared])
    return [_finish(f, stats) for f in prepared]


_LETTER = re.compile(r"[^\W_]")
# A paragraph this short is one notice or one point of a speech, judged as a whole too.
_SHORT_PARAGRAPH = 80


def _finish(prepared: _Prepared, stats: CorpusStats) -> CleanedText:
    removed = list(prepared.removed)
    # Each paragraph is folded to simplified once; its sentences and tails are cut from both.
    pairs = [part for p in prepared.paragraphs
             for part in _strip_watermarks(p, _fold(p.text), stats, removed)]
    paragraphs = [p for p, _ in pairs]
    # (paragraph, sentence) -> reason
    reasons: dict[tuple[int, int], str] = {}
    listed = [_keyword_list(f) for _, f in pairs]
    # A keyword list is cut as a whole: the title glued after it is salvaged from it.
    sentences = [split_sentences(p.text) if kw else _units(p.text) for p, kw in zip(paragraphs, listed)]
    folded = [_slices(f, parts) for (_, f), parts in zip(pairs, sentences)]
    announced = _announced_items([p.text for p in paragraphs])
    closed = False
    for i, (_, whole) in enumerate(pairs):
        if i in announced and _score(whole) < 2:
            continue  # an item of a list the speech announced (新签合同额：90亿元), not a page field
        if not _LETTER.search(whole):
            # Only symbols and stops: a separator (——, ……, ***) left between the page's parts.
            reasons.update({(i, j): "separator" for j in range(len(sentences[i]))})
            continue
        if listed[i]:
            reasons.update({(i, j): "keyword list" for j in range(len(sentences[i]))})
            continue
        if _pieces_of_a_site_line(sentences[i], whole):
            reasons.update({(i, j): "advertising/navigation" for j in range(len(sentences[i]))})
            continue
        # A short paragraph is judged whole as well: a site's blurb may spread its words over
        # two sentences (编者按：这类讲话难在哪里？请看下文……), neither enough alone.
        blurb = len(sentences[i]) > 1 and len(whole) <= _SHORT_PARAGRAPH and _score(whole) >= 3
        # Above a title, first in the file, or after a speech's closing words a site speaks of
        # the text, not in it (a speech's own last words may sound like anything).
        edge = closed or i == 0 or i + 1 == len(pairs) or _opens_speech(paragraphs[i + 1:])
        for j in range(len(sentences[i])):
            reason = _unit_noise(sentences[i], folded[i], j, stats, blurb, edge)
            if reason:
                reasons[(i, j)] = reason
        # A title that stays opens the next speech.
        kept = [unit for j, unit in enumerate(sentences[i]) if (i, j) not in reasons]
        closed = bool(kept) and _CLOSING.search(kept[-1]) is not None \
            or closed and not (kept and is_title_like("".join(kept)))
    _mark_wedged(paragraphs, sentences, folded, reasons)
    _mark_repeated_notices(paragraphs, sentences, reasons)
    # Marks with no letter beside a line taken out were its decoration (▒▒ 以下内容已隐藏 ▒▒).
    for (i, j), reason in list(reasons.items()):
        for k in (j - 1, j + 1):
            if 0 <= k < len(sentences[i]) and not _LETTER.search(sentences[i][k]):
                reasons.setdefault((i, k), reason)

    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        kept = ""
        for j, sentence in enumerate(sentences[i]):
            if (i, j) not in reasons:
                kept += sentence
                continue
            head, tail = _salvage(sentence.strip(), folded[i][j].strip())
            inner = sentence.strip()[len(head):len(sentence.strip()) - len(tail)]
            removed.append(Removal(inner.strip(), reasons[(i, j)], paragraph.line))
            kept += head + " " + tail + " "
        kept = _tidy(kept)
        if kept:
            lines.append(kept)
    return CleanedText(lines, [r for r in removed if r.text.strip()])


def _pieces_of_a_site_line(units: list[str], folded: str) -> bool:
    """A short line of pieces, none of them a sentence, that the score reads whole as a site's (广告
    笔记本电脑以旧换新，最高补贴…… 了解详情>): each piece alone may say too little. A title among
    them keeps it, and a compilation's marker (◎ 稿例二) is left to the splitting."""
    return len(units) > 1 and len(folded) <= _SHORT_PARAGRAPH and not _marker("".join(units)) \
        and not any(is_structural(unit.strip()) or ends_sentence(unit.strip()) for unit in units) \
        and site_talk(folded) >= CATCH


def _opens_speech(below: list[_Paragraph]) -> bool:
    """Whether a title or the salutation comes next, or a compilation's marker and then a title
    (▣ 范例二): what stands before them is not yet the speech."""
    title_at = 1 if below and _marker(below[0].text) else 0
    return len(below) > title_at and (is_title_like(below[title_at].text)
                                      or not title_at and is_salutation(below[0].text))


# A speech's last words: 谢谢大家！, 预祝大会圆满成功！
_CLOSING = re.compile(r"^\s*(?:谢谢(?:大家|各位|您们|你们)?|预祝[^。！？]{0,30}(?:成功|顺利|圆满))"
                      r"[！!。]\s*$")
# A short line of a label and its value: 营业收入：70亿元, 人气：6598.
_LABEL_VALUE = re.compile(r"^[^：:。！？]{2,16}[：:][^：:。！？]{1,20}$")


def _announced_items(texts: list[str]) -> set[int]:
    """Indexes of label-and-value lines that follow a sentence of the speech ending in a colon
    (主要经营指标如下：), one after another: the speech's own list, which looks like a page's fields."""
    items: set[int] = set()
    for i in range(1, len(texts)):
        before = texts[i - 1].strip()
        lead_in = before.endswith(("：", ":")) and len(before) >= 12 and not is_salutation(before) \
            and _score(_fold(before)) == 0
        if _LABEL_VALUE.match(texts[i].strip()) and (lead_in or i - 1 in items):
            items.add(i)
    return items


def _unit_noise(units: list[str], folded: list[str], j: int, stats: CorpusStats, blurb: bool,
                edge: bool = False) -> str | None:
    """Why unit `j` of a paragraph is noise, if it is; `edge`, the paragraph is above a title,
    the file's first, or after a speech's closing words."""
    unit, said = units[j].strip(), folded[j].strip()
    # A piece a space cut off a sentence is not taken for a short line on one site word; a line
    # glued before a title or after one, in text that lost its line breaks, is no such piece.
    piece = units[j][-1:].isspace() and j + 1 < len(units) and not is_structural(units[j + 1].strip()) \
        or j > 0 and units[j - 1][-1:].isspace() and not is_structural(units[j - 1].strip())
    reason = _sentence_noise(unit, said, stats, piece=piece, edge=edge)
    # Sites put their lines between paragraphs or at their ends, not between two of the
    # speech's sentences: a sentence with plain prose on both sides needs more to be noise.
    if reason and ends_sentence(unit) and _between_prose(units, folded, j):
        reason = _sentence_noise(unit, said, stats, inside=True, piece=piece)
    # In a blurb, what has a site word goes, and so does a hook (材料不会写？); a whole
    # sentence with none stays (a speech's last words before a glued blurb).
    hook = ends_sentence(unit) and not is_prose(unit)
    if not reason and blurb and (hook or _has_hint(said)) and not is_structural(unit):
        reason = "advertising/navigation"
    return reason


# A space between two Chinese characters is where a line break was, in text that lost them.
_GAP = re.compile(r"(?<=[^\x00-\x7f])[ \t]+(?=[^\x00-\x7f])")


def _units(text: str) -> list[str]:
    """The sentences of a paragraph, cut also where a lost line break left a space: a site's line
    glued before a sentence is judged apart from it. Joined, they give the text back."""
    units = []
    for sentence in split_sentences(text):
        cuts = [0, *(m.end() for m in _GAP.finditer(sentence)), len(sentence)]
        units += [sentence[a:b] for a, b in zip(cuts, cuts[1:]) if a < b]
    return units


def _between_prose(sentences: list[str], folded: list[str], j: int) -> bool:
    """Whether the sentences next to sentence `j` are both plain prose, with no site word."""
    def plain(k: int) -> bool:
        return 0 <= k < len(sentences) and is_prose(sentences[k].strip()) and not _has_hint(folded[k])
    return plain(j - 1) and plain(j + 1)


def _slices(folded: str, parts: list[str]) -> list[str]:
    """The folded text of each of the consecutive `parts` a text was split into."""
    out, at = [], 0
    for part in parts:
        out.append(folded[at:at + len(part)])
        at += len(part)
    return out


def _marker(line: str) -> bool:
    """A compilation's marker, which rag/corpus/split.py takes out once it has split the speeches."""
    counted = COUNTED_LABEL.match(line.strip())
    return bool(_MARKER_IN_LINE.match(line) or counted and not counted.group(3))


def _reads_as_speech(sentence: str, folded: str, talk: float) -> bool:
    """Whether a sentence of prose the rules take for noise reads as speech (`talk`, its site-talk
    score): a speech on fraud or online sales says 开通会员, 点击关注 and 链接, a site's line has
    its own voice. What the cut would take must not read as a site's line on its own (a paywall
    glued to a sentence)."""
    sentence, folded = sentence.strip(), folded.strip()
    head, tail = _salvage(sentence, folded)
    cut = folded[len(head):len(folded) - len(tail)]
    cut_talk = site_talk(cut)
    return cut_talk < RESCUE and is_prose(cut) or cut_talk < CATCH and is_prose(sentence) and talk < RESCUE


def _sentence_noise(sentence: str, folded: str, stats: CorpusStats, inside: bool = False,
                    piece: bool = False, edge: bool = False) -> str | None:
    """Why a sentence is noise, if it is; `inside` plain prose, or a `piece` of a sentence a
    space cut off, it is judged more leniently, at an `edge` of the text more strictly."""
    score = _score(folded, inside)
    talk = site_talk(folded)
    if score >= 2 and not _reads_as_speech(sentence, folded, talk):
        return "advertising/navigation"
    # One site word marks a short line (not a short sentence between two of the speech's); a
    # short line seen in other files is boilerplate. Either way a title, heading or salutation
    # stays (asked last: it is the dearer question).
    hinted = score == 1 and len(sentence) <= 60 and not (inside and ends_sentence(sentence)) \
        and not piece and not is_prose(sentence) \
        and not (ends_sentence(sentence) and talk < RESCUE)  # 谢谢各位会员！
    repeated = len(sentence) <= 40 and stats.fragment_files.get(sentence, 0) >= 2 \
        and not ends_sentence(sentence) and len(core_text(sentence)) >= 2
    # The score alone takes a sentence of prose only when very sure, and never between two of the
    # speech's: figures and Latin letters, common in work reports, push a sentence towards a site's.
    # A piece a space cut off is taken on the score only when a site word agrees (萤窗范文网 VIP
    # 专享文档 before a title glued on): a piece of the speech's sentence has neither. At an edge
    # a piece that is a whole sentence is judged as one (a forum's comment after a reply's 赞5).
    prose_catch = CATCH_EDGE if edge else CATCH_PROSE
    worded = (not piece or score >= 1 and talk >= CATCH_PROSE or edge and is_prose(sentence)) \
        and (talk >= CATCH and not is_prose(sentence) or talk >= prose_catch and not inside)
    # A title or heading stays, unless the score is sure it is a site's (某某视频号更新啦：三分钟看懂
    #讲话的框架); a speech's title it names (〘稿2〙在全市……上的讲话) the score does not read.
    sure = worded and talk >= CATCH_PROSE and not names_a_title(sentence)
    structural = is_structural(sentence) and not sure
    if not (hinted or repeated or worded) or structural or _marker(sentence):
        return None
    return "advertising/navigation" if hinted or worded else "repeated boilerplate"


def _teaser(text: str, below: list[str]) -> bool:
    """A line ending in an ellipsis whose text reappears below is a page's excerpt."""
    if not re.search(r"(……|…)$", text):
        return False
    core = core_text(text)
    rest = core_text("".join(below))
    return len(core) >= 15 and core[-15:] in rest and core[:15] in rest


def _mark_wedged(paragraphs: list[_Paragraph], sentences: list[list[str]], folded: list[list[str]],
                 reasons: dict[tuple[int, int], str]) -> None:
    """Runs of short fragments between noise belong to the same ad block; so do two or more
    titles with no sentence in them (a page's list of links: 热门文档 / 相关阅读), but not a
    lone title, which may be the speech's own."""
    order = [(i, j) for i in range(len(paragraphs)) for j in range(len(sentences[i]))]
    texts = {key: sentences[key[0]][key[1]].strip() for key in order}
    fragment = {key for key in order if _wedgeable(texts[key], folded[key[0]][key[1]].strip())}
    titled = {key for key in order if _listed_title(texts[key])}
    for members, least_titles in ((fragment, 0), (fragment | titled, 2)):
        # A list of titles needs noise on both sides: at the top of a file it may be the title itself.
        for run in _bounded_runs(order, members, reasons, edges=not least_titles):
            if sum(key in titled and key not in fragment for key in run) >= least_titles:
                reasons.update({key: "advertising block" for key in run})


def _mark_repeated_notices(paragraphs: list[_Paragraph], sentences: list[list[str]],
                           reasons: dict[tuple[int, int], str]) -> None:
    """A paragraph a page prints again and again, part of it noise, is the page's notice whole
    (著作权归作者所有。商业转载请……): a speech does not say the same paragraph twice."""
    seen = Counter(core_text(p.text) for p in paragraphs)
    for i, paragraph in enumerate(paragraphs):
        units = range(len(sentences[i]))
        if seen[core_text(paragraph.text)] >= 2 and any((i, j) in reasons for j in units):
            for j in units:
                reasons.setdefault((i, j), "repeated notice")


def _bounded_runs(order: list[tuple[int, int]], members: set[tuple[int, int]],
                  reasons: dict[tuple[int, int], str], edges: bool) -> list[list[tuple[int, int]]]:
    """Runs of `members` not yet judged noise, with noise (or, if `edges`, the file's edge) on both sides."""
    runs, pos = [], 0
    while pos < len(order):
        if order[pos] in reasons or order[pos] not in members:
            pos += 1
            continue
        end = pos
        while end < len(order) and order[end] not in reasons and order[end] in members:
            end += 1
        before = order[pos - 1] if pos > 0 else None
        after = order[end] if end < len(order) else None
        sides = [before in reasons if before else edges, after in reasons if after else edges]
        if all(sides) and (before or after):
            runs.append(order[pos:end])
        pos = end
    return runs


def _wedgeable(text: str, folded: str) -> bool:
    """A fragment an ad block may hold: no sentence, and no title unless it is in the site's
    words (a speech's own title may name one of its wares: ……写作培训班上的讲话)."""
    return _short_fragment(text) or (is_title_like(text) and _score(folded) >= 2)


def _listed_title(text: str) -> bool:
    """A title with no sentence in it: between noise, two or more of them are a list of links."""
    return is_title_like(text) and not re.search("[，。；]", text)


def _strip_watermarks(paragraph: _Paragraph, folded: str, stats: CorpusStats,
                      removed: list[Removal]) -> list[tuple[_Paragraph, str]]:
    """Cut phrases glued after the last sentence of a line: repeated ones, or noise.

    Inside a paragraph mended from several lines, a tail may be the start of a sentence the
    next line goes on with (。希望大家 is at many a line's end in a wrapped file), so only a
    clear noise phrase, or a repeated one with a site word in it or in a name's brackets,
    marks it there; once it is cut, the line ended with its sentence and the paragraph ends
    there too.
    """
    text = paragraph.text
    parts: list[tuple[_Paragraph, str]] = []
    for start, end in reversed(paragraph.tails()):
        tail = text[start:end]
        if heading_of(tail.strip()) is not None:
            continue
        at_end = end == len(text)
        repeated = stats.tails[core_text(tail)] >= 2 and (
            at_end or _has_hint(folded[start:end]) or _NAME_SHAPE.fullmatch(tail.strip()))
        if repeated or _score(folded[start:end]) >= (1 if at_end else 3):
            # A title glued after the noise (text that lost its line breaks) stays.
            _, title = _salvage(tail.strip(), folded[start:end].strip())
            keep = start + len(tail.rstrip()) - len(title)
            removed.append(Removal(text[start:keep].strip(), "watermark", paragraph.line))
            if text[keep:].strip():
                parts.append((_Paragraph(text[keep:], paragraph.line), folded[keep:]))
            text, folded = text[:start], folded[:start]
    return [(_Paragraph(text, paragraph.line), folded), *reversed(parts)]
