"""Scoped questions: a folder or a tag restricts both sides of retrieval before ranking."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from chatbot.config import Settings
from chatbot.engine import Engine
from index import IndexSettings, Searcher, build_index, load_index
from index import dense as dense_mod
from index.generations import current_generation, sealed_json
from index.loading import FORMAT_VERSION
from index.scope import Scope, ScopeError, folders, tags

ALPHA = """---
title: Alpha plan
tags: [project/alpha, "#AI"]
---
# Alpha plan

The alpha budget is forty thousand euros for the whole year.
Alpha ships its first release in March.
"""
BETA = """# Beta plan

The beta budget is twelve thousand euros, approved in May.
Beta hires two engineers.
"""
GARDEN = """---
tags: garden
---
# Garden

The garden budget is three hundred euros for seeds and tools.
Tomatoes go in after the last frost.
"""


def make_notes(root: Path) -> Path:
    notes = root / "notes"
    (notes / "work").mkdir(parents=True)
    (notes / "home").mkdir()
    (notes / "work" / "alpha.md").write_text(ALPHA, "utf-8")
    (notes / "work" / "beta.md").write_text(BETA, "utf-8")
    (notes / "home" / "garden.md").write_text(GARDEN, "utf-8")
    return notes


@pytest.fixture
def corpus(tmp_path, fake_embedder):
    notes = make_notes(tmp_path)
    settings = Settings(index_dir=tmp_path / "ix", notes=(str(notes),), upload_dir=tmp_path / "up")
    engine = Engine(settings, embedder=fake_embedder, say=lambda m: None).open()
    return notes, engine


def notes_of(answer) -> set[str]:
    return {Path(p.chunk.note).name for p in answer.passages} | {
        Path(c.note).name for c in answer.citations
    }


def test_tags_are_kept_per_note_in_the_manifest(corpus):
    notes, engine = corpus
    manifest = engine.searcher.loaded.manifest
    by_name = {Path(e["path"]).name: e["tags"] for e in manifest["notes"]}
    assert by_name == {"alpha.md": ["AI", "project/alpha"], "beta.md": [], "garden.md": ["garden"]}
    assert tags(manifest) == ["AI", "garden", "project", "project/alpha"]
    assert folders(manifest) == [str(notes), str(notes / "home"), str(notes / "work")]


def test_unscoped_question_sees_every_folder(corpus):
    _, engine = corpus
    assert notes_of(engine.ask("What is the budget?")) == {"alpha.md", "beta.md", "garden.md"}


@pytest.mark.parametrize(
    "scope, expected",
    [
        (Scope(folder="work"), {"alpha.md", "beta.md"}),  # relative to an indexed folder
        (Scope(folder="home"), {"garden.md"}),
        (Scope(tag="garden"), {"garden.md"}),
        (Scope(tag="#ai"), {"alpha.md"}),  # '#' and letter case do not matter
        (Scope(tag="project"), {"alpha.md"}),  # a nested tag is within its parent
        (Scope(folder="work", tag="project/alpha"), {"alpha.md"}),
    ],
)
def test_scoped_question_only_quotes_notes_in_scope(corpus, scope, expected):
    _, engine = corpus
    ans = engine.ask("What is the budget?", scope=scope)
    assert ans.passages and notes_of(ans) == expected


def test_folder_scope_by_absolute_path(corpus):
    notes, engine = corpus
    ans = engine.ask("What is the budget?", scope=Scope(folder=str(notes / "home")))
    assert notes_of(ans) == {"garden.md"}


@pytest.mark.parametrize(
    "scope, message",
    [
        (Scope(folder="nowhere"), "no indexed note in folder nowhere; indexed folders: "),
        (Scope(tag="cooking"), "no indexed note has the tag #cooking; tags: AI, garden"),
        (Scope(folder="home", tag="AI"), "no indexed note in folder home has the tag #AI"),
        (Scope(tag="#"), "the tag to ask within is empty"),
    ],
)
def test_unknown_scope_is_a_clear_error(corpus, scope, message):
    _, engine = corpus
    with pytest.raises(ScopeError, match=message):
        engine.ask("What is the budget?", scope=scope)


def test_scope_of_notes_without_text_is_a_clear_error(corpus):
    notes, engine = corpus
    (notes / "empty").mkdir()
    (notes / "empty" / "blank.md").write_text("\n\n", "utf-8")
    engine.reindex()
    with pytest.raises(ScopeError, match="have no text to search"):
        engine.ask("What is the budget?", scope=Scope(folder="empty"))


def test_scoped_search_is_the_exact_search_of_the_scope(corpus, fake_embedder):
    """Both sides filter before ranking: the result is what searching the scope alone gives."""
    _, engine = corpus
    s = engine.searcher
    rows = s.scope_rows(Scope(folder="work"))
    qv = fake_embedder.embed_query("budget euros")
    scores, ids = dense_mod.search(s.loaded.faiss_index, qv, 3, rows)
    vecs = s.loaded.faiss_index.reconstruct_n(0, s.loaded.faiss_index.ntotal)
    brute = rows[np.argsort(-(vecs[rows] @ qv), kind="stable")[:3]]
    assert set(ids.tolist()) == set(brute.tolist()) and set(ids.tolist()) <= set(rows.tolist())
    scored = s.score("budget euros", qv, rows)
    assert set(scored.rows.tolist()) <= set(rows.tolist())


def test_no_scope_is_the_same_search_as_before(corpus, fake_embedder):
    _, engine = corpus
    s = engine.searcher
    every = np.arange(len(s.chunks))
    for q in ("What is the budget?", "tomatoes frost", "engineers"):
        a = s.search(q, k=5)
        b = s.search(q, k=5, among=every)
        assert [(h.row, h.score) for h in a] == [(h.row, h.score) for h in b]


@pytest.mark.parametrize("exact_rows", [dense_mod.EXACT_SCOPE_ROWS, 0])
def test_approximate_index_is_filtered_too(tmp_path, fake_embedder, monkeypatch, exact_rows):
    """A scope on an HNSW index: searched exactly when small, else by the filtered graph walk."""
    monkeypatch.setattr(dense_mod, "EXACT_SCOPE_ROWS", exact_rows)
    notes = make_notes(tmp_path)
    settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim, approx_threshold=1)
    build_index([notes], tmp_path / "ix", fake_embedder, settings)
    s = Searcher(load_index(tmp_path / "ix"), fake_embedder)
    assert dense_mod.kind(s.loaded.faiss_index) == "hnsw"
    rows = s.scope_rows(Scope(tag="garden"))
    hits = s.search("budget", k=10, among=rows)
    assert hits and {Path(h.chunk.note).name for h in hits} == {"garden.md"}
    index, qv = s.loaded.faiss_index, fake_embedder.embed_query("budget euros")
    _, ids = dense_mod.search(index, qv, 2, rows)
    brute = rows[np.argsort(-(index.reconstruct_n(0, index.ntotal)[rows] @ qv))[:2]]
    assert sorted(ids.tolist()) == sorted(brute.tolist())


def test_an_index_of_the_old_format_is_rebuilt_with_tags(corpus, fake_embedder):
    notes, engine = corpus
    gen = current_generation(engine.settings.index_dir)
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest.pop("checksum")
    manifest["format_version"] = 4
    for e in manifest["notes"]:
        e.pop("tags")
    (gen / "manifest.json").write_bytes(sealed_json(manifest))
    said = []
    again = Engine(engine.settings, embedder=fake_embedder, say=said.append).open()
    assert any(f"format_version 4 → {FORMAT_VERSION}" in m for m in said)
    assert notes_of(again.ask("What is the budget?", scope=Scope(tag="garden"))) == {"garden.md"}
