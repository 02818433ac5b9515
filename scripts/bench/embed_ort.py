"""ONNX Runtime engines for the embedding benchmark (scripts/bench/embed.py): measured, not shipped.

The converted folder's transformer (index.e5_convert) exported once with
torch.onnx into build/bench/onnx/, then run by onnxruntime's CPU provider in
float32, and with its MatMul weights quantised to int8 per output channel
(onnxruntime.quantization.quantize_dynamic: VNNI where the CPU has it). The
folder's own tokenizer.json and prompts; mean pooling and L2 norm in numpy, as
the folder's modules.json asks. Threads: the cores this process may use.

onnxruntime and onnx are not dependencies of notechat (they would replace
sentence-transformers as the runtime, see docs/embedding.md); to measure them:
    .venv/bin/pip install --target build/ortpkgs --no-deps \
        onnxruntime onnx protobuf ml-dtypes flatbuffers
    PYTHONPATH=build/ortpkgs .venv/bin/python -m scripts.bench --sections embed
Without them these engines' rows say "onnxruntime not installed".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.forward import hidden_states

from .common import WORK


def _export(folder: Path, out: Path) -> Path:
    """The transformer of the ST folder as ONNX (float32), written once."""
    if out.exists():
        return out
    import torch
    from transformers import AutoModel

    net = AutoModel.from_pretrained(str(folder), dtype=torch.float32).eval()

    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    torch.onnx.export(
        hidden_states(net),
        (ids, torch.ones_like(ids)),
        str(tmp),
        input_names=["input_ids", "attention_mask"],
        output_names=["hidden"],
        dynamic_axes={**axes, "hidden": {0: "b", 1: "t"}},
        opset_version=17,
        dynamo=False,
    )
    os.replace(tmp, out)
    return out


def _int8(src: Path) -> Path:
    out = src.with_name(src.stem + "-int8.onnx")
    if not out.exists():
        from onnx import TensorProto
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = out.with_suffix(".part")
        quantize_dynamic(
            str(src),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
        os.replace(tmp, out)
    return out


def ort_engine(kind: str, batch: int = 32) -> tuple[Callable, Callable, str]:
    """(embed passages, embed one question, format) for kind "float32" or "int8"."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise RuntimeError("onnxruntime not installed (see scripts/bench/embed_ort.py)") from None
    from tokenizers import Tokenizer

    from index.embed import e5_folder
    from index.precision import use_allowed_cores

    folder = e5_folder()
    model = _export(folder, WORK / "onnx" / "e5-small.onnx")
    if kind == "int8":
        model = _int8(model)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = use_allowed_cores()
    session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(512)
    tok.enable_padding()

    def embed(texts: list[str], prompt: str) -> np.ndarray:
        order = np.argsort([len(t) for t in texts])  # similar lengths share a batch
        out = np.zeros((len(texts), 384), np.float32)
        for i in range(0, len(texts), batch):
            idx = order[i : i + batch]
            enc = tok.encode_batch([prompt + texts[j] for j in idx])
            ids = np.array([e.ids for e in enc], np.int64)
            mask = np.array([e.attention_mask for e in enc], np.int64)
            (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
            v = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out

    return (
        lambda texts: embed(list(texts), "passage: "),
        lambda q: embed([q], "query: ")[0],
        f"onnxruntime {ort.__version__}, {kind}",
    )
