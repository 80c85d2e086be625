"""A throwaway PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary
directory, listening only on a Unix socket inside it. Nothing of the machine's own clusters
is touched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORT = 54329  # only names the socket file; nothing listens on TCP


def find_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; Debian's package makes the `postgres` user for it.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server, yield the SQLAlchemy URL of its `postgres` database, stop it after."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL is not installed: run `scripts/setup.sh test` (Debian package postgresql)"
        )
    top = Path(tempfile.mkdtemp(prefix="threadline-pg-"))
    data = top / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(top, user.pw_uid, user.pw_gid)
    top.chmod(0o755)

    def run(program: str, *args: str) -> None:
        command = _as_server_user([str(bindir / program), *args])
        subprocess.run(command, check=True, capture_output=True, text=True)

    try:
        run(
            "initdb", "-D", str(data), "-U", "threadline", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        run(
            "pg_ctl",
            "-D",
            str(data),
            "-w",
            "-t",
            "60",
            "-l",
            str(top / "server.log"),
            "-o",
            f"-c listen_addresses='' -k {top} -p {PORT} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off",
            "start",
        )
    except subprocess.CalledProcessError as e:
        log = (top / "server.log").read_text() if (top / "server.log").exists() else ""
        shutil.rmtree(top, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {e.stderr}\n{log}") from e
    try:
        yield f"postgresql+psycopg://threadline@/postgres?host={top}&port={PORT}"
    finally:
        # If the server is already gone, the directory is removed all the same.
        with contextlib.suppress(subprocess.CalledProcessError):
            run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(top, ignore_errors=True)
