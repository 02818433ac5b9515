"""Print, for each dev question, the features confidence is judged on.

Usage: python scripts/calibrate.py [QUESTIONS.jsonl ...]
Columns: id, kind, confidence, closest sentence's cosine and its z-score,
cross-language, answer type found, whether the first citation holds the
evidence, the first quote. Used to set the thresholds in chatbot/engine.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatbot.config import settings_from  # noqa: E402
from chatbot.engine import Engine  # noqa: E402
from chatbot.evaluate import holds_evidence, load_questions  # noqa: E402

files = sys.argv[1:] or [
    str(ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"),
    str(ROOT.parent / "shared" / "eval" / "dev-followups.jsonl"),
]
engine = Engine(settings_from()).open()
for f in files:
    for q in load_questions(f):
        a = engine.ask(q.question, q.history)
        ok = bool(a.citations) and holds_evidence(a.citations[0].quote, q.evidence)
        f_ = a.features
        print(
            f"{q.id:5} {q.kind:13} {a.confidence:5} cosine={f_.get('cosine', 0):.3f} "
            f"z={f_.get('z', 0):.2f} cross={int(f_.get('cross_language', 0))} "
            f"type_ok={int(f_.get('type_ok', 1))} cite_ok={int(ok)} "
            f"| {a.citations[0].quote[:40] if a.citations else '-'}"
        )
