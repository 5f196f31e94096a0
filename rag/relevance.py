"""Does the corpus speak to a request at all?

Retrieval always returns something, so before drafting we ask whether the best
passages are about the request or merely the least unrelated text in the index.
Two features, both absolute (the fused `Passage.score` is relative within one
query and says nothing here):

- dense: the best query-passage cosine among the retrieved passages;
- coverage: the share of the query's terms, weighted by idf, that occur in the
  corpus at all. A term the corpus never uses counts with the highest possible
  idf, so a request whose distinctive words are all unknown (森林防火, 红烧肉)
  scores near 0 whatever generic words (会议, 讲话, 安全) come with it.

The request is judged relevant when dense + COVERAGE_WEIGHT * coverage reaches
RELEVANT_MIN. Each feature alone leaves little room between the classes, the
sum much more: on-topic requests worded with few corpus words (多读纸质书，少刷
手机屏幕) still sit close in meaning, and topics the embedding model finds
vaguely near (every Chinese official text is near every other for e5-small)
use words the corpus lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.bm25 import BM25Index, tokenize
from rag.errors import OffCorpus
from rag.index import CorpusIndex
from rag.retrieve import Searcher
from rag.types import Passage

# Calibrated with `eval/relevance.py --sweep` on the dev split of
# eval/data/relevance_queries.jsonl (74 requests, 37 relevant; hybrid search,
# k=10, multilingual-e5-small, the bundled corpus). The weight is the one that
# lets the fewest off-topic requests through while blocking none, with the widest
# gap below the lowest relevant score; the threshold is the middle of that gap.
# Dev: accuracy 0.986, no relevant request blocked, 36 of 37 off-topic refused.
# Test split (31 requests, 15 relevant): accuracy 0.968, none blocked, 15 of 16
# refused. The two let through are topics the corpus names in passing
# (乡村振兴, 安全生产 in lists of duties): every one of their words is in the
# corpus. Cosine alone (weight 0) lets 8 of the 37 dev off-topic requests through
# at its best cut. The gap is narrow: 0.006 on either side of the threshold on
# dev (lowest relevant 0.919, highest off-topic below it 0.908), 0.017 above it
# for the lowest relevant request of the test split. Cosines depend on the
# embedding model and both features on the corpus: sweep again after changing
# either much.
COVERAGE_WEIGHT = 0.09
RELEVANT_MIN = 0.9209
# Speeches listed in the off-corpus message; a long list hides the point.
MAX_TOPICS = 10
MAX_QUOTED_CHARS = 40
_DERIVED_TITLE = "（无标题）"


@dataclass
class Relevance:
    relevant: bool
    dense: float
    coverage: float
    score: float
    reason: str


def term_coverage(bm25: BM25Index, query: str) -> float:
    """Idf-weighted share of the query's terms found in the corpus vocabulary (0 to 1)."""
    terms = set(tokenize(query))
    known = {t for t in terms if t in bm25.vocab}
    unknown = _new_subjects(terms - known, known)
    if not known and not unknown:
        return 0.0
    # A term the corpus never uses weighs as a term found in no passage.
    unseen = float(np.log(1 + (bm25.n_docs + 0.5) / 0.5))
    found = sum(float(bm25.idf[bm25.vocab[t]]) for t in known)
    return found / (found + unseen * len(unknown))


def _new_subjects(unknown: set[str], known: set[str]) -> set[str]:
    """The unknown terms that name something the corpus lacks.

    jieba's search mode gives a long word together with the dictionary words
    inside it. A long word the corpus lacks but whose parts it has (接待工作:
    接待, and 工作 as a stopword) is the corpus's words put together, so it is
    left out, and so are fragments that straddle a known part (待工); parts
    beside the known ones still count (退役军人: 退役).
    """
    # Only Chinese words are split into parts; "about" merely contains "a".
    compounds = {t for t in unknown if not t.isascii() and any(k in t for k in known)}
    straddling = {
        t for t in unknown - compounds
        for c in compounds if t in c and any(k in c and _overlap(c, t, k) for k in known)
    }
    return unknown - compounds - straddling


def _overlap(word: str, a: str, b: str) -> bool:
    i, j = word.find(a), word.find(b)
    return i < j + len(b) and j < i + len(a)


def best_cosine(searcher: Searcher, query: str, passages: list[Passage]) -> float:
    """The best cosine between the query and the retrieved passages.

    A passage without a dense score ranked below the dense candidate list, so
    it cannot beat one that has it; only when none has one (a keyword-only
    search) is the query embedded and the index's best match looked up.
    """
    found = [p.scores["dense"] for p in passages if "dense" in p.scores]
    if found:
        return max(found)
    if not searcher.index.chunks:
        return 0.0
    vector = np.asarray(searcher.encode_queries([query]), dtype=np.float32)
    scores, ids = searcher.index.dense.search(vector, 1)
    return float(scores[0][0]) if ids[0][0] >= 0 else 0.0


def judge(searcher: Searcher, query: str, passages: list[Passage]) -> Relevance:
    """Whether `passages`, retrieved for `query`, make the corpus a basis for writing about it.

    `passages` are the search results as returned (hybrid, top 10 when calibrated),
    before any selection for the prompt drops the best of them.
    """
    if not passages:
        return Relevance(False, 0.0, 0.0, 0.0, "检索没有找到任何段落")
    dense = best_cosine(searcher, query, passages)
    coverage = term_coverage(searcher.index.bm25, query)
    score = dense + COVERAGE_WEIGHT * coverage
    relevant = score >= RELEVANT_MIN
    figures = f"语义相似度 {dense:.3f}，词语覆盖 {coverage:.0%}，综合 {score:.3f}"
    reason = (f"{figures}，达到阈值 {RELEVANT_MIN}" if relevant
              else f"{figures}，低于阈值 {RELEVANT_MIN}：语料中没有谈及这一题目的段落")
    return Relevance(relevant, dense, coverage, score, reason)


def corpus_topics(index: CorpusIndex) -> list[str]:
    """Titles of the indexed speeches, each once, in corpus order.

    Titles derived from a speech's opening words are left out when real titles
    exist: they read as a fragment, not as a subject.
    """
    titles = list(dict.fromkeys(s["title"] for s in index.speeches if s.get("title")))
    named = [t for t in titles if not t.startswith(_DERIVED_TITLE)]
    return named or titles


def off_corpus_message(query: str, topics: list[str]) -> str:
    """What to tell the user when the corpus has nothing on `query`."""
    query = " ".join(query.split())
    if len(query) > MAX_QUOTED_CHARS:
        query = query[:MAX_QUOTED_CHARS] + "…"
    lines = [f"语料库中没有与“{query}”相关的讲话材料，无法据实起草，因此不生成文稿。"]
    if topics:
        lines.append(f"现有语料共 {len(topics)} 篇讲话，涉及：")
        lines += [f"  · {t}" for t in topics[:MAX_TOPICS]]
        if len(topics) > MAX_TOPICS:
            lines.append(f"  · ……另有 {len(topics) - MAX_TOPICS} 篇")
    else:
        lines.append("语料库中还没有任何讲话。")
    # `wengao ingest` alone re-reads the folders the index was built from; naming
    # folders replaces them, so the existing corpus has to be named as well.
    lines.append("如需就这一题目起草，请先补充相关讲话稿：放进语料文件夹后运行 wengao ingest，"
                 "或运行 wengao ingest <原语料文件夹> <新材料文件夹>。")
    return "\n".join(lines)


def require_relevant(searcher: Searcher, query: str, passages: list[Passage]) -> Relevance:
    """judge(), raising OffCorpus with the message for the user when the corpus has nothing."""
    verdict = judge(searcher, query, passages)
    if not verdict.relevant:
        raise OffCorpus(off_corpus_message(query, corpus_topics(searcher.index)))
    return verdict
