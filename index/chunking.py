"""Split a note's clean segments into chunks that carry exact offsets.

Chunks never cross a heading or a noise line. Inside a segment,
langchain-text-splitters cuts at paragraph, then Chinese and English sentence
ends, then clause marks, so a chunk ends where a sentence does whenever one fits.
Every chunk's text is `note.text[start:end]`, verbatim. Leaves out: merging
tiny neighbouring sections (their heading path travels with them instead,
see `Chunk.context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .notes import Note
from .sections import PATH_SEP, split_sections

# Measured on the dev questions (scripts/tune_chunks.py): see README "Retrieval".
DEFAULT_CHUNK_SIZE = 300
DEFAULT_CHUNK_OVERLAP = 60

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


_SENT_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s+|\n+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of `text`, whitespace trimmed.

    >>> t = "第一句。第二句！Third one. Fourth"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['第一句。', '第二句！', 'Third one.', 'Fourth']
    """
    spans, pos = [], 0
    for m in _SENT_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = max(pos, m.end())
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


@dataclass(frozen=True)
class Chunk:
    note: str  # the note's path
    title: str  # the note's title
    section: str  # heading path joined with " › "
    start: int  # [start, end) in the note's text
    end: int
    line: int  # 1-based line of `start`
    text: str

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
        a short sentence.
        """
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


def _splitter(size: int, overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=SENTENCE_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )


def chunk_note(
    note: Note, size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_CHUNK_OVERLAP
) -> list[Chunk]:
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"chunk size {size} / overlap {overlap}: need 0 <= overlap < size")
    splitter = _splitter(size, overlap)
    text = note.text
    chunks: list[Chunk] = []
    for seg in split_sections(note):
        body = text[seg.start : seg.end]
        pieces = [body] if len(body) <= size else splitter.split_text(body)
        cursor = 0
        for piece in pieces:
            # The splitter returns substrings of `body`, each overlapping the
            # previous one by at most `overlap` characters: search from there,
            # so repeated text maps to its own occurrence.
            at = body.find(piece, cursor)
            if at < 0:  # pragma: no cover - the splitter only ever drops whitespace
                at = body.find(piece)
            if at < 0 or not piece.strip():
                continue
            cursor = max(at + 1, at + len(piece) - overlap)
            start = seg.start + at
            chunks.append(
                Chunk(
                    note=note.path,
                    title=note.title,
                    section=PATH_SEP.join(seg.section),
                    start=start,
                    end=start + len(piece),
                    line=text.count("\n", 0, start) + 1,
                    text=piece,
                )
            )
    return chunks
