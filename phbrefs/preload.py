"""Loading modules on a thread while the main thread waits for the network.

``phbrefs add`` spends most of its run waiting for Crossref's answers, then needs the storage
layer (SQLAlchemy, SQLModel, the models, Alembic for a new library: half a second of imports).
Loaded on a thread meanwhile, it is ready when the answers are. Python's import locks make the
main thread's own import of a module still loading wait for it, never load it twice.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def _load(modules: Sequence[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the main thread's own import reports it
            return


@contextmanager
def preloading(modules: Sequence[str]) -> Iterator[None]:
    """Import ``modules`` in order on a thread during the block; the block's end waits for it,
    so no import is left running while the process exits."""
    thread = threading.Thread(target=_load, args=(modules,), name="phbrefs-preload", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
