"""Checking that a section keeps to its outline point."""

import numpy as np

from rag.check.drift import MIN_COSINE, check_point_kept


def embed_by_topic(texts):
    """督查 text points one way, the rest another."""
    return np.vstack([np.array([1.0, 0.0]) if "督查" in t else np.array([0.0, 1.0]) for t in texts])


def test_a_section_on_its_point_passes():
    kept = check_point_kept("二要抓好督查落实", ["督查要盯住关键环节。", "对督查发现的问题要跟踪整改。"], embed_by_topic)
    assert kept.cosine >= MIN_COSINE and kept.on_point


def test_a_section_about_something_else_is_off_its_point():
    kept = check_point_kept("二要抓好督查落实", ["机关食堂要改善伙食。", "要让干部职工吃得放心。"], embed_by_topic)
    assert kept.cosine < MIN_COSINE and kept.words == 0 and not kept.on_point


def test_the_points_own_words_count_without_the_ordinal():
    # The embedding says nothing here; the point's words do (二要 is not one of them).
    kept = check_point_kept("二要抓好督查落实", ["要抓好督查，件件有回音、事事有落实。"], lambda texts: np.eye(len(texts), 3))
    assert kept.words >= 0.5 and kept.on_point
