"""What can be wrong with an index folder. Each message names the folder or file and says why.

The CLI and the UI turn these into one line for the user; the library never prints.
"""

from __future__ import annotations


class IndexProblem(RuntimeError):
    """Base for index problems; the message says which folder and why."""


class IndexMissing(IndexProblem):
    """Nothing was ever built in the folder."""


class IndexCorrupt(IndexProblem):
    """A file of the index is damaged, truncated or not what the manifest says."""


class IndexStale(IndexProblem):
    """Built from other settings (model, chunking), or a note changed since."""


class IndexBusy(IndexProblem):
    """Another build holds the folder's lock."""


class IndexLost(IndexProblem):
    """Damaged beyond recovery, with its list of notes: only the user can say what to index."""


class NothingToIndex(IndexProblem):
    """A build found no note at all; the index is left as it was."""
