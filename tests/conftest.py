"""Shared fixtures: a deterministic fake embedder for fast tests, and real engines."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SEED_NOTE = ROOT / "data" / "notes" / "aigc-reading-note.md"
SHARED = ROOT.parent / "shared"
DEV_QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"
DEV_FOLLOWUPS = SHARED / "eval" / "dev-followups.jsonl"
STUDY_VAULT = ROOT / "data" / "eval" / "study-vault" / "notes"
WORK_VAULT = ROOT / "data" / "eval" / "work-vault" / "notes"
JOURNAL = ROOT / "data" / "eval" / "journal-and-meetings" / "notes"


class FakeEmbedder:
    """Hashed character bigrams → a unit vector: similar texts get similar vectors."""

    model_id = "fake-bigram-64"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0  # texts embedded, to prove the cache works

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        t = re.sub(r"\s+", "", text.lower())
        for i in range(max(1, len(t) - 1)):
            h = int.from_bytes(
                hashlib.blake2b(t[i : i + 2].encode("utf-8", "replace"), digest_size=4).digest(),
                "little",
            )
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v + 1.0 / np.sqrt(self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return (
            np.stack([self._vec(t) for t in texts])
            if texts
            else np.zeros((0, self.dim), np.float32)
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    d = tmp_path / "notes"
    d.mkdir()
    (d / "aigc.md").write_bytes(SEED_NOTE.read_bytes())
    return d


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """The default model over the seed note, built once for the whole session."""
    from chatbot.config import Settings
    from chatbot.engine import Engine

    tmp = tmp_path_factory.mktemp("real")
    notes = tmp / "notes"
    notes.mkdir()
    (notes / SEED_NOTE.name).write_bytes(SEED_NOTE.read_bytes())
    settings = Settings(index_dir=tmp / "index", notes=(str(notes),), upload_dir=tmp / "uploads")
    engine = Engine(settings, say=lambda m: None)
    engine.build(list(settings.notes))
    return engine.open()


def _vault_engine(tmp_path_factory, notes: Path):
    """The default model over a folder of data/eval, indexed in a fresh folder."""
    from chatbot.config import Settings
    from chatbot.engine import Engine

    tmp = tmp_path_factory.mktemp(notes.parent.name)
    settings = Settings(index_dir=tmp / "index", notes=(str(notes),), upload_dir=tmp / "up")
    engine = Engine(settings, say=lambda m: None)
    engine.build(list(settings.notes))
    return engine.open()


@pytest.fixture(scope="session")
def study_vault_engine(tmp_path_factory):
    """The default model over data/eval/study-vault (Chinese notes, two in Traditional)."""
    return _vault_engine(tmp_path_factory, STUDY_VAULT)


@pytest.fixture(scope="session")
def work_vault_engine(tmp_path_factory):
    """The default model over data/eval/work-vault (English work notes)."""
    return _vault_engine(tmp_path_factory, WORK_VAULT)


@pytest.fixture(scope="session")
def journal_engine(tmp_path_factory):
    """The default model over data/eval/journal-and-meetings (a dated journal, meetings)."""
    return _vault_engine(tmp_path_factory, JOURNAL)
