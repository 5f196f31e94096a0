"""The scale benchmark's report (eval/bench_scale.py): a run of some sizes keeps the others' figures."""

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))

import bench_scale  # noqa: E402

PUBLISHED = json.loads((ROOT / "eval" / "results" / "scale.json").read_text("utf-8"))


def rerun(row: dict, hybrid_p95: float) -> dict:
    fresh = copy.deepcopy(row)
    fresh["search_hybrid"]["p95"] = hybrid_p95
    fresh["run"] = {"date": "2030-01-02", "cores": 8}
    return fresh


def test_a_run_of_one_size_replaces_that_row_and_keeps_the_others():
    fresh = rerun(PUBLISHED[0], 1.25)
    merged = bench_scale.merge_rows(PUBLISHED, [fresh])
    assert [r["size"] for r in merged] == [r["size"] for r in PUBLISHED] and len(PUBLISHED) == 3
    assert merged[0] is fresh and merged[1:] == PUBLISHED[1:]


def test_new_sizes_are_added_in_order_of_size():
    small, large = ({**PUBLISHED[0], "size": 5_000}, {**PUBLISHED[-1], "size": 2_000_000})
    merged = bench_scale.merge_rows(PUBLISHED[1:], [large, small])
    assert [r["size"] for r in merged] == [5_000, *(r["size"] for r in PUBLISHED[1:]), 2_000_000]
    assert bench_scale.merge_rows([], [large, small]) == [small, large]


def test_the_report_says_which_run_each_size_comes_from():
    report = bench_scale.table(bench_scale.merge_rows(PUBLISHED, [rerun(PUBLISHED[0], 1.25)]))
    assert "/ 1.25 |" in report
    kept = "; ".join(f"{r['size']:,} chunks {bench_scale.run_note(r)}" for r in PUBLISHED[1:])
    assert report.splitlines()[-1] == f"Measured: 10,000 chunks 2030-01-02, 8 cores; {kept}."
    assert bench_scale.run_note({"size": 5}) == "date not recorded"
