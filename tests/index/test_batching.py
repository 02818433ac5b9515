"""Questions asked at once are embedded in batches, each caller getting its own vector."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index.batching import Coalescer


def test_concurrent_calls_are_batched_and_each_gets_its_own_result():
    gate = threading.Event()
    calls: list[list[int]] = []

    def double(xs: list[int]) -> list[int]:
        calls.append(list(xs))
        if len(calls) == 1:
            gate.wait()  # hold the first batch until the others are waiting
        return [x * 2 for x in xs]

    c = Coalescer(double)
    out: dict[int, int] = {}
    first = threading.Thread(target=lambda: out.__setitem__(0, c(0)))
    first.start()
    while not calls:  # the first call is running
        threading.Event().wait(0.001)
    rest = [threading.Thread(target=lambda i=i: out.__setitem__(i, c(i))) for i in range(1, 9)]
    for t in rest:
        t.start()
    while len(c._waiting) < 8:  # all eight queued behind the first
        threading.Event().wait(0.001)
    gate.set()
    for t in [first, *rest]:
        t.join()
    assert out == {i: 2 * i for i in range(9)}
    assert calls[0] == [0] and sorted(calls[1]) == list(range(1, 9)) and len(calls) == 2


def test_a_failing_batch_raises_in_every_caller_and_the_next_one_runs():
    def boom(xs):
        if "bad" in xs:
            raise ValueError("bad input")
        return xs

    c = Coalescer(boom)
    with pytest.raises(ValueError, match="bad input"):
        c("bad")
    assert c("ok") == "ok"


def test_batches_are_capped():
    seen = []
    c = Coalescer(lambda xs: seen.append(len(xs)) or xs, max_batch=3)
    c._waiting.extend(__import__("index.batching").batching._Slot(i) for i in range(7))
    assert c(99) == 99
    assert max(seen) <= 3 and sum(seen) == 8


@pytest.mark.slow
def test_default_model_batched_questions_give_the_same_vectors():
    from index import load_embedder

    e = load_embedder()
    qs = ["什么是PGC？", "How long does Magic3D take?", "MaaS"]
    alone = np.stack([e.embed_query(q) for q in qs])
    together = np.stack(e._embed_queries(qs))
    # Padding to the longest question changes only the GEMMs' rounding.
    assert ((alone * together).sum(1) > 0.9999).all()
