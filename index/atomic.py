"""Write files so that a reader sees the old version or the new one, never half.

The bytes go to a temporary file in the same folder, are flushed to disk, and
then `os.replace` swaps the name over (atomic on POSIX). A failure — disk full,
a kill — leaves the old file untouched and at worst a stray `.tmp-*` file,
which `clean_temp` removes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.filename in (None, tmp):
            exc.filename = str(path)  # write() and fsync() errors name no file: say which
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def clean_temp(folder: str | os.PathLike) -> int:
    """Remove temporary files a killed writer left behind; returns how many."""
    n = 0
    for p in Path(folder).glob(".tmp-*"):
        try:
            p.unlink()
            n += 1
        except OSError:
            pass
    return n
