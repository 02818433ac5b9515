"""The figures of a fitted confidence per corpus: out of fold (the honest ones) and in sample."""

from __future__ import annotations

import numpy as np


def _high(r: dict, cal: dict) -> bool:
    from chatbot.calibration import pair

    return r["p"] >= cal["high"].get(pair(r["analysis"].language, r["analysis"].cross), 1.01)


def report(records: list[dict], cal: dict) -> str:
    """Figures per corpus: out of fold (the honest ones), and in-sample for comparison."""
    lines = []
    for split in (False, True):
        for corpus in sorted({r["corpus"] for r in records}):
            rs = [r["oof"] if split else r for r in records if r["corpus"] == corpus]
            ans = [r for r in rs if r["kind"] == "answerable"]
            hi = [r for r in ans if _high(r, cal)]
            fig = {
                "quote": np.mean([r["right"] for r in ans]) if ans else float("nan"),
                "coverage": np.mean([r["right"] and _high(r, cal) for r in ans])
                if ans
                else float("nan"),
                "precision": np.mean([r["right"] for r in hi]) if hi else float("nan"),
            }
            for kind, key in (("off-notes", "abstain-off"), ("adversarial", "abstain-adv")):
                ks = [r for r in rs if r["kind"] == kind]
                if ks:
                    fig[key] = np.mean([not _high(r, cal) for r in ks])
            name = "out-of-fold" if split else "in-sample"
            lines.append(
                f"{name:<10} {corpus:<10} n={len(rs):<5} "
                + "  ".join(f"{k} {v:.3f}" for k, v in fig.items())
            )
    return "\n".join(lines)
