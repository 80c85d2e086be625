"""The namespace layer: bubblewrap (`bwrap`) gives each run a private root built from
read-only views of the system, its own PID, network, IPC, UTS and user namespaces, a private
/tmp and work directory in memory, and nothing of the server's files, environment or runs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from app.sandbox.limits import Limits

SANDBOX_UID = 1000  # the learner's uid inside the user namespace: not root there either
WORK = "/work"
GRADER = "/grader"
AGENT = "/threadline/agent"  # the tracing agent's folder, on the learner's PYTHONPATH
EVENTS = "/threadline/events"  # the FIFO the agent writes its records to

# The system that the interpreters need, read-only. /usr holds nearly everything on a
# merged-/usr system; /etc gives the dynamic loader its cache and Python its time zone.
SYSTEM_PATHS = (
    "/usr",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
)
USR_LINKS = {
    "/bin": "usr/bin",
    "/sbin": "usr/sbin",
    "/lib": "usr/lib",
    "/lib64": "usr/lib64",
    "/lib32": "usr/lib32",
}


def find() -> tuple[str | None, str]:
    """The path of a working bwrap, or None and the reason it cannot be used."""
    path = shutil.which("bwrap")
    if path is None:
        return None, "bubblewrap is not installed (Debian package bubblewrap)"
    command = [
        path,
        *_namespace_args(),
        "--ro-bind",
        "/usr",
        "/usr",
        *_links(),
        "--proc",
        "/proc",
        "--",
        "/usr/bin/true",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"bwrap did not start: {e}"
    if result.returncode != 0:
        return None, f"bwrap cannot make namespaces here: {result.stderr.strip()}"
    return path, ""


def _namespace_args() -> list[str]:
    return [
        "--unshare-all",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
    ]


def _links() -> list[str]:
    args = []
    for link, target in USR_LINKS.items():
        if Path(link).is_symlink():
            args += ["--symlink", target, link]
        elif Path(link).is_dir():
            args += ["--ro-bind", link, link]
    return args


def command(
    bwrap: str,
    program: list[str],
    *,
    read_only: list[Path],
    files: dict[str, Path],
    env: dict[str, str],
    limits: Limits,
) -> list[str]:
    """The argv that runs `program` inside the sandbox.

    `read_only` are host paths shown at the same place (the interpreter and its packages);
    `files` maps paths inside the sandbox to host files shown read-only there.
    """
    args = [bwrap, *_namespace_args()]
    for system_path in SYSTEM_PATHS:
        if Path(system_path).exists():
            args += ["--ro-bind", system_path, system_path]
    args += _links()
    for path in dict.fromkeys(read_only):
        args += ["--ro-bind", str(path), str(path)]
    # Memory-backed, size-capped and private: a disk-filling program fills only its share of
    # the run's memory, and nothing is left on the host afterwards.
    size = str(min(limits.memory_bytes, 256 * 1024 * 1024))
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        size,
        "--tmpfs",
        "/dev/shm",
        "--size",
        size,
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--tmpfs",
        WORK,
    ]
    for inside, host in files.items():
        args += ["--ro-bind", str(host), inside]
    # The root bwrap builds is a writable tmpfs; nothing outside /work, /tmp and /dev/shm
    # should be writable, so it is made read-only once everything is in place.
    args += ["--remount-ro", "/", "--chdir", WORK, "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return [*args, "--", *program]
