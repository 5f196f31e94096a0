"""The `wengao` command as a shell runs it: output piped into a reader that stops early."""

import subprocess
import sys
from pathlib import Path

from rag.index.build import ingest

WENGAO = Path(sys.executable).with_name("wengao")


def test_a_reader_that_stops_after_one_line_ends_the_command_quietly(corpus_copy, settings, hash_embedder):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    wengao = subprocess.Popen([WENGAO, "chunks", "--json", "--index", settings.index_dir],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.Popen(["head", "-n", "1"], stdin=wengao.stdout, stdout=subprocess.PIPE)
    wengao.stdout.close()  # head holds the only reading end now, as in `wengao chunks --json | head -n 1`
    first, _ = head.communicate(timeout=60)
    errors = wengao.stderr.read().decode()
    assert first.startswith(b'{"chunk_id"') and first.count(b"\n") == 1
    assert "Traceback" not in errors and "BrokenPipeError" not in errors
    # 141, not 0: the bundled corpus's chunks are several times what a pipe holds, so the
    # command was still writing when head stopped reading, and said nothing about it.
    assert wengao.wait(timeout=60) == 141, errors
    assert errors == ""
