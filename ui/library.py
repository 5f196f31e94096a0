"""The user's corpus folder: uploads stored under safe names, speeches removed without losing a file.

Uploads are copied into `<home>/corpus`. Removing a speech that came from an
upload moves its file to `<home>/trash`; a speech from any other folder (the
bundled corpus, the user's own folders) is left where it is on disk, its file
listed in `<home>/excluded.txt` and left out of every later build.

A change made by the workspace is noted in `<home>/corpus-change.json` before
the folder changes, with the index generation in service when it began. It is
settled once the rebuild is over, or at the next start if the process was
killed: kept when a newer generation is in service (the rebuild that carries
it went live), undone when not. Either way the folders agree with the index.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rag.corpus.readers import UnreadableFile, read_file
from rag.errors import WengaoError
from rag.settings import Settings

ALLOWED_SUFFIXES = (".txt", ".docx", ".pdf", ".md", ".html")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_STEM_CHARS = 60
# Letters and digits of any script, and - _ . ( ) and the full-width brackets Chinese file names use.
_UNSAFE = re.compile(r"[^\w.\-()（）《》【】]+")


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder, hide itself or carry control characters."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._ ")[:MAX_STEM_CHARS] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse a file of the wrong type or size, with the reason for the user."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        kinds = "、".join(ALLOWED_SUFFIXES)
        raise WengaoError(f"“{name}”的类型（{suffix or '无后缀'}）不能加入语料库，只支持 {kinds}。")
    if size > limit:
        raise WengaoError(
            f"“{name}”有 {size / 1024 / 1024:.1f} MB，"
            f"超过了 {limit // 1024 // 1024} MB 的上限，请拆分后再上传。")
    if size == 0:
        raise WengaoError(f"“{name}”是空文件。")


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.suffix` and so on when that is taken."""
    path = folder / name
    n = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return path


@dataclass
class Removal:
    """What removing a file did, so that a failed rebuild can undo it."""

    source: Path
    trashed: Path | None  # where an uploaded file went; None when it was excluded instead


class Library:
    def __init__(self, settings: Settings):
        self.uploads = settings.home / "corpus"
        self.trash = settings.home / "trash"
        self.excluded_list = settings.home / "excluded.txt"
        self.change_file = settings.home / "corpus-change.json"
        # Held while a change is made: another process starting on this home leaves that change alone.
        self.change_lock = settings.home / "corpus-change.lock"
        self._changing = False

    def excluded(self) -> set[Path]:
        if not self.excluded_list.is_file():
            return set()
        return {Path(line) for line in self.excluded_list.read_text("utf-8").splitlines() if line.strip()}

    def _write_excluded(self, paths: set[Path]) -> None:
        _replace_text(self.excluded_list, "".join(f"{p}\n" for p in sorted(paths)))

    @contextmanager
    def change(self, live: Callable[[], str]) -> Iterator[None]:
        """Files stored and removed inside are noted before they move, and settled on leaving: kept if
        the index generation in service (`live()`) is then a newer one than at the start, undone if not.

        Outside a change, store and remove note nothing.
        """
        with self._lock(wait=True):
            _replace_text(self.change_file, json.dumps({"live": live(), "steps": []}, ensure_ascii=False))
            self._changing = True
            try:
                yield
            finally:
                self._changing = False
                self._settle(live())

    def recover(self, live: str) -> None:
        """At a start: settle the change a killed process left, unless a running one is still making it."""
        with self._lock(wait=False) as got:
            if got:
                self._settle(live)

    @contextmanager
    def _lock(self, wait: bool) -> Iterator[bool]:
        """The lock a change is made under, and whether it was got (at once, unless `wait`)."""
        self.change_lock.parent.mkdir(parents=True, exist_ok=True)
        with self.change_lock.open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True

    def _note(self, step: dict) -> None:
        """Record a step before it is taken, so that a kill halfway through it can still be undone."""
        if self._changing:
            change = json.loads(self.change_file.read_text("utf-8"))
            change["steps"].append(step)
            _replace_text(self.change_file, json.dumps(change, ensure_ascii=False))

    def _settle(self, live: str) -> None:
        """End the change noted, if any: kept if `live` is not the generation it began with, else undone."""
        if not self.change_file.is_file():
            return
        change = json.loads(self.change_file.read_text("utf-8"))
        if change["live"] == live:
            for step in reversed(change["steps"]):
                if "stored" in step:
                    Path(step["stored"]).unlink(missing_ok=True)
                else:
                    trashed = step["trashed"]
                    self.undo(Removal(Path(step["removed"]), Path(trashed) if trashed else None))
        self.change_file.unlink()

    def build_roots(self, current: list[Path]) -> list[Path]:
        """What to build the index from: the current roots and the uploads folder, excluded files left out.

        A folder holding an excluded file is given file by file, so the rest of it stays indexed.
        """
        roots = list(dict.fromkeys([*current, *([self.uploads] if self.uploads.is_dir() else [])]))
        excluded = self.excluded()
        out: list[Path] = []
        for root in roots:
            if root.is_dir() and any(e.is_relative_to(root) for e in excluded):
                out += [f for f in sorted(root.rglob("*"))
                        if f.is_file() and not f.name.startswith(".") and f not in excluded]
            elif root not in excluded:
                out.append(root)
        return out

    def store(self, upload: Path, name: str) -> Path:
        """Check an upload and copy it into the uploads folder; nothing is stored if it cannot be read."""
        check_upload(name, upload.stat().st_size)
        name = safe_name(name)
        try:
            read_file(upload, name)
        except UnreadableFile as exc:
            raise WengaoError(f"“{name}”无法读取：{exc}") from None
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = unique_path(self.uploads, name)
        self._note({"stored": str(target)})
        shutil.copyfile(upload, target)
        return target

    def remove(self, source: Path) -> Removal:
        """Take a file out of the corpus: an upload goes to the trash, anything else is excluded."""
        removal = Removal(source, None)
        if source.is_relative_to(self.uploads):
            self.trash.mkdir(parents=True, exist_ok=True)
            removal.trashed = unique_path(self.trash, source.name)
        self._note({"removed": str(source), "trashed": removal.trashed and str(removal.trashed)})
        if removal.trashed is not None:
            shutil.move(source, removal.trashed)
        else:
            self._write_excluded(self.excluded() | {source})
        return removal

    def undo(self, removal: Removal) -> None:
        """Put a removed file back; a removal cut short before its file moved leaves nothing to move."""
        if removal.trashed is None:
            self._write_excluded(self.excluded() - {removal.source})
        elif removal.trashed.exists():
            shutil.move(removal.trashed, removal.source)


def _replace_text(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a kill leaves the old content or the new, never part of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)


def source_file(display: str, roots: list[Path]) -> Path | None:
    """The file behind a speech's source name (relative to the folder it was read from, or a bare name)."""
    for root in roots:
        if root.is_dir() and (root / display).is_file():
            return (root / display).resolve()
        if root.is_file() and root.name == display:
            return root.resolve()
    return None
