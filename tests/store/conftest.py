"""Store fixtures: a real throw-away PostgreSQL server, and ``store_url`` over SQLite and PostgreSQL.

The PostgreSQL server is started once per test session from the Debian ``postgresql`` package's
binaries (``/usr/lib/postgresql/<N>/bin``, or ``$PG_BIN``) in a temporary directory, on 127.0.0.1
and a free port, with trust authentication; each test gets a fresh database. Missing binaries or a
missing ``psycopg`` driver FAIL the PostgreSQL tests with the install command; they never skip.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_INSTALL_HINT = "apt-get install -y postgresql  and  .venv/bin/pip install 'psycopg[binary]'"
_database_numbers = itertools.count(1)


def _postgres_bin_dir() -> Path | None:
    candidates = [os.environ["PG_BIN"]] if os.environ.get("PG_BIN") else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresServer:
    """A running throw-away server; ``new_database()`` returns the URL of a fresh empty database."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"quiz_test_{os.getpid()}_{next(_database_numbers)}"
        with psycopg.connect(host=self.host, port=self.port, user="postgres", dbname="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        pytest.fail(f"PostgreSQL server binaries (initdb, pg_ctl) not found; install them: {_INSTALL_HINT}")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail(f"the psycopg driver is not installed; install it: {_INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="quiz-pg-"))
    data_dir, socket_dir = root / "data", root / "sock"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket_dir, "postgres")
    root.chmod(0o755)
    initdb = _as_postgres([str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust",
                           "--encoding=UTF8", "--no-sync"])
    done = subprocess.run(initdb, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"initdb failed: {done.stderr or done.stdout}")
    port = _free_port()
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    pg_ctl = str(bin_dir / "pg_ctl")
    start = _as_postgres([pg_ctl, "-D", str(data_dir), "-o", options, "-l", str(root / "log"), "-w", "-t", "60", "start"])
    done = subprocess.run(start, capture_output=True, text=True, timeout=90)
    if done.returncode != 0:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        pytest.fail(f"PostgreSQL did not start: {done.stderr or done.stdout}\n{log}")
    try:
        yield PostgresServer("127.0.0.1", port)
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data_dir), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'quiz.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
