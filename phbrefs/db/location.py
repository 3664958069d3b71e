"""Where a library lives: a SQLite file or a PostgreSQL URL. No heavy imports: read commands
and settings use this before any driver is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True)
class Location:
    """A library's address: ``path`` for SQLite (None for ``:memory:``), else ``url``."""

    spec: str

    @property
    def is_postgres(self) -> bool:
        return self.spec.startswith(POSTGRES_SCHEMES)

    @property
    def is_memory(self) -> bool:
        return self.spec == ":memory:"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server or an in-memory library."""
        return None if self.is_postgres or self.is_memory else Path(self.spec)

    @property
    def sqlalchemy_url(self) -> str:
        if self.is_postgres:
            return "postgresql+psycopg://" + self.spec.split("://", 1)[1]
        return "sqlite://" if self.is_memory else f"sqlite:///{self.spec}"

    @property
    def libpq_url(self) -> str:
        """The URL psycopg itself accepts (no SQLAlchemy driver suffix)."""
        return "postgresql://" + self.spec.split("://", 1)[1]

    def exists(self) -> bool:
        return self.is_postgres or self.is_memory or Path(self.spec).exists()

    def __str__(self) -> str:
        if self.is_postgres:  # never print a password
            scheme, rest = self.spec.split("://", 1)
            if "@" in rest:
                credentials, host = rest.rsplit("@", 1)
                user = credentials.split(":", 1)[0]
                return f"{scheme}://{user}@{host}"
        return self.spec
