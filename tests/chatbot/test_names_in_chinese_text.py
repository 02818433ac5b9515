"""The overlap features read a Latin word of Chinese text as written: a name, not a stem's kin."""

from __future__ import annotations

from chatbot.config import Settings
from chatbot.engine import Engine
from chatbot.features import SENTENCE_FEATURES

from ..conftest import FakeEmbedder

NOTE = "# 模型\n\n视觉大模型以视觉Transformer为基础。Stable Diffusion可以根据文字生成图像。\n"


def test_transformation_does_not_meet_transformer_but_diffusion_meets_diffusion(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "model.md").write_text(NOTE, "utf-8")
    settings = Settings(index_dir=tmp_path / "ix", notes=(str(tmp_path / "notes"),))
    engine = Engine(settings, embedder=FakeEmbedder(), say=lambda m: None)
    engine.build(list(settings.notes))
    engine = engine.open()
    _, a = engine.analyse("What transformation does Stable Diffusion bring?")
    feature = {n: i for i, n in enumerate(SENTENCE_FEATURES)}
    rows = {c.text: a.rows[i] for i, c in enumerate(a.cands)}
    transformer = rows["视觉大模型以视觉Transformer为基础。"]
    diffusion = rows["Stable Diffusion可以根据文字生成图像。"]
    for name in ("cov", "rare", "grams"):
        assert transformer[feature[name]] == 0.0, name  # "transform" is not "Transformer"
    assert diffusion[feature["cov"]] > 0.0 and diffusion[feature["grams"]] > 0.0
