"""scripts/bench_watch.py on 20 notes with the fake embedder, so `make bench` never rots.

Only the report's shape is checked, never a time.
"""

from __future__ import annotations

import json
import sys

from scripts import bench_watch

from ..conftest import FakeEmbedder


def test_bench_watch_reports_each_edit(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_watch, "load_embedder", lambda name: FakeEmbedder())
    out = tmp_path / "watch.json"
    argv = ["bench_watch.py", "--notes", "20", "--edits", "2", "--workdir", str(tmp_path / "w")]
    monkeypatch.setattr(sys, "argv", [*argv, "--json", str(out)])
    assert bench_watch.main() == 0
    result = json.loads(out.read_text("utf-8"))
    assert result["notes"] == 20 and len(result["edits"]) == 2
    for e in result["edits"]:
        assert e["rebuilds"] >= 1 and e["texts_embedded"] >= 1
        assert e["save_to_answerable_s"] >= e["without_embedding_s"] >= 0
    assert result["burst"]["saves"] == 10 and result["burst"]["rebuilds"] >= 1
