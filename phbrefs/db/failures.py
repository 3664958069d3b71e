"""Database driver errors turned into one-line ``StorageError``s a reviewer can act on.

Drivers (sqlite3, psycopg) and SQLAlchemy wrap the same conditions in many types; the message
is the one stable thing, so the classification reads it.
"""

from __future__ import annotations

from phbrefs.errors import StorageError

_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("database is locked", "lock timeout", "canceling statement due to lock timeout"),
        "{where} is busy: another phbrefs process held it for more than {wait:g} s "
        "(raise PHBREFS_LOCK_TIMEOUT to wait longer)",
    ),
    (
        ("malformed", "file is not a database", "corrupt", "fts5: missing row"),
        "{where} is damaged ({reason}); nothing was written. Run 'phbrefs doctor'",
    ),
    (
        ("readonly database", "read-only", "read only"),
        "{where} is read-only: cannot write to it ({reason})",
    ),
    (
        ("database or disk is full", "no space left"),
        "{where}: the disk is full; nothing was written",
    ),
    (("unable to open database",), "cannot open {where} ({reason})"),
)


def reason_of(error: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's SQL and background-link decoration."""
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(error).__name__


def is_corruption(error: BaseException) -> bool:
    text = reason_of(error).lower()
    return any(marker in text for marker in _KINDS[1][0])


def storage_error(error: BaseException, where: str, wait: float = 30.0) -> StorageError:
    """The one-line error for a driver failure on the library ``where``."""
    reason = reason_of(error)
    lowered = reason.lower()
    for markers, template in _KINDS:
        if any(marker in lowered for marker in markers):
            return StorageError(template.format(where=where, reason=reason, wait=wait))
    return StorageError(f"{where}: {reason}")


def unreadable_rows(where: str, missing: int, listed: int) -> StorageError:
    """An index named rows its table no longer has: refuse rather than return a short list."""
    return StorageError(
        f"{where} is damaged: {missing} of {listed} works listed by its index cannot be read; "
        "nothing was written. Run 'phbrefs doctor'"
    )


def stray_storage_error(error: BaseException) -> StorageError | None:
    """A driver failure that reached the CLI unwrapped, as one ``StorageError``; None for any
    other error (the CLI words those itself)."""
    if not type(error).__module__.startswith("sqlalchemy"):
        return None
    from sqlalchemy.exc import OperationalError

    if isinstance(error, OperationalError):
        return StorageError(f"the library database failed: {error.orig}")
    return None
