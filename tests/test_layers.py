"""The folders follow the data: each package of rag/ imports only from the packages below it in
the flow, and the layers beside rag/ keep to their side."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: files -> speeches -> chunks -> index -> search -> prompt and model -> check -> write -> export.
FLOW = ["corpus", "index", "search", "llm", "check", "write", "export", "cli"]
# Modules at the top of rag/, shared by every stage.
SHARED = {"types", "settings", "errors", "faultpoint"}


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _rag_part(module: str) -> str | None:
    """The package (or shared module) of rag/ that `module` names, if it names one."""
    parts = module.split(".")
    return parts[1] if parts[0] == "rag" and len(parts) > 1 else None


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _python_files("rag"), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_stage_imports_only_what_is_below_it(path: Path):
    relative = path.relative_to(ROOT / "rag").parts
    own = relative[0] if len(relative) > 1 else path.stem
    allowed = set(SHARED) | (set(FLOW[:FLOW.index(own) + 1]) if own in FLOW else set())
    for module in _imports(path):
        assert module.split(".")[0] not in ("ui", "eval"), f"{path} imports {module}"
        part = _rag_part(module)
        if part is not None and (part in FLOW or part in SHARED):
            assert part in allowed, f"{path} ({own}) imports {module} from above it"


@pytest.mark.parametrize("folder,forbidden", [("embeddings", ("rag", "ui", "eval")), ("ui", ("eval",))])
def test_the_layers_beside_rag_keep_to_their_side(folder: str, forbidden: tuple[str, ...]):
    for path in _python_files(folder):
        for module in _imports(path):
            assert module.split(".")[0] not in forbidden, f"{path} imports {module}"


def test_every_stage_says_what_comes_in_and_what_goes_out():
    for package in FLOW:
        doc = ast.get_docstring(ast.parse((ROOT / "rag" / package / "__init__.py").read_text("utf-8")))
        assert doc and "In:" in doc or package == "cli", package


def test_the_test_knows_every_package():
    packages = {p.name for p in (ROOT / "rag").iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in (ROOT / "rag").glob("*.py")} - {"__init__"}
    assert packages == set(FLOW) and modules == SHARED
