"""The cyclic garbage collector paused around bulk work (imports, loading works, finding
duplicates): such work allocates hundreds of thousands of small objects without cycles, and
the collector's passes over them cost a third of the time or more."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection inside the block.

    On resuming, what survived goes straight to the oldest generation (freeze, unfreeze: two
    list splices) rather than being scanned by a young collection that could find no garbage
    worth the pass; full collections still see it later. (Not when the program froze objects
    itself, say before forking workers: those must stay frozen.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def skip_final_collection() -> None:
    """Called as the command line exits: the interpreter's last full collection walks every
    object still alive (a loaded library; SQLAlchemy's, pydantic's and rich's classes) for
    cycles the operating system frees anyway, a tenth of a second of ``add`` or ``export``.
    Freezing them puts them out of its sight. Nothing is left to that pass: every file and
    connection is closed by its owner (``with``) and atexit handlers still run."""
    gc.freeze()
