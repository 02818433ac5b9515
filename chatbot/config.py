"""Settings, built once at the edge: CLI flags, then environment variables, then defaults.

Nothing reads settings at import time; the CLI builds a `Settings` and passes
it down. Environment variables: NOTECHAT_INDEX_DIR, NOTECHAT_NOTES (paths
separated by os.pathsep), NOTECHAT_MODEL, NOTECHAT_UPLOAD_DIR.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"
DEFAULT_NOTES = DATA_DIR / "notes"  # ships the AIGC reading note
DEFAULT_INDEX_DIR = DATA_DIR / "index"
DEFAULT_UPLOAD_DIR = DATA_DIR / "uploads"
MAX_QUESTION_CHARS = 2000
# Offered with a greeting and shown under the chat box (about the shipped note).
EXAMPLES = (
    "什么是PGC？",
    "百度的数字人平台叫什么名字？",
    "AIGC在影视行业有哪些应用？",
    "How long does Magic3D take to generate a 3D model?",
    "What is UGC?",
)


@dataclass(frozen=True)
class Settings:
    index_dir: Path = DEFAULT_INDEX_DIR
    notes: tuple[str, ...] = field(default_factory=lambda: (str(DEFAULT_NOTES),))
    model: str = "e5-small"
    top_k: int = 5
    upload_dir: Path = DEFAULT_UPLOAD_DIR
    examples: tuple[str, ...] = EXAMPLES


def settings_from(
    index_dir: str | None = None,
    notes: list[str] | None = None,
    model: str | None = None,
    top_k: int | None = None,
    upload_dir: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    env = dict(os.environ) if env is None else env
    base = Settings()
    env_notes = env.get("NOTECHAT_NOTES")
    return Settings(
        index_dir=Path(index_dir or env.get("NOTECHAT_INDEX_DIR") or base.index_dir),
        notes=tuple(notes or (env_notes.split(os.pathsep) if env_notes else base.notes)),
        model=model or env.get("NOTECHAT_MODEL") or base.model,
        top_k=top_k or base.top_k,
        upload_dir=Path(upload_dir or env.get("NOTECHAT_UPLOAD_DIR") or base.upload_dir),
    )
