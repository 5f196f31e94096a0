"""How much a sentence sounds like a web site talking rather than a speech: a learned score.

Rules in rag/corpus/clean.py name the kinds of site talk (paywalls, template blurbs, menus, ads); this
model has read many wordings of them next to speech prose, so it also knows wordings no rule
names, and where a speech itself talks about the web (链接, 二维码, VIP会员) it says so. It is a
logistic regression on character 1–3-grams (digits and Latin letters folded; tf-idf, sublinear
tf, l2-normed), trained by eval/train_site_talk.py into rag/corpus/data/site_talk.json; scoring needs no
extra library.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

MODEL = Path(__file__).parent / "data" / "site_talk.json"
# From this score a line that is not a sentence of prose is a site's (a menu item, a paywall
# prompt); under RESCUE a sentence of prose is the speech's even with a site's words in it.
# eval/train_site_talk.py reports both on wordings the model never saw.
CATCH = 0.85
RESCUE = 0.35
# A sentence of prose that is not between two of the speech's is a site's from here: no speech
# sentence the model had not seen scored above 0.80 (of 4,390, each group held out in turn; the
# highest, one on sites luring users into paid membership, one with COVID-19 in it).
CATCH_PROSE = 0.9
# Above a title or first in the file, where a site talks about the text, from here: of 2,338
# speech sentences of prose written for training, scored in five folds by models that had not seen
# them, 13 reach it (speeches on writing speeches), and 63% of 818 site sentences of prose.
CATCH_EDGE = 0.8
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d")
# A speech's title named inside a line (a site's blurb names one): what it names is not its voice.
_NAMED_TITLE = re.compile(r"《[^》]{2,60}》|在[^，。！？；、]{2,50}上的(讲话|致辞|发言|报告|主持词)")
_LATIN = re.compile(r"[a-z]")


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, float], dict[str, float], float, int]:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    return data["idf"], data["weight"], data["intercept"], data["max_n"]


def ngrams(text: str, max_n: int) -> Counter[str]:
    """Character 1..max_n-grams of `text` without white space, each digit as 0 and each Latin
    letter as a: which number or which letters says nothing of a site (5G and a QQ number alike),
    and a speech's text is written without the spaces a page's menus have. A title the line
    names counts as one mark."""
    text = _NAMED_TITLE.sub("《》", text)
    text = _LATIN.sub("a", _DIGITS.sub("0", _SPACES.sub("", text.lower())))
    return Counter(text[i:i + n] for n in range(1, max_n + 1) for i in range(len(text) - n + 1))


def names_a_title(text: str) -> bool:
    """Whether `text` names a speech (《……》, 在……上的讲话): the score does not read what it names."""
    return bool(_NAMED_TITLE.search(text))


def site_talk(text: str) -> float:
    """The probability that `text` (folded to simplified characters) is a site's words, 0..1."""
    idf, weight, intercept, max_n = _model()
    values = {g: (1 + math.log(tf)) * idf[g] for g, tf in ngrams(text, max_n).items() if g in idf}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    z = intercept + sum(v * weight.get(g, 0.0) for g, v in values.items()) / norm
    return 1 / (1 + math.exp(-z))
