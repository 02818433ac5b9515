"""A question's Latin words in the notes' own casing, for the model ("aigc" → "AIGC").

BM25 and the overlap features compare words in lower case, but e5 reads case:
"aigc是什么" found other sentences than "AIGC是什么", "who founded ibm" other
passages than "who founded IBM". A word typed all in lower case takes the
form the notes give it when they write it one other way at least
MAJORITY of the time ("chatgpt" → "ChatGPT", "magic3d" → "Magic3D"); words the
notes mostly write in lower case, and words typed with any capital, stay as
typed. Leaves out: words the notes never use, and casing inside non-Latin scripts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*")
MAJORITY = 0.75


def forms(texts: Iterable[str]) -> dict[str, str]:
    """Lower-case word → the notes' own form of it, for the words they write otherwise.

    >>> forms(["AIGC与ChatGPT。AIGC的未来", "The model; the data. Then"]) == {
    ...     "aigc": "AIGC", "chatgpt": "ChatGPT", "then": "Then"}
    True
    """
    counts: dict[str, Counter[str]] = {}
    for text in texts:
        for word in _WORD.findall(text):
            counts.setdefault(word.lower(), Counter())[word] += 1
    out = {}
    for low, seen in counts.items():
        form, n = seen.most_common(1)[0]
        if form != low and n >= MAJORITY * seen.total():
            out[low] = form
    return out


def recased(question: str, notes_forms: dict[str, str]) -> str:
    """`question` with each all-lower-case word the notes write otherwise in their form.

    >>> recased("aigc是什么？who made chatgpt, Aigc", {"aigc": "AIGC", "chatgpt": "ChatGPT"})
    'AIGC是什么？who made ChatGPT, Aigc'
    """

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        return notes_forms.get(word, word) if word.islower() else word

    return _WORD.sub(swap, question)
