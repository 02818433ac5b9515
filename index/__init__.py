"""notechat's index: read notes, chunk them, embed, store, and search.

Data flows one way: note → sections → chunks → (vectors, terms) → hits.
"""

from .chunking import Chunk, chunk_note
from .embed import DEFAULT_MODEL, Embedder, load_embedder
from .errors import (
    IndexBusy,
    IndexCorrupt,
    IndexLost,
    IndexMissing,
    IndexProblem,
    IndexStale,
    NothingToIndex,
)
from .loading import IndexSettings, load_index
from .notes import Note, NoteError, find_notes, read_note
from .search import Hit, Searcher
from .store import BuildReport, build_index

__all__ = [
    "BuildReport",
    "Chunk",
    "DEFAULT_MODEL",
    "Embedder",
    "Hit",
    "IndexBusy",
    "IndexCorrupt",
    "IndexLost",
    "IndexMissing",
    "IndexProblem",
    "IndexSettings",
    "IndexStale",
    "Note",
    "NoteError",
    "NothingToIndex",
    "Searcher",
    "build_index",
    "chunk_note",
    "find_notes",
    "load_embedder",
    "load_index",
    "read_note",
]
