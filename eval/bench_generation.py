"""Generation speed: rag.llm.local.Generator against plain llama-cpp-python, side by side.

    python eval/bench_generation.py [--model PATH] [--runs 3] [--max-tokens 128] [--alternate] [--json]

Loads the model and the index once and builds the prompt `wengao expand` builds
for the first paragraph of an outline point (prompts/system.md, then
prompts/paragraph.md with the source sentences planned for the point). Then, alternating, `--runs`
times each, from an empty KV cache, temperature 0, same seed and max_tokens:
  (a) plain `Llama.create_chat_completion(stream=True)` after `llm.reset()`;
  (b) `Generator.stream` after `Generator.reset()`.
(Which of the two goes first alternates from run to run.)
Prints medians: decode tokens/s of each and their ratio (target >= 0.95), the
same with and without the copy block of rag/llm/copyblock.py (target >= 0.95), our
time to first token over plain llama.cpp prompt-evaluation time (target <= 1.15),
the time to first token of a follow-up request that shares system prompt and
passages (warm prefix), retrieval time, whole `expand` calls (retrieve -> first
token -> done) and peak RSS. `--alternate` adds requests alternating between two
passage sets, with and without the saved KV states.

Each measurement is one function returning a dict, so more figures can be added
to `main` the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import llama_cpp  # noqa: E402

from eval.measure import peak_rss_mb  # noqa: E402
from rag.index.embedder import Embedder  # noqa: E402
from rag.llm.bundled import resolve_llm  # noqa: E402
from rag.llm.copyblock import CopyBlock  # noqa: E402
from rag.llm.local import Generator, get_llm  # noqa: E402
from rag.search.hybrid import Searcher, open_searcher  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from rag.types import Passage  # noqa: E402
from rag.write.expand import ExpandRequest, expand, paragraph_messages, retrieve_for  # noqa: E402
from rag.write.plan import Paragraph, plan_section  # noqa: E402

SEED = 42
TOPIC = "加强新时代机关办公室建设"
POINTS = ("围绕中心服务大局，当好参谋助手", "强化督查落实，确保政令畅通", "加强队伍建设，提升服务本领")


# --- the prompt ---------------------------------------------------------------------


def first_paragraph(searcher: Searcher, passages: list[Passage], point: str) -> Paragraph:
    """The sources of the first paragraph `rag.write.expand.expand` writes for `point`."""
    return plan_section(point, passages, searcher.encode_queries, 300)[0]


def build_messages(settings, paragraph: Paragraph, point: str) -> list[dict]:
    """The messages `rag.write.expand.expand` sends for the first paragraph of `point`."""
    return paragraph_messages(settings, ExpandRequest(point, TOPIC, 300), paragraph, 0)


# --- measurements -------------------------------------------------------------------


def measure_plain(llm: llama_cpp.Llama, messages: list[dict], max_tokens: int) -> dict:
    """Plain llama-cpp-python streaming from an empty KV cache."""
    llm.reset()
    llama_cpp.llama_perf_context_reset(llm.ctx)
    start = time.perf_counter()
    first = last = 0.0
    pieces = []
    stream = llm.create_chat_completion(
        messages, stream=True, max_tokens=max_tokens, temperature=0.0, seed=SEED
    )
    for chunk in stream:
        piece = chunk["choices"][0]["delta"].get("content")
        if piece:
            last = time.perf_counter()
            first = first or last
            pieces.append(piece)
    perf = llama_cpp.llama_perf_context(llm.ctx)
    return {
        "prompt_tokens": perf.n_p_eval,
        "prompt_eval_s": perf.t_p_eval_ms / 1000,
        "ttft_s": first - start,
        # n_eval: single-token decodes, one per generated token after the first.
        "decode_tps": perf.n_eval / (last - first) if last > first else 0.0,
        "text": "".join(pieces),
    }


def measure_ours(gen: Generator, messages: list[dict], max_tokens: int, reset: bool = True) -> dict:
    """Generator.stream; from an empty KV cache unless `reset` is false."""
    if reset:
        gen.reset()
    text = "".join(gen.stream(messages, max_tokens=max_tokens, temperature=0.0, seed=SEED))
    t = gen.timings
    return {
        "prompt_tokens": t.prompt_tokens,
        "evaluated_tokens": t.evaluated_tokens,
        "restored": t.restored,
        "prompt_eval_s": t.prompt_eval_s,
        "ttft_s": t.ttft_s,
        "decode_tps": t.decode_tps,
        "text": text,
    }


def measure_cold(
    llm: llama_cpp.Llama, gen: Generator, messages: list[dict], runs: int, max_tokens: int
) -> dict:
    """Plain and ours alternating, `runs` each, both from an empty cache."""
    plain, ours = [], []
    for run in range(runs):
        # Which goes first alternates: on this VM back-to-back runs differ by up to 10% either way.
        for side in ("plain", "ours") if run % 2 == 0 else ("ours", "plain"):
            if side == "plain":
                plain.append(measure_plain(llm, messages, max_tokens))
            else:
                ours.append(measure_ours(gen, messages, max_tokens))

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    out = {
        "prompt_tokens": ours[0]["prompt_tokens"],
        "plain_prompt_eval_s": med(plain, "prompt_eval_s"),
        "plain_ttft_s": med(plain, "ttft_s"),
        "ours_ttft_s": med(ours, "ttft_s"),
        "plain_decode_tps": med(plain, "decode_tps"),
        "ours_decode_tps": med(ours, "decode_tps"),
        "same_text": all(p["text"] == o["text"] for p, o in zip(plain, ours)),
        "plain_decode_tps_runs": [round(r["decode_tps"], 2) for r in plain],
        "ours_decode_tps_runs": [round(r["decode_tps"], 2) for r in ours],
    }
    out["decode_ratio"] = out["ours_decode_tps"] / out["plain_decode_tps"]
    out["ttft_over_prompt_eval"] = out["ours_ttft_s"] / out["plain_prompt_eval_s"]
    return out


def measure_block(gen: Generator, messages: list[dict], passages: list[Passage], runs: int,
                  max_tokens: int) -> dict:
    """Decode speed with the copy block (the passages, as expand blocks them) and without, alternating.

    Sampled at the pipeline's temperature: at 0 the blocked and free texts part at the first ban
    and the comparison would be between two different lengths of text as much as two decoders.
    """
    free, blocked = [], []
    block = CopyBlock([p.chunk.text for p in passages] + [POINTS[0], TOPIC])
    for run in range(runs):
        for side in ("free", "blocked") if run % 2 == 0 else ("blocked", "free"):
            gen.reset()
            options = {"block": block} if side == "blocked" else {}
            "".join(gen.stream(messages, max_tokens=max_tokens, temperature=0.3, seed=SEED + run, **options))
            (blocked if options else free).append(gen.timings.decode_tps)
    out = {"unblocked_decode_tps": statistics.median(free), "blocked_decode_tps": statistics.median(blocked)}
    out["block_ratio"] = out["blocked_decode_tps"] / out["unblocked_decode_tps"]
    return out


def measure_warm(gen: Generator, settings, paragraph: Paragraph, runs: int) -> dict:
    """Follow-up requests sharing system prompt and sources, each with an outline point not asked before.

    Only the lines from the point on are read; a new point each time keeps the
    saved KV states from turning this into a repeat of an earlier prompt.
    """
    measure_ours(gen, build_messages(settings, paragraph, POINTS[0]), max_tokens=1, reset=False)
    rows = []
    for run in range(runs):
        point = f"{POINTS[1 + run % (len(POINTS) - 1)]}（{run + 1}）"
        rows.append(measure_ours(gen, build_messages(settings, paragraph, point), max_tokens=4, reset=False))
    return {
        "warm_ttft_s": statistics.median(r["ttft_s"] for r in rows),
        "warm_evaluated_tokens": statistics.median(r["evaluated_tokens"] for r in rows),
    }


def measure_alternating(gen: Generator, a: list[dict], b: list[dict], a2: list[dict]) -> dict:
    """A, then B (other passages), then A2 (A's passages, other point).

    A2's time to first token with the saved KV states and without them.
    """
    out = {}
    for label, slots in (("saved", gen.states.slots), ("none", 0)):
        keep, gen.states.slots = gen.states.slots, slots
        try:
            measure_ours(gen, a, max_tokens=4)
            measure_ours(gen, b, max_tokens=4, reset=False)
            row = measure_ours(gen, a2, max_tokens=4, reset=False)
        finally:
            gen.states.slots = keep
        out[f"alt_{label}_ttft_s"] = row["ttft_s"]
        out[f"alt_{label}_evaluated_tokens"] = row["evaluated_tokens"]
    return out


def measure_retrieval(searcher: Searcher, runs: int) -> dict:
    """Search, relevance check and passage choice for each point, as expand does them."""
    times = []
    for _ in range(runs):
        for point in POINTS:
            start = time.perf_counter()
            retrieve_for(searcher, point)
            times.append(time.perf_counter() - start)
    return {"retrieve_s": statistics.median(times)}


def measure_expand(settings, searcher: Searcher, gen: Generator, runs: int) -> dict:
    """Whole `expand` calls, each for a point not asked before (a warm system prompt, new passages)."""
    rows = []
    for run in range(runs):
        request = ExpandRequest(POINTS[run % len(POINTS)], TOPIC, length=80)
        draft, _ = expand(settings, searcher, gen, request)
        rows.append(draft.timings)
    return {f"expand_{key}": statistics.median(r[key] for r in rows)
            for key in ("retrieve", "first_token", "tokens_per_second", "total", "prompt_tokens")}


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds used by the whole machine, by this process) so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return busy / ticks, usage.ru_utime + usage.ru_stime


def others_cpu_cores(since: tuple[float, float], seconds: float) -> float:
    """Cores used on average by other processes since `since`: their jobs slow every figure here."""
    machine, mine = cpu_seconds()
    return max(0.0, (machine - since[0]) - (mine - since[1])) / seconds


# --- main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="GGUF file (default: the configured generator)")
    parser.add_argument("--index", type=Path, help="index directory (default: the configured one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--alternate", action="store_true", help="also measure alternating prompts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    settings = load_settings(llm_model=args.model, index=args.index)
    start = time.perf_counter()
    cpu_start = cpu_seconds()
    llm = get_llm(resolve_llm(settings), threads=settings.threads)
    gen = Generator(llm)
    out: dict = {"model": Path(llm.model_path).name, "threads": settings.threads,
                 "load_s": time.perf_counter() - start, "rss_after_load_mb": peak_rss_mb(),
                 "runs": args.runs, "max_tokens": args.max_tokens}
    searcher = open_searcher(settings, Embedder(settings))
    passages = retrieve_for(searcher, POINTS[0])
    paragraph = first_paragraph(searcher, passages, POINTS[0])
    main_prompt = build_messages(settings, paragraph, POINTS[0])
    out["passage_chars"] = [len(p.chunk.text) for p in passages]

    out.update(measure_cold(llm, gen, main_prompt, args.runs, args.max_tokens))
    out.update(measure_block(gen, main_prompt, passages, args.runs, args.max_tokens))
    out.update(measure_warm(gen, settings, paragraph, args.runs))
    out.update(measure_retrieval(searcher, args.runs))
    out.update(measure_expand(settings, searcher, gen, args.runs))
    if args.alternate:
        other_passages = retrieve_for(searcher, POINTS[2])
        other = build_messages(settings, first_paragraph(searcher, other_passages, POINTS[2]), POINTS[0])
        follow_up = build_messages(settings, paragraph, POINTS[1])
        out.update(measure_alternating(gen, main_prompt, other, follow_up))
    out["peak_rss_mb"] = peak_rss_mb()
    out["others_cpu_cores"] = others_cpu_cores(cpu_start, time.perf_counter() - start)
    out["load_average"] = Path("/proc/loadavg").read_text().split()[:3]

    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"model {out['model']}, {out['threads']} threads, loaded in {out['load_s']:.1f} s; "
          f"prompt {out['prompt_tokens']} tokens (passages {out['passage_chars']} chars); "
          f"medians of {args.runs}, max_tokens {args.max_tokens}")
    print(f"decode tokens/s       plain {out['plain_decode_tps']:6.2f}   ours {out['ours_decode_tps']:6.2f}"
          f"   ratio {out['decode_ratio']:.3f} (target >= 0.95)")
    print(f"  per run             plain {out['plain_decode_tps_runs']}   ours {out['ours_decode_tps_runs']}")
    print(f"cold prompt           plain prompt eval {out['plain_prompt_eval_s']:6.2f} s"
          f" (plain TTFT {out['plain_ttft_s']:.2f} s)   ours TTFT {out['ours_ttft_s']:6.2f} s"
          f"   ratio {out['ttft_over_prompt_eval']:.3f} (target <= 1.15)")
    print(f"same text as plain    {out['same_text']}")
    print(f"copy block            decode tokens/s without {out['unblocked_decode_tps']:6.2f}   with"
          f" {out['blocked_decode_tps']:6.2f}   ratio {out['block_ratio']:.3f} (target >= 0.95)")
    print(f"warm prefix           ours TTFT {out['warm_ttft_s']:6.2f} s"
          f" ({out['warm_evaluated_tokens']} tokens read)")
    if args.alternate:
        print(f"A, B, then A again    with saved states TTFT {out['alt_saved_ttft_s']:.2f} s"
              f" ({out['alt_saved_evaluated_tokens']} tokens read); without"
              f" {out['alt_none_ttft_s']:.2f} s ({out['alt_none_evaluated_tokens']} tokens read)")
    print(f"retrieval             {out['retrieve_s'] * 1000:6.1f} ms (search, relevance check, choice)")
    print(f"whole expand (80 字)   retrieve {out['expand_retrieve']:.2f} s, first token"
          f" {out['expand_first_token']:.2f} s ({out['expand_prompt_tokens']:.0f} prompt tokens),"
          f" {out['expand_tokens_per_second']:.2f} tokens/s, total {out['expand_total']:.2f} s")
    print(f"peak RSS              {out['peak_rss_mb']:.0f} MB"
          f" (after loading {out['rss_after_load_mb']:.0f} MB)")
    print(f"machine               other processes used {out['others_cpu_cores']:.2f} of "
          f"{os.cpu_count()} cores on average; load average {' '.join(out['load_average'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
