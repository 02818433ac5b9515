"""Nothing notechat loads from disk can run code: no pickle anywhere."""

from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np

from index import IndexSettings, build_index

from ..conftest import ROOT


def test_source_never_unpickles():
    pattern = re.compile(r"\bpickle\b|allow_pickle\s*=\s*True|torch\.load\(|joblib|dill")
    for pkg in ("chatbot", "index"):
        for path in (ROOT / pkg).rglob("*.py"):
            hits = [
                ln
                for ln in path.read_text("utf-8").splitlines()
                if pattern.search(ln) and "no pickle" not in ln.lower()
            ]
            assert not hits, f"{path}: {hits}"


def test_index_files_are_json_npz_or_faiss(tmp_path, notes_dir, fake_embedder):
    build_index(
        [notes_dir],
        tmp_path / "ix",
        fake_embedder,
        IndexSettings(fake_embedder.model_id, fake_embedder.dim),
    )
    for p in (tmp_path / "ix").rglob("*"):
        if not p.is_file() or p.name == "CURRENT":
            continue
        data = p.read_bytes()
        if p.name == "LOCK":  # index.lock: the last builder's pid, for messages
            assert data.strip().isdigit(), data
        elif p.suffix == ".json":
            json.loads(data)
        elif p.suffix == ".npz":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    arr = np.load(io.BytesIO(z.read(name)), allow_pickle=False)  # raises on objects
                    assert arr.dtype != object
        elif p.suffix == ".faiss":
            assert data[:4] in (b"IxFI", b"IHNf", b"IxF2", b"IHNs"), data[:4]
        else:
            raise AssertionError(f"unexpected file in the index: {p}")
