"""A quote that gives other numbers than the ones the question names.

"What debate lasts for 55 minutes?" is not answered by "…a Members Debate is held,
which lasts for 45 minutes": the sentence shares every other word with the question,
and only its number tells it is about something else. SQuAD 2.0 makes most of its
on-topic unanswerable questions so, and notes keep such near-misses side by side (a
budget's lines, a plan's stages, a log's days). So a quote that holds numbers of its
own while a number of the question is nowhere in it, nor in its heading path, is not
`high` (chatbot.engine).

A question's number is found when it is written another way: spelled out ("five",
"third", "三"), with thousands separators ("2,000"), times its 万, k or million
("1万" is "10,000"), a clock time without its ":00" ("10:00" is "10 am"), or as a
century for a decade of hundreds ("1700s" is "18th century"). chatbot.periods does
the same for months and years, which may be written without digits ("二月",
"March"). Left out: numbers in words in the question ("How many of the five…"),
ranges and units.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(
    r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万|亿|千|[kK]\b|thousand\b|million\b|billion\b|bn\b)?"
)
_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "thousand": 1e3, "million": 1e6}
_SCALE |= {"billion": 1e9, "bn": 1e9}
# a clock time is its hour and minutes, its ":00" none: "10:00" is "10 am"
_CLOCK = re.compile(r"\b(\d{1,2}):([0-5]\d)\b|\b(\d{1,2})\.([0-5]\d)\s*(?=[ap]\.?m\b)", re.I)
_HUNDREDS = re.compile(r"(\d{1,2})00(?:'?s)\b")  # "1700s", "1000's": a century
_EN_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_EN_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
_SPELLED = {w: n for n, w in enumerate(_EN_WORDS)} | {w: n + 1 for n, w in enumerate(_EN_ORDINALS)}
_SPELLED_RE = re.compile(r"\b(" + "|".join(_SPELLED) + r")\b", re.I)
_ZH_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九十")} | {"两": 2, "兩": 2}


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6f}".rstrip("0").rstrip(".")


def numbers(text: str, raw: bool = False) -> frozenset[str]:
    """The numbers written in digits in `text`, as plain decimals, times their 万, k or
    million (and as written too, when `raw`).

    >>> sorted(numbers("2,000 to 3,000 people; 0.50 of them, on 02-03"))
    ['0.5', '2', '2000', '3', '3000']
    >>> sorted(numbers("预算 1.5万，at 10:00 or 2.30 pm, 3k users"))
    ['10', '15000', '2', '30', '3000']
    >>> sorted(numbers("1.5万", raw=True))
    ['1.5', '15000']
    """
    text = _CLOCK.sub(lambda m: " ".join(g for g in m.groups() if g and g != "00"), text)
    out = set()
    for digits, scale in _NUMBER.findall(text):
        value = float(digits.replace(",", ""))
        if scale:
            out.add(_plain(value * _SCALE[scale.lower()]))
        if raw or not scale:
            out.add(_plain(value))
    return frozenset(out)


def _written(text: str) -> frozenset[str]:
    """Every number `text` holds, in digits or spelled out."""
    out = set(numbers(text, raw=True))
    out |= {str(_SPELLED[w.lower()]) for w in _SPELLED_RE.findall(text)}
    out |= {str(n) for c, n in _ZH_DIGITS.items() if c in text}
    return frozenset(out)


def another_number(question: str, quote: str, context: str = "") -> bool:
    """Does `quote` hold numbers of its own while one of the question's is not in it
    nor in its `context` (its heading path, its note's name)?

    >>> another_number("What debate lasts for 55 minutes?", "The debate lasts for 45 minutes.")
    True
    >>> another_number("How many MSPs out of 129 are elected?", "Of the 129 MSPs, 73 are.")
    False
    >>> another_number("Who won Super Bowl 50?", "The Broncos won 24–10.", "Super_Bowl_50")
    False
    >>> another_number("Who bought 5 times more?", "Saudi bought five times more in 1979.")
    False
    >>> another_number("How many fled by the 1700s?", "500,000 had fled by the 18th century.")
    False
    >>> another_number("这 3 个模型谁最快？", "三个模型里 Magic3D 用了 40 分钟。")
    False
    >>> another_number("What changed?", "Version 2 changed it.")
    False
    """
    asked = numbers(question)
    if not asked or not numbers(quote) - asked:
        return False
    present = _written(f"{quote} {context}")
    # "1700s" is found as the 18th century
    centuries = {str(int(h) * 100): str(int(h) + 1) for h in _HUNDREDS.findall(question)}
    return any(centuries.get(n) not in present for n in asked - present)
