"""A real PostgreSQL server for the tests: ``$PHBREFS_TEST_POSTGRES_URL`` when set, else a
throwaway cluster of this test session's own (initdb + pg_ctl on 127.0.0.1, a free port),
stopped at the end.

Every test gets a fresh database, dropped after it: ``postgres_url`` an empty one (migrations
run by phbrefs on first open), ``postgres_library_url`` (behind ``storage``) one cloned from a
template that phbrefs has already migrated (CREATE DATABASE ... TEMPLATE copies files: ~90 ms
instead of ~2 s of migrations per test).

Loaded as a pytest plugin from tests/conftest.py. Without PostgreSQL binaries (Debian package
``postgresql``) and without the URL, the PostgreSQL tests are skipped, saying why.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

URL_VARIABLE = "PHBREFS_TEST_POSTGRES_URL"
TEMPLATE = "phbrefs_template"
# cheap, not durable: a test cluster lives for one session
SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def backends() -> list[str]:
    """The backends storage tests run on: both, unless ``PHBREFS_TEST_BACKENDS=sqlite``."""
    wanted = os.environ.get("PHBREFS_TEST_BACKENDS", "sqlite,postgres").split(",")
    return ["sqlite", *(["postgres"] if "postgres" in wanted else [])]


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian keeps them off PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _scratch() -> str | None:
    """A memory-backed folder for the cluster when there is one: creating and dropping a
    database per test then costs no disk writes."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalCluster:
    """A cluster in ``folder``, run as the ``postgres`` user when the tests run as root
    (initdb refuses root)."""

    bin: Path
    folder: Path
    port: int = 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", "phbrefs", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.port = _free_port()
        options = " ".join(
            [f"-p {self.port}", "-c listen_addresses=127.0.0.1",
             f"-c unix_socket_directories={self.folder}", "-c max_connections=200"]
            + [f"-c {setting}" for setting in SERVER_SETTINGS]
        )  # fmt: skip
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "log"),
            "-o", options, "-w", "start",
        )  # fmt: skip
        return f"postgresql://phbrefs@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop")


class Server:
    """An admin connection to the server; hands out fresh databases."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        self.admin_url = admin_url
        self._admin = psycopg.connect(admin_url, autocommit=True)
        self._names = itertools.count()
        self._prefix = f"phbrefs_test_{os.getpid()}"
        self._created: list[str] = []
        self._template_ready = False

    def url(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def create(self, template: str = "template0") -> str:
        name = f"{self._prefix}_{next(self._names)}"
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._created.append(name)
        return self.url(name)

    def migrated(self) -> str:
        """A fresh database holding an empty phbrefs library at the head revision."""
        if not self._template_ready:
            from phbrefs.db.engine import open_engine

            self._admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}_{os.getpid()}"')
            self._admin.execute(f'CREATE DATABASE "{TEMPLATE}_{os.getpid()}" TEMPLATE template0')
            self._created.append(f"{TEMPLATE}_{os.getpid()}")
            open_engine(self.url(f"{TEMPLATE}_{os.getpid()}")).dispose()
            self._template_ready = True
        return self.create(f"{TEMPLATE}_{os.getpid()}")

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(self._created):
            self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.close()

    def close(self) -> None:
        self._admin.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """The session's PostgreSQL server (skips when there is none)."""
    if "postgres" not in backends():
        pytest.skip("PHBREFS_TEST_BACKENDS leaves PostgreSQL out")
    url = os.environ.get(URL_VARIABLE)
    cluster = None
    if not url:
        binaries = postgres_bin()
        if binaries is None:
            pytest.skip(
                f"no PostgreSQL: install the Debian package 'postgresql' or set {URL_VARIABLE}"
            )
        cluster = LocalCluster(
            binaries, Path(tempfile.mkdtemp(prefix="phbrefs-pg-", dir=_scratch()))
        )
        url = cluster.start()
    server = Server(url)
    try:
        yield server
    finally:
        server.drop_all()  # leave someone else's server as found
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: Server) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (no phbrefs schema yet), dropped after the test."""
    url = postgres_server.create()
    yield url
    postgres_server.drop(url)


@pytest.fixture
def postgres_library_url(postgres_server: Server) -> Iterator[str]:
    """A fresh PostgreSQL database holding an empty phbrefs library, dropped after the test."""
    url = postgres_server.migrated()
    yield url
    postgres_server.drop(url)
