"""Questions asked at the same time are embedded together, in one call.

`Coalescer(fn)` turns a batch function (`fn(items) -> results`) into a call
for one item that many threads may make at once. Whoever finds the engine
free runs a batch of everything waiting; the others wait for their result.
Nothing waits on a timer: a question asked alone is embedded at once, and
under load each batch takes what queued up while the previous one ran.
The model gives (nearly) the same vector for a text alone or in a batch, and
a batch of 10 questions costs about half as much per question as one at a
time (the weights are read once per batch, not once per question).
Leaves out: ordering between threads (each gets its own result, not a turn).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Slot(Generic[T, R]):
    __slots__ = ("item", "result", "error", "done")

    def __init__(self, item: T) -> None:
        self.item = item
        self.result: R | None = None
        self.error: BaseException | None = None
        self.done = False


class Coalescer(Generic[T, R]):
    """Call `fn` on batches of the items that threads submit while it is busy.

    >>> c = Coalescer(lambda xs: [x * 2 for x in xs])
    >>> c(21), c.batches
    (42, [1])
    """

    def __init__(self, fn: Callable[[list[T]], Sequence[R]], max_batch: int = 32) -> None:
        self._fn = fn
        self._max = max_batch
        self._cv = threading.Condition()
        self._waiting: list[_Slot[T, R]] = []
        self._busy = False
        self.batches: list[int] = []  # sizes of the last batches run, for benchmarks
        self._keep = 1000

    def __call__(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._cv:
            self._waiting.append(slot)
            while not slot.done:
                if self._busy:
                    self._cv.wait()
                    continue
                self._busy = True  # this thread runs the next batch
                batch = self._waiting[: self._max]
                del self._waiting[: self._max]
                self._cv.release()
                try:
                    self._run(batch)
                finally:
                    self._cv.acquire()
                    self._busy = False
                    self._cv.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _run(self, batch: list[_Slot[T, R]]) -> None:
        try:
            results = self._fn([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch of {len(batch)} gave {len(results)} results")
            for s, r in zip(batch, results, strict=True):
                s.result = r
        except BaseException as exc:  # every waiter hears of the failure
            for s in batch:
                s.error = exc
        for s in batch:
            s.done = True
        self.batches = (self.batches + [len(batch)])[-self._keep :]
