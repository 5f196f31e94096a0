"""The user's corpus folder: uploads stored under safe names, speeches removed without losing a file.

Uploads are copied into `<home>/corpus`. Removing a speech that came from an
upload moves its file to `<home>/trash`; a speech from any other folder (the
bundled corpus, the user's own folders) is left where it is on disk, its file
listed in `<home>/excluded.txt` and left out of every later build.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rag.errors import WengaoError
from rag.readers import UnreadableFile, read_file
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

    def excluded(self) -> set[Path]:
        if not self.excluded_list.is_file():
            return set()
        return {Path(line) for line in self.excluded_list.read_text("utf-8").splitlines() if line.strip()}

    def _write_excluded(self, paths: set[Path]) -> None:
        self.excluded_list.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.excluded_list.with_suffix(".tmp")
        tmp.write_text("".join(f"{p}\n" for p in sorted(paths)), "utf-8")
        tmp.replace(self.excluded_list)

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
        shutil.copyfile(upload, target)
        return target

    def remove(self, source: Path) -> Removal:
        """Take a file out of the corpus: an upload goes to the trash, anything else is excluded."""
        if source.is_relative_to(self.uploads):
            self.trash.mkdir(parents=True, exist_ok=True)
            target = unique_path(self.trash, source.name)
            shutil.move(source, target)
            return Removal(source, target)
        self._write_excluded(self.excluded() | {source})
        return Removal(source, None)

    def undo(self, removal: Removal) -> None:
        if removal.trashed is not None:
            shutil.move(removal.trashed, removal.source)
        else:
            self._write_excluded(self.excluded() - {removal.source})


def source_file(display: str, roots: list[Path]) -> Path | None:
    """The file behind a speech's source name (relative to the folder it was read from, or a bare name)."""
    for root in roots:
        if root.is_dir() and (root / display).is_file():
            return (root / display).resolve()
        if root.is_file() and root.name == display:
            return root.resolve()
    return None
