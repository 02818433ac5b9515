"""Split a note's clean segments into chunks that carry exact offsets.

Chunks never cross a heading or a noise line. Inside a segment,
langchain-text-splitters cuts at paragraph, then Chinese and English sentence
ends, then clause marks, so a chunk ends where a sentence does whenever one fits.
Every chunk's text is `note.text[start:end]`, verbatim. Work is linear in
the note's size (line numbers are counted on from the previous chunk, never
from the top). A note that would need more than MAX_NOTE_TEXTS embeddings
(chunks plus distinct sentences) is refused with NoteError. Leaves out:
merging tiny neighbouring sections (their heading path travels with them
instead, see `Chunk.context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .notes import Note, NoteError
from .sections import PATH_SEP, split_sections
from .tables import header_row, is_row

# Measured on the dev questions (scripts/tune_chunks.py): see README "Retrieval".
DEFAULT_CHUNK_SIZE = 300
DEFAULT_CHUNK_OVERLAP = 60
# Each text is one embedding (~25 ms on two cores): 100,000 is most of an hour
# for one note, and still lets in 5 MB of ordinary prose (~65,000 texts).
MAX_NOTE_TEXTS = 100_000

SENTENCE_SEPARATORS = [
    "\n\n",
    "\n",
    "。",
    "！",
    "？",
    "；",
    ". ",
    "! ",
    "? ",
    "; ",
    "，",
    "、",
    ", ",
    " ",
    "",
]


# A sentence ends after its mark and the closing quotes or brackets that follow it
# (「我来了。」 is one sentence, and the next does not start with 」).
_CLOSERS = "」』”’）)】\"'"
_SENT_END = re.compile(rf"[。！？；!?;][{_CLOSERS}]*|\.[{_CLOSERS}]*\s+|\n+")
_TITLE = re.compile(r"《[^《》\n]*》")  # a title: 《你好！》 ends no sentence
# An ordered list's number ("2. Replace the mailer", "- 1.2. 部署") ends no sentence: its
# item is one sentence with its number, not "2." and the rest.
_LIST_NUMBER = re.compile(r"[ \t]*(?:[-*+][ \t]+)?\d{1,3}(?:\.\d{1,3})*\.$")
# A full stop that ends an abbreviation or an initial ("U.S. government",
# "Dr. Smith", "J. R. R. Tolkien", "Milestones, a.k.a. Ma'alim") ends no sentence;
# nor does one followed by a lower-case word.
_ABBREVIATION = re.compile(
    r"(?:^|[\s(\"'])(?:[A-Z]|[A-Za-z](?:\.[A-Za-z])+|Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Gov"
    r"|Sen|Rep|Rev|Lt|Col|Capt|Mt|Ft|No|Nos|Co|Corp|Inc|Ltd|vs|etc|al|approx|ca|cf|viz|Vol|pp"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of `text`, whitespace trimmed.

    >>> t = "第一句。第二句！Third one. Fourth"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['第一句。', '第二句！', 'Third one.', 'Fourth']
    >>> t = "他说：「我来了。」随后播放《CDTV×Sacas！》节目。"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['他说：「我来了。」', '随后播放《CDTV×Sacas！》节目。']
    >>> t = "The U.S. government met Dr. Smith. It rained, e.g. here. then it stopped."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['The U.S. government met Dr. Smith.', 'It rained, e.g. here. then it stopped.']
    >>> t = "Groups (Milestones, a.k.a. Ma'alim) grew. They left."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ["Groups (Milestones, a.k.a. Ma'alim) grew.", 'They left.']
    >>> t = "Two options:\\n  1. Multi-currency export\\n  2. Replace the mailer. Soon."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Two options:', '1. Multi-currency export', '2. Replace the mailer.', 'Soon.']
    """
    titles = [m.span() for m in _TITLE.finditer(text)]
    spans, pos = [], 0
    for m in _SENT_END.finditer(text):
        end = m.start() + len(m.group().rstrip())  # the mark and its closers stay
        if any(a < end < b for a, b in titles):
            continue
        number = m.group().startswith(".") and "\n" not in m.group()  # a line's end still ends
        if number and _LIST_NUMBER.match(text, text.rfind("\n", 0, end) + 1, end):
            continue
        if end > pos:
            spans.append((pos, end))
        pos = max(pos, m.end())
    spans.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if e - trail <= s + lead:
            continue
        s, e = s + lead, e - trail
        if out and _continues(text, out[-1], s):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _continues(text: str, previous: tuple[int, int], start: int) -> bool:
    """Does the sentence at `start` go on from `previous` (split at a mere full stop)?"""
    gap = text[previous[1] : start]
    if not text[previous[0] : previous[1]].endswith(".") or not gap or gap.strip() or "\n" in gap:
        return False
    return text[start].islower() or bool(_ABBREVIATION.search(text[previous[0] : previous[1]]))


@dataclass(frozen=True)
class Chunk:
    note: str  # the note's path
    title: str  # the note's title
    section: str  # heading path joined with " › "
    start: int  # [start, end) in the note's text
    end: int
    line: int  # 1-based line of `start`
    text: str
    # The header row of the table the chunk starts in, when that row lies in an earlier chunk
    table_header: str = ""

    @property
    def head(self) -> str:
        """The note's title and the heading path."""
        if self.section in ("", self.title):
            return self.title
        return f"{self.title}{PATH_SEP}{self.section}"

    @property
    def context(self) -> str:
        """What retrieval sees: title and heading path, then the text itself."""
        return f"{self.head}\n{self.text}"

    def in_context(self, quotable: str) -> str:
        """How a sentence of this chunk is embedded: under its own heading.

        A sentence that names its subject only by pronoun ("该银行的总部位于…")
        then still says which bank it is about. Only the innermost heading (the
        note's title when it has no other): a whole heading path would outweigh
        a short sentence. A table's row goes under its table's header row too
        ("| salt | 10 |" under "| ingredient | grams |": index.tables), also when
        the header row is in an earlier chunk of a long table.
        """
        if is_row(quotable):
            at = self.text.find(quotable)
            header = header_row(self.text, at) if at >= 0 else ""
            if not header and at >= 0 and all(map(is_row, self.text[:at].splitlines())):
                header = self.table_header  # the rows above it, up to the chunk's start
            if header:
                return f"{self.heading}\n{header}\n{quotable}"
        return f"{self.heading}\n{quotable}"

    def sentence_texts(self) -> list[str]:
        """The embedded form of each of `quotables()`."""
        return [self.in_context(q) for q in self.quotables()]

    @property
    def heading(self) -> str:
        return self.section.split(PATH_SEP)[-1]

    def quotables(self) -> list[str]:
        """Texts an answer may quote from this chunk: its heading and its sentences."""
        return [self.heading] + [self.text[s:e] for s, e in split_sentences(self.text)]


def embed_texts(chunks: list[Chunk]) -> list[str]:
    """What a build embeds for these chunks: each chunk's context, then each distinct quotable
    in its embedded form (`Chunk.sentence_texts`)."""
    quotables = dict.fromkeys(q for c in chunks for q in c.sentence_texts())
    return [c.context for c in chunks] + list(quotables)


class LineCounter:
    """1-based line numbers of increasing offsets, each newline counted once.

    >>> lc = LineCounter("a\\nb\\nc"); [lc.line_at(0), lc.line_at(2), lc.line_at(4)]
    [1, 2, 3]
    """

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def line_at(self, offset: int) -> int:
        if offset < self.pos:  # an overlap reaching back: count back, not from the top
            self.line -= self.text.count("\n", offset, self.pos)
        else:
            self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line


def _splitter(size: int, overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=SENTENCE_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )


_ENDS = frozenset("".join(SENTENCE_SEPARATORS) + " \t\n")  # what a split ends with
_SPACE = re.compile(r"\s*")


def _locate(body: str, piece: str, cursor: int, end: int) -> int:
    """Where the splitter took `piece` from, given the previous piece's end `end` and
    `cursor` (its end less the overlap); -1 when it is not there.

    Right after the previous piece if it is there (so no text is left out), else
    overlapping it, where a split begins (after a separator) if such a place exists.
    """
    after = _SPACE.match(body, end).end()
    if body.startswith(piece, after):
        return after
    first = -1
    at = body.find(piece, cursor, end + len(piece))
    while at >= 0:
        if at + len(piece) > end:
            if at == 0 or body[at - 1] in _ENDS:
                return at
            first = at if first < 0 else first
        at = body.find(piece, at + 1, end + len(piece))
    return first if first >= 0 else body.find(piece, cursor)


def chunk_note(
    note: Note,
    size: int = DEFAULT_CHUNK_SIZE,
    overlap: int = DEFAULT_CHUNK_OVERLAP,
    max_texts: int | None = None,
) -> list[Chunk]:
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"chunk size {size} / overlap {overlap}: need 0 <= overlap < size")
    max_texts = MAX_NOTE_TEXTS if max_texts is None else max_texts
    splitter = _splitter(size, overlap)
    text = note.text
    chunks: list[Chunk] = []
    lines = LineCounter(text)
    for seg in split_sections(note):
        body = text[seg.start : seg.end]
        pieces = [body] if len(body) <= size else splitter.split_text(body)
        cursor = end = 0
        for piece in pieces:
            # The splitter returns substrings of `body`, each overlapping the
            # previous one by at most `overlap` characters and ending after it:
            # search from there, so repeated text maps to its own occurrence
            # ("A" after "A\nAAAA" is the next line's, not the one inside it).
            at = _locate(body, piece, cursor, end)
            if at < 0:  # pragma: no cover - the splitter only ever drops whitespace
                at = body.find(piece)
            if at < 0 or not piece.strip():
                continue
            cursor, end = max(at + 1, at + len(piece) - overlap), at + len(piece)
            start = seg.start + at
            chunks.append(
                Chunk(
                    note=note.path,
                    title=note.title,
                    section=PATH_SEP.join(seg.section),
                    start=start,
                    end=start + len(piece),
                    line=lines.line_at(start),
                    text=piece,
                    table_header=header_row(text, start),  # "" unless it starts on a row
                )
            )
        if len(chunks) > max_texts:  # before counting sentences: no need to look further
            break
    n_texts = len(chunks) if len(chunks) > max_texts else len(embed_texts(chunks))
    if n_texts > max_texts:
        raise NoteError(
            f"{note.path}: {'over ' if len(chunks) > max_texts else ''}{n_texts:,} texts to "
            f"embed (chunks and sentences), more than the limit of {max_texts:,} per note; "
            "split it into smaller notes. Not indexed"
        )
    return chunks
