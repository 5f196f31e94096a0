"""Train the site-talk score (rag/corpus/site_talk.py) on the noise set's wordings and speech prose.

    python eval/train_site_talk.py [--check-only]

Positives: every wording of the phrase kinds of site noise in eval/data/noise/noise_variants*.json
(paywalls, template blurbs, keyword lines, ads, menus and page chrome, banners, watermarks, site
headings), placeholders filled, and the site lines of eval/data/site_talk_train*.jsonl (written for
training only: many more kinds and wordings). Negatives: every sentence, title and heading of the
speeches written for the noise set (speeches*.txt), and the speech lines of the training file
(many of them speech that talks about the web, fraud, media or figures, as a site's lines do).
All folded to simplified characters, as cleaning scores them.

First it prints how well the score generalises to wordings it never saw: each of the noise
set's groups of files (written separately) held out in turn, the model trained on the others
and the training file. Then it trains on all and writes rag/corpus/data/site_talk.json, unless
--check-only. A split of the noise set still held out for the cleaner as a whole is not read.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.corpus.clean import is_prose  # noqa: E402
from rag.corpus.site_talk import CATCH, CATCH_PROSE, MODEL, RESCUE, ngrams  # noqa: E402
from rag.corpus.traditional import to_simplified  # noqa: E402

DATA = ROOT / "eval/data/noise"
TRAINING = sorted((ROOT / "eval/data").glob("site_talk_train*.jsonl"))
GROUPS = {
    "dev+test": ("noise_variants.json", "speeches.txt"),
    "test2": ("noise_variants_test2.json", "speeches_test2.txt"),
    "test3": ("noise_variants_test3.json", "speeches_test3.txt"),
    "test4": ("noise_variants_test4.json", "speeches_test4.txt"),
    "test5": ("noise_variants_test5.json", "speeches_test5.txt"),
    "test6": ("noise_variants_test6.json", "speeches_test6.txt"),
    "test7": ("noise_variants_test7.json", "speeches_test7.txt"),
    "test8": ("noise_variants_test8.json", "speeches_test8.txt"),
    "test9": ("noise_variants_test9.json", "speeches_test9.txt"),
    "test10": ("noise_variants_test10.json", "speeches_test10.txt"),
    "test11": ("noise_variants_test11.json", "speeches_test11.txt"),
}
PHRASE_KINDS = ("paywall", "template", "seo", "ad", "nav", "banner", "watermark", "site_heading", "html_page")
# Topics and titles are those of the speeches, so that what a speech is about says nothing.
FILLERS = {"n": ["3", "5", "1200"], "p": ["3", "12"], "price": ["5", "9.9"], "pct": ["30"],
           "date": ["2024-03-12"], "views": ["1288"], "site": ["范文网", "公文苑"], "i": ["2"],
           "total": ["5"]}
TRAINING_GROUP = "training"
MAX_N = 3
C = 4.0
# An n-gram seen in one sentence only says nothing of wordings to come, and keeps the model small.
MIN_DF = 2


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in _strings(item)]


def site_wordings(name: str, rng: random.Random, fillers: dict[str, list[str]]) -> list[str]:
    variants = json.loads((DATA / name).read_text(encoding="utf-8"))
    fill = lambda s: re.sub(r"\{(\w+)\}", lambda m: rng.choice(fillers.get(m.group(1), ["某"])), s)  # noqa: E731
    return [to_simplified(fill(s)) for kind in PHRASE_KINDS for s in _strings(variants.get(kind, []))
            if len(s) >= 4]


def speech_sentences(name: str) -> list[str]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "@@", "--")):
            out += [s.strip() for s in re.findall(r"[^。！？；]+[。！？；]?", line) if len(s.strip()) >= 4]
    return [to_simplified(s) for s in out]


def topics_and_titles() -> dict[str, list[str]]:
    topics, titles = [], []
    for _, name in GROUPS.values():
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        topics += [line.split()[-1] for line in lines if line.startswith("@@")]
        titles += [lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if line.startswith("@@")]
    return {**FILLERS, "topic": topics, "title": titles}


def training_lines() -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for path in TRAINING
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ([to_simplified(r["text"]) for r in rows if r["label"] == "site"],
            [to_simplified(r["text"]) for r in rows if r["label"] == "speech"])


def load() -> dict[str, tuple[list[str], list[str]]]:
    rng, fillers = random.Random(7), topics_and_titles()
    groups = {g: (site_wordings(n, rng, fillers), speech_sentences(s)) for g, (n, s) in GROUPS.items()}
    return {**groups, TRAINING_GROUP: training_lines()}


def fit(groups: list[tuple[list[str], list[str]]]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [t for site, speech in groups for t in site + speech]
    labels = [y for site, speech in groups for y in [1] * len(site) + [0] * len(speech)]
    vectorizer = TfidfVectorizer(analyzer=lambda t: list(ngrams(t, MAX_N).elements()), sublinear_tf=True,
                                 min_df=MIN_DF)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    model.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, model


def held_out_report(data: dict[str, tuple[list[str], list[str]]]) -> bool:
    print(f"held out   site wordings  caught>={CATCH}   speech lines  taken  "
          f"prose site talk  kept<{RESCUE}")
    ok = True
    for held, (site, speech) in data.items():
        if held == TRAINING_GROUP:
            continue
        vectorizer, model = fit([v for g, v in data.items() if g != held])
        p_site = model.predict_proba(vectorizer.transform(site))[:, 1]
        p_speech = model.predict_proba(vectorizer.transform(speech))[:, 1]
        # The score alone takes a line that is no sentence of prose from CATCH, a sentence from
        # CATCH_PROSE, and keeps a sentence of prose the rules would take under RESCUE.
        taken = [s for s, p in zip(speech, p_speech) if p >= (CATCH_PROSE if is_prose(s) else CATCH)]
        prose_site = [p for s, p in zip(site, p_site) if is_prose(s)]
        rescued = sum(p < RESCUE for p in prose_site)
        print(f"{held:9}  {len(site):13}  {sum(p_site >= CATCH) / len(site):13.3f}   {len(speech):16}  "
              f"{len(taken):10}  {len(prose_site):15}  {rescued:8}")
        for s in taken:
            print("    speech scored as site talk:", s)
        ok = ok and not taken and not rescued
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-only", action="store_true", help="report held-out figures, write nothing")
    args = parser.parse_args()
    data = load()
    ok = held_out_report(data)
    if args.check_only:
        return 0 if ok else 1
    vectorizer, model = fit(list(data.values()))
    vocabulary = vectorizer.vocabulary_
    grams = sorted(vocabulary, key=vocabulary.get)
    idf, weight = vectorizer.idf_, model.coef_[0]
    MODEL.write_text(json.dumps({
        "about": "Site-talk score for rag/corpus/site_talk.py, written by eval/train_site_talk.py.",
        "max_n": MAX_N, "intercept": round(float(model.intercept_[0]), 5),
        "idf": {g: round(float(idf[i]), 4) for i, g in enumerate(grams)},
        "weight": {g: round(float(weight[i]), 4) for i, g in enumerate(grams) if abs(weight[i]) >= 1e-4},
    }, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {MODEL.relative_to(ROOT)}: {len(grams)} n-grams, {MODEL.stat().st_size // 1024} KiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
