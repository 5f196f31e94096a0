"""First token and whole section of `wengao expand` from a cold command line, as a user waits for them.

    python eval/bench_first_token.py [--point TEXT] [--length 600] [--runs 3] [--index DIR]

Each run starts a new `wengao expand` process (models and index loaded from disk, as
on every command) and reads its standard output as it arrives: the first token is the
first character of the section's body after the heading line, the whole section is
the end of the output (citations checked and copying rewritten included). Prints
each run and the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_POINT = "二要在统筹协调上下功夫"


def one_run(point: str, length: int, index: Path | None) -> tuple[float, float]:
    """Seconds to the body's first character and to the end of the output."""
    command = [shutil.which("wengao") or "wengao", "expand", point, "--length", str(length)]
    if index:
        command += ["--index", str(index)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    first = None
    while chunk := os.read(process.stdout.fileno(), 256):
        seen += chunk
        heading, newline, body = seen.partition(b"\n")
        if first is None and newline and body.strip():
            first = time.perf_counter() - start
    process.wait()
    if process.returncode != 0 or first is None:
        raise SystemExit(f"wengao expand failed (exit {process.returncode})")
    return first, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--point", default=DEFAULT_POINT)
    parser.add_argument("--length", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--index", type=Path)
    args = parser.parse_args(argv)
    firsts, wholes = [], []
    for n in range(1, args.runs + 1):
        first, whole = one_run(args.point, args.length, args.index)
        firsts.append(first)
        wholes.append(whole)
        print(f"run {n}: first token {first:6.2f} s   whole section {whole:6.2f} s", flush=True)
    print(f"median of {args.runs}: first token {statistics.median(firsts):.2f} s (target <= 15), "
          f"whole section {statistics.median(wholes):.2f} s (target <= 60); "
          f"`wengao expand` {args.length} 字 from a cold command line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
