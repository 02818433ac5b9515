"""2. Embedding speed, as Markdown: the table of scripts.bench.embed's run and its targets."""

from __future__ import annotations

from .common import bf16_words, cpu_of, ok, table
from .embed import REFERENCE


def markdown(e: dict, m: dict) -> list[str]:
    out = [
        "## 2. Embedding speed",
        "",
        f"{e['chunks']} chunks of {e['mean_chars']:.0f} characters (AIGC note, then CMRC "
        f"paragraphs), embedded as passages; {e['rounds']} rounds × {e['passes']} passes, each "
        f"engine in its own process, engines taking turns. Cosine against `{REFERENCE}`; "
        "peak RSS is the whole child process (Python, torch, model).",
        "",
    ]
    out += table(
        (
            "engine",
            "format",
            "load s",
            "chunks/s best",
            "median",
            "query ms",
            "cos min",
            "cos mean",
            "peak RSS MB",
            "load avg",
        ),
        [
            (
                k,
                v.get("format", "—"),
                v.get("load_s", 0.0),
                v.get("best", 0.0),
                v.get("median", 0.0),
                v.get("query_ms", 0.0),
                f"{v['cos_min']:.5f}" if "cos_min" in v else "—",
                f"{v['cos_mean']:.5f}" if "cos_mean" in v else "—",
                v.get("peak_rss_mb", 0.0),
                " / ".join(f"{x:.1f}" for x in v.get("loads", [])) or v.get("error", ""),
            )
            for k, v in e["engines"].items()
        ],
    )
    cpu = e.get("cpu") or cpu_of(m)  # the CPU the section ran on
    native = bool(cpu.get("native_bf16"))
    default = "st-bfloat16" if native else "st-float32"
    best = e["engines"].get(default, {}).get("best", 0.0)
    ratio = e.get("ratio_to_old")
    target = (
        f"{ok(best, 60)} (target ≥ 60 where bf16 is native)"
        if native
        else "(the ≥ 60 target is for CPUs with native bf16, which this one lacks)"
    )
    out += [
        f"CPU flags: {' '.join(cpu['flags'])} ({bf16_words(native)}). "
        f"Default path ({default}): {best:.1f} chunks/s {target}; against the old TorchE5 in "
        "the same "
        + (f"run: {ratio:.2f}× {ok(ratio, 1.0)} (target ≥ 1.0, goal 1.5)." if ratio else "run: —."),
        "",
    ]
    if avx2 := e.get("ratio_to_old_avx2"):
        out += [
            "Held to AVX2 (`avx2:` rows: torch and oneDNN kept from AVX-512 and bf16, as on an "
            f"AVX2-only CPU; the default path picks its format by timing): {avx2:.2f}× the old "
            f"TorchE5 in float32 {ok(avx2, 1.0)} (target ≥ 1.0, goal 1.5)."
            + (
                ""
                if any(f.startswith("avx512") for f in cpu["flags"])
                else " This CPU is AVX2-only: the held rows run as the others do."
            ),
            "",
        ]
    if same := e.get("ratio_same_batch"):
        avx2 = e.get("ratio_same_batch_avx2")
        out += [
            "Against the old TorchE5 at the new path's batch size (`-b16` rows) instead of its own "
            f"32: {same:.2f}×" + (f", held to AVX2 {avx2:.2f}×." if avx2 else "."),
            "",
        ]
    if rows := e.get("query_under_load"):
        out += [
            "A question's embedding with the default engine (format as picked at start-up), "
            "busy-loop processes started beside it:",
            "",
            *table(
                ("busy loops started", "load avg", "p50 ms", "p95 ms", "max ms"),
                [(r["busy_processes"], r["load"], r["p50"], r["p95"], r["max"]) for r in rows],
            ),
        ]
    return out
