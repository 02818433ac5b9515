"""One build at a time per index folder.

A build holds an exclusive `flock` on the folder's LOCK file while it writes.
The kernel drops the lock when the holder's file is closed or the process ends
in any way, `kill -9` included, so there is never a stale lock to clear by
hand. The file holds the holder's pid, only to name it in the message. Leaves
out: folders on network file systems without working `flock`.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexBusy

LOCK = "LOCK"


@contextmanager
def build_lock(folder: Path, wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold `folder`'s build lock for the duration of the block.

    When another build holds it: raises IndexBusy, or, when `wait` is given,
    calls it with a message and waits for the other build to finish.
    A folder that cannot be written raises OSError (naming the LOCK file).
    """
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = f"another build is writing the index in {folder}{_holder(fd)}"
            if wait is None:
                raise IndexBusy(f"{busy}; run this again when it has finished") from None
            wait(f"{busy}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # the pid is only for messages; a full disk must not stop the build here
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError):
        return ""
    return f" (pid {pid})"
