"""chatbot.overlap's sums do not depend on the order a set iterates in.

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
