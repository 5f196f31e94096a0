"""The load test (eval/load_test.py): its FIFO rule and request split, and a small run against a real server."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))

import load_test  # noqa: E402


def model_request(session: int, submitted: float, started: float) -> load_test.Request:
    return load_test.Request(session, "ask", model=load_test.Call(submitted, started=started))


def test_a_job_that_starts_before_an_earlier_one_jumped_the_queue():
    early, late = model_request(0, 0.0, 10.0), model_request(1, 1.0, 5.0)
    assert load_test.fifo_violations([early, late], tolerance=0.05) == [(early, late)]


def test_submits_closer_than_the_tolerance_may_start_in_either_order():
    jobs = [model_request(0, 0.0, 10.0), model_request(1, 0.01, 5.0)]
    assert load_test.fifo_violations(jobs, tolerance=0.05) == []


def test_requests_are_split_by_the_mix_weights():
    mix = load_test.parse_mix(load_test.DEFAULT_MIX)
    assert load_test.counts(mix, 40) == {"search": 24, "ask": 4, "expand": 6, "outline": 6}
    assert sum(load_test.counts(mix, 7).values()) == 7


@pytest.mark.models
def test_two_sessions_lose_nothing_and_see_only_their_own_work(real_index, capsys):
    settings, _ = real_index
    code = load_test.main(["--sessions", "2", "--requests", "4", "--mix", "search=3,expand=1",
                           "--index", str(settings.index_dir), "--timeout", "600"])
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "failures=0 cross_talk=0", out
    assert code == 0
