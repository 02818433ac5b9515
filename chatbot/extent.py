"""How far a quote reaches: one sentence for a fact, more for a reason or a description.

"谁/何时/多少" is answered by one sentence. "为什么…？" often by the sentence
before the one that repeats the question's words ("A。因此，B。" — the
question asks why B) or after it ("B。由于A，…" / "B. This is because A."),
and "有哪些特点？", "how does…", "describe…" by the chosen sentence and the
ones that go on from it in the same paragraph; so is a reason asked as a list
("原因有哪些？", "what were the reasons…").
The quote then runs over those neighbours, never past a line break (a new
paragraph, heading or list item) and never beyond MAX_WIDE_CHARS.
Whatever is asked, a sentence that ends in a colon or semicolon runs on through
its list, on its line or, when the colon ends the line, through the list items on
the lines below it; and a short label opening a line ("* 读者细分管理。提升…", "Speed. It…")
runs on into the sentence that explains it: alone, neither says anything. So
does a Markdown table's row ("| salt | 10 |"): it is quoted from the table's
header row down, which says what its cells are, when that stays short. A short list
item chosen by its opening sentence is quoted whole ("- Scale to 8. Don't go above 8, …").
`reach` is the quote made of a chosen sentence, for `pick` and for fitting alike.
Leaves out: deciding by the note's discourse structure beyond these cues.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.chunking import split_sentences
from index.hans import simplified
from index.tables import header_start

from .features import SHORT_SENTENCE, Candidate

MAX_WIDE_CHARS = 260  # a widened quote stays readable at a glance
MORE_SENTENCES = 2  # sentences a description may run on by
RUN_ON = ("：", ":", "；", ";")  # a sentence ending so introduces or continues a list
MAX_RUN_ON = 4  # sentences a quote may run on by
MAX_QUOTE_CHARS = 400
ITEM_CHARS = 200  # a list item up to this long is quoted whole from its opening sentence
MAX_LIST_ITEMS = 8  # items of a list on the lines below a colon that a quote may run through
# A list item's marker: "* ", "- ", "1. ", "2)", "一、", "（三）".
_MARKER = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)、]|[（(]?[一二三四五六七八九十\d]{1,3}[)）、])\s*")

_REASON = re.compile(r"为什么|为何|原因|由于什么|\bwhy\b|\bwhat (?:caused|led to)\b", re.I)
_DESCRIBE = re.compile(
    r"哪些|特点|特征|特色|经历|过程|影响|目的|作用|意义|内容|区别|优点|缺点|评价|怎样|怎么样"
    r"|如何|是怎么|什么样|\bhow (?!many\b|much\b|long\b|old\b|far\b|large\b|big\b|tall\b|often\b)"
    r"|\bdescribe\b|\bexplain\b|\bwhat (?:are|were) the\b|\bwhat (?:effect|impact|role|purpose)\b",
    re.I,
)
# A sentence opening so draws its point from the sentence before it.
_CONSEQUENCE = re.compile(
    r"^(?:因此|所以|于是|因而|从而|故而|故此|由此|这使得|这导致|therefore\b|thus\b|hence\b|"
    r"as a result\b|consequently\b|so\b)",
    re.I,
)

# A sentence opening so gives the cause of the sentence before it.
_CAUSE = re.compile(
    r"^(?:由于|因为|原因(?:是|在于)|这是因为|究其原因|because\b|this (?:is|was) because\b|"
    r"that is because\b|due to\b|owing to\b)",
    re.I,
)
# A reason asked as a list: its causes run on like a description's points.
_MANY = re.compile(r"哪些|几个|几点|几种|几方面|\bwhat (?:are|were) the\b|\breasons\b", re.I)


def kind_of(question: str) -> str | None:
    """ "reason", "describe" or None (a fact: one sentence).

    >>> kind_of("为什么次磷酸受到管制？"), kind_of("凉茶店有哪些功能？"), kind_of("谁发明了它？")
    ('reason', 'describe', None)
    >>> kind_of("How many people live there?") is None
    True
    """
    question = simplified(question)
    if _REASON.search(question):
        return "reason"
    if _DESCRIBE.search(question):
        return "describe"
    return None


def widen(c: Candidate, notes: dict[str, str], question: str) -> Candidate:
    """`c` with the neighbours a reason or a description needs, on the same line.

    >>> from index.chunking import Chunk
    >>> from index.search import Hit
    >>> note = "它能把碘还原。因此，它被严格管制。另一件事。"
    >>> hit = Hit(Chunk("n", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 1.0)
    >>> widen(Candidate(hit, 7, 17, note[7:17]), {"n": note}, "为什么它被管制？").text
    '它能把碘还原。因此，它被严格管制。'
    """
    kind = kind_of(question)
    text = notes.get(c.hit.chunk.note, "")
    if kind is None or c.heading or text[c.start : c.end] != c.text:
        return c
    line_start = text.rfind("\n", 0, c.start) + 1
    start, end = c.start, c.end
    if kind == "reason" and _CONSEQUENCE.match(c.text):
        before = split_sentences(text[line_start : c.start])
        if before and c.end - (line_start + before[-1][0]) <= MAX_WIDE_CHARS:
            start = line_start + before[-1][0]
    after = split_sentences(_rest_of_line(text, c.end))
    if kind == "reason" and after and _CAUSE.match(text[c.end + after[0][0] : c.end + after[0][1]]):
        if c.end + after[0][1] - start <= MAX_WIDE_CHARS:
            end = c.end + after[0][1]
    many = kind == "reason" and _MANY.search(simplified(question))
    if kind == "describe" or many or c.text.endswith(("：", ":")):
        for n, (_, e) in enumerate(after):
            if n >= MORE_SENTENCES or c.end + e - start > MAX_WIDE_CHARS:
                break
            end = c.end + e
    if (start, end) == (c.start, c.end):
        return c
    return replace(c, start=start, end=end, text=text[start:end])


def reach(c: Candidate, notes: dict[str, str], question: str) -> Candidate:
    """The quote made of the chosen sentence `c`: its table's header, its list, its label's
    sense, then `widen`."""
    c = label_on(run_on(under_header(c, notes), notes), notes)
    return widen(item_on(c, notes), notes, question)


def under_header(c: Candidate, notes: dict[str, str]) -> Candidate:
    """A Markdown table's row quoted from the table's header row down to it, within
    MAX_QUOTE_CHARS; any other sentence, or a row of a longer table, as it is.

    >>> from index.chunking import Chunk
    >>> from index.search import Hit
    >>> note = "Dough:\\n| ingredient | grams |\\n|---|---|\\n| flour | 500 |\\n| salt | 10 |\\n"
    >>> hit = Hit(Chunk("n", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 1.0)
    >>> at = note.index("| salt")
    >>> print(under_header(Candidate(hit, at, at + 13, note[at : at + 13]), {"n": note}).text)
    | ingredient | grams |
    |---|---|
    | flour | 500 |
    | salt | 10 |
    """
    text = notes.get(c.hit.chunk.note, "")
    if c.heading or text[c.start : c.end] != c.text:
        return c
    start = header_start(text, c.start)
    if start is None or c.end - start > MAX_QUOTE_CHARS:
        return c
    return replace(c, start=start, text=text[start : c.end])


def run_on(c: Candidate, notes: dict[str, str]) -> Candidate:
    """A quote ending in a colon or semicolon, continued through its list on the same line.

    >>> from index.chunking import Chunk
    >>> from index.search import Hit
    >>> note = "其职能有两个方面：一是教化；二是管理户籍。另起一句。"
    >>> hit = Hit(Chunk("n", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 1.0)
    >>> run_on(Candidate(hit, 0, 9, note[:9]), {"n": note}).text
    '其职能有两个方面：一是教化；二是管理户籍。'
    """
    text = notes.get(c.hit.chunk.note, "")
    if c.heading or not c.text.endswith(RUN_ON) or text[c.start : c.end] != c.text:
        return c
    rest = _rest_of_line(text, c.end)
    if not rest.strip():  # the line ends with it: a colon's list is on the lines below
        return _through_list(c, text) if c.text.endswith(("：", ":")) else c
    end = c.end
    for n, (_, e) in enumerate(split_sentences(rest)):
        if n >= MAX_RUN_ON or c.end + e - c.start > MAX_QUOTE_CHARS:
            break
        end = c.end + e
        if not rest[:e].endswith(RUN_ON):
            break
    return replace(c, end=end, text=text[c.start : end])


def _through_list(c: Candidate, text: str) -> Candidate:
    """`c`, a line ending in a colon, run on through the list items of the lines below it
    (after one blank line at most): up to MAX_LIST_ITEMS whole items, MAX_QUOTE_CHARS in all.

    >>> from index.chunking import Chunk
    >>> from index.search import Hit
    >>> note = "死锁的四个必要条件：\\n\\n1. 互斥\\n2. 占有并等待\\n\\n另一段。"
    >>> hit = Hit(Chunk("n", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 1.0)
    >>> _through_list(Candidate(hit, 0, 10, note[:10]), note).text
    '死锁的四个必要条件：\\n\\n1. 互斥\\n2. 占有并等待'
    """
    at, end, items, blanks = text.find("\n", c.end), c.end, 0, 0
    while at >= 0 and items < MAX_LIST_ITEMS:
        line = _rest_of_line(text, at + 1)
        stop = text.find("\n", at + 1)
        if not line.strip() and not items and not blanks:
            blanks, at = 1, stop
            continue
        if not _MARKER.match(line) or at + 1 + len(line.rstrip()) - c.start > MAX_QUOTE_CHARS:
            break
        end, items, at = at + 1 + len(line.rstrip()), items + 1, stop
    return c if end == c.end else replace(c, end=end, text=text[c.start : end])


def label_on(c: Candidate, notes: dict[str, str]) -> Candidate:
    """A short label that opens its line, run on into the sentence after it.

    "* 读者细分管理。提升读者的满意度。再一句。" quotes its first two sentences when the
    first is chosen (tests/chatbot/test_extent.py has the cases).
    """
    text = notes.get(c.hit.chunk.note, "")
    if c.heading or text[c.start : c.end] != c.text:
        return c
    line_start = text.rfind("\n", 0, c.start) + 1
    opening = text[line_start : c.start]
    label = _MARKER.sub("", c.text, count=1).strip() if not opening.strip() else ""
    if not label or len(label) >= SHORT_SENTENCE:
        return c
    after = split_sentences(_rest_of_line(text, c.end))
    end = c.end + after[0][1] if after else c.end
    if end == c.end or end - c.start > MAX_QUOTE_CHARS:
        return c
    return replace(c, end=end, text=text[c.start : end])


def item_on(c: Candidate, notes: dict[str, str]) -> Candidate:
    """A list item's opening sentence, run on to the item's end when the whole item is
    short: a note's bullet is one thought ("- Scale to 8 replicas. Don't go above 8, …").

    >>> from index.chunking import Chunk
    >>> from index.search import Hit
    >>> note = "- Scale with --replicas=8. Don't go above 8.\\n- Next item."
    >>> hit = Hit(Chunk("n", "T", "S", 0, len(note), 1, note), 0, 1, 1.0, 1.0, 1.0)
    >>> item_on(Candidate(hit, 0, 26, note[:26]), {"n": note}).text
    "- Scale with --replicas=8. Don't go above 8."
    """
    text = notes.get(c.hit.chunk.note, "")
    if c.heading or text[c.start : c.end] != c.text or not _MARKER.match(c.text):
        return c
    line_start = text.rfind("\n", 0, c.start) + 1
    end = c.end + len(_rest_of_line(text, c.end).rstrip())
    if text[line_start : c.start].strip() or end == c.end or end - c.start > ITEM_CHARS:
        return c
    return replace(c, end=end, text=text[c.start : end])


def _rest_of_line(text: str, at: int) -> str:
    """`text` from `at` to the end of its line: a quote never runs past a line break."""
    end = text.find("\n", at)
    return text[at : len(text) if end < 0 else end]
