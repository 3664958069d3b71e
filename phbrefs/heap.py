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
