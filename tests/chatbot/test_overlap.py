"""chatbot.overlap: the rare words a question is matched by, and sums that do not depend on
the order a set iterates in.

A set of strings iterates in an order that changes with the process's hash
seed. Summed in that order, two sentences holding the same grams could differ
in their last bit, and a fitted tree can split on a gap of 1e-17: the same
questions gave another fit in another process (docs/results.md, stop 37).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
from chatbot.overlap import grams, local_coverage
q = grams("梧桐树协议是什么时候签订的，由哪些国家参与？")
print(repr(local_coverage(q, [set(q), q - {"协议"}, {"国家"}]).tolist()))
"""


def _run(seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_local_coverage_is_the_same_under_every_hash_seed():
    runs = {_run(seed) for seed in range(6)}
    assert len(runs) == 1, runs
    assert runs.pop().startswith("[1.0, ")  # every gram of the question: exactly all of it


def test_the_rare_words_are_the_rarest_the_notes_hold():
    from chatbot.overlap import coverage, rare_terms
    from index.lexical import LexicalIndex, tokenize

    notes = [
        tokenize("Data freshness under 15 minutes at p95."),
        tokenize("The ledger export runs nightly."),
        tokenize("Data volume grows 8% a month."),
    ]
    lex = LexicalIndex(notes, [True] * len(notes))
    terms = tokenize("What data freshness target did we settle on?")
    idf = lex.idf(terms)
    rare = rare_terms(terms, idf, lex.stem_df)
    assert rare == ["fresh"]  # "settle" and "target" are rarer, but no note holds them
    assert coverage(rare, "Data freshness under 15 minutes at p95.", idf, set(notes[0])) == 1.0
    assert rare_terms(["settl"], idf, lex.stem_df) == ["settl"]  # none known: all of them
