"""A SQuAD-style file in Traditional characters (OpenCC s2t), to measure Traditional Chinese.

The hidden sets include a Traditional-Chinese Wikipedia set; this makes a
stand-in from CMRC 2018 (titles, paragraphs, questions and answers converted;
ids and offsets kept). Usage:
python scripts/to_traditional.py ../shared/eval/cmrc2018-trial.json build/cmrc2018-trial-hant.json
then `python -m chatbot eval --squad build/cmrc2018-trial-hant.json --n 300`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEEP = {"id", "answer_start", "is_impossible"}


def convert(value, to_traditional):
    if isinstance(value, str):
        return to_traditional(value)
    if isinstance(value, list):
        return [convert(v, to_traditional) for v in value]
    if isinstance(value, dict):
        return {k: v if k in KEEP else convert(v, to_traditional) for k, v in value.items()}
    return value


def main(argv: list[str]) -> int:
    from opencc import OpenCC

    src, dst = Path(argv[0]), Path(argv[1])
    data = convert(json.loads(src.read_text("utf-8")), OpenCC("s2t").convert)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    print(f"{src} → {dst}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
