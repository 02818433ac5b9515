"""Dates however a note or a question writes them, and the passages that hold a day.

A journal's heading says "2026-11-16", its reader asks "What happened on
November 16?" or "11月16日做了什么？": jieba's words ("2026", "11", "16",
"november") meet only by chance, e5 reads "November 23" in last week's entry as
close, and the day's own section loses. Each date found (ISO "2026-11-16",
"2026/11/16", "2026.11.16"; Chinese "2026年11月16日", "11月16号"; English
"November 16", "Nov. 16th, 2026", "16 November 2026") is read as its month and
day ("@11-16"), whatever its year. A question that
names a day is searched among the passages (text or heading path) that hold it,
when there are any (`DatedRows`). Leaves out: dates without a month name or year
("11/16": which comes first is the writer's habit), Chinese numerals
("十一月十六日"), weekdays and relative dates ("last Tuesday"), and ranges.
"""

from __future__ import annotations

import re
import threading

import numpy as np

MONTHS = {
    m: i
    for i, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sept sep",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for m in names.split()
}
WORDS_TOO = frozenset(("may", "march", "mar"))  # also words of their own
_MONTH = r"(?P<mname>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_PATTERNS = [
    re.compile(rf"(?<!\d)(?:1\d{{3}}|2\d{{3}})[-/.](?P<month>[01]?\d)[-/.]{_DAY}(?!\d)"),  # ISO
    re.compile(rf"(?<!\d)(?P<month>[01]?\d)\s*月\s*{_DAY}\s*[日号]"),  # 11月16日, 2026年11月16日
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b", re.I),  # November 16, Nov. 16th
    re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}\b", re.I),  # 16 November, the 16th of November
]


def days(text: str) -> list[str]:
    """The days `text` writes, as month and day ("@11-16"), in the order found, each once.

    >>> days("## 2026-11-16 周会"), days("What happened on Nov. 16th?"), days("11月16日做了什么？")
    (['@11-16'], ['@11-16'], ['@11-16'])
    >>> days("He was born on 5 May 1990; version 2.0.1 shipped in 2021.")
    ['@05-05']
    >>> days("You may 2 times")
    []
    """
    found: list[tuple[int, str]] = []
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            g = m.groupdict()
            if g.get("mname") and g["mname"].lower() in WORDS_TOO and not g["mname"][0].isupper():
                continue  # "may", "march": a month only when written as one
            month = MONTHS[g["mname"].lower()] if g.get("mname") else int(g["month"])
            day = int(g["day"])
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.append((m.start(), f"@{month:02d}-{day:02d}"))
    return list(dict.fromkeys(t for _, t in sorted(found)))


def only_days(text: str) -> bool:
    """Does `text` write days and nothing more (a year, punctuation)?

    >>> only_days("2026-11-16"), only_days("## 11月17日"), only_days("2026年11月16日：")
    (True, True, True)
    >>> only_days("11月17日 周会"), only_days("Nov 16: dentist"), only_days("2026")
    (False, False, False)
    """
    rest = text
    for pat in _PATTERNS:
        rest = pat.sub(" ", rest)
    return rest != text and not re.sub(r"(?<!\d)[12]\d{3}\s*年?", " ", rest).strip(" \t#*_:：,，.-")


_SEEN: dict[int, tuple[str, ...]] = {}  # a passage's text (hashed) → its days, across re-indexes
_SEEN_MAX = 1_000_000


def days_of(text: str) -> tuple[str, ...]:
    """The days (month and day: "@11-16") `text` writes, remembered: a re-index reads only
    the passages that changed (all of them take ~90 µs each)."""
    key = hash(text)
    found = _SEEN.get(key)
    if found is None:
        found = tuple(days(text))
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[key] = found
    return found


class DatedRows:
    """Which passages hold which day, read from their text and heading path (`context`) on
    first use: the server's warm-up, or the first question that names a day."""

    def __init__(self, chunks: list) -> None:
        self._chunks = chunks
        self._rows: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _by_day(self) -> dict[str, np.ndarray]:
        with self._lock:
            if self._rows is None:
                found: dict[str, list[int]] = {}
                for i, c in enumerate(self._chunks):
                    for t in days_of(c.context):
                        found.setdefault(t, []).append(i)
                self._rows = {t: np.array(r, np.int64) for t, r in found.items()}
            return self._rows

    def read(self) -> None:
        """Read the passages' days now (the server's warm-up), not on a question."""
        self._by_day()

    def held(self, query: str) -> list[str]:
        """The days the question names that some passage holds ("@11-16")."""
        named = days(query)
        if not named:
            return []
        by_day = self._by_day()
        return [d for d in named if d in by_day]

    def among(self, query: str, rows: np.ndarray | None) -> np.ndarray | None:
        """The rows to search: those of `rows` (or of all) that hold a day the question
        names; `rows` itself when it names none, or no passage there holds one.

        A question that names a date asks about that day: "What happened on November
        16?" is answered by the day's section, not by the entry a week before that
        mentions "November 23" and reads closer to e5.
        """
        held = self.held(query)
        if not held:
            return rows
        by_day = self._by_day()
        found = np.unique(np.concatenate([by_day[d] for d in held]))
        if rows is not None:
            found = np.intersect1d(found, rows)
        return found if len(found) else rows
