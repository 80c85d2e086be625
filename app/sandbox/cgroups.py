"""Control groups for a run: a memory limit and a process+thread limit for the whole tree,
a way to kill every process in it, and the news of which limit was hit.

Works with cgroup v2 (the unified hierarchy) and v1 (separate memory and pids hierarchies),
under the cgroup the server itself was started in.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from app.sandbox.limits import Limits

GROUP = "threadline-runs"


@dataclass(frozen=True)
class Mount:
    kind: str  # "v1" or "v2"
    root: str  # the mount's root within its hierarchy
    path: Path  # where it is mounted
    controllers: frozenset[str]


def mounts() -> list[Mount]:
    found = []
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            left, _, right = line.partition(" - ")
            parts, kind = left.split(), right.split()
            if not kind or kind[0] not in ("cgroup", "cgroup2"):
                continue
            options = set(kind[2].split(",")) if len(kind) > 2 else set()
            if kind[0] == "cgroup2":
                try:
                    controllers = set((Path(parts[4]) / "cgroup.controllers").read_text().split())
                except OSError:
                    controllers = set()
                found.append(Mount("v2", parts[3], Path(parts[4]), frozenset(controllers)))
            else:
                found.append(Mount("v1", parts[3], Path(parts[4]), frozenset(options)))
    return found


def own_paths() -> dict[str, str]:
    """The server's cgroup in each hierarchy: controller name (or "" for v2) to path."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            for name in names.split(",") if names else [""]:
                paths[name] = path
    return paths


def _under(mount: Mount, own: str) -> Path:
    relative = own[len(mount.root) :] if own.startswith(mount.root) else own
    return mount.path / relative.lstrip("/")


class RunGroup:
    """The cgroup (one per hierarchy on v1) that holds one run's processes."""

    def __init__(self, kind: str, dirs: dict[str, Path]) -> None:
        self.kind, self.dirs = kind, dirs

    @property
    def procs_files(self) -> list[Path]:
        return [d / "cgroup.procs" for d in dict.fromkeys(self.dirs.values())]

    def pids(self) -> set[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            with contextlib.suppress(OSError):
                found.update(int(p) for p in procs.read_text().split())
        return found

    def kill(self) -> None:
        """SIGKILL every process in the group, including ones forked while we kill."""
        kill_file = self.dirs["pids"] / "cgroup.kill"
        if self.kind == "v2" and kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")
        deadline = time.monotonic() + 5
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)

    def memory_exceeded(self) -> bool:
        """Whether the kernel's OOM killer struck inside this group."""
        directory = self.dirs["memory"]
        events = "memory.events" if self.kind == "v2" else "memory.oom_control"
        return _count(directory / events, "oom_kill") > 0

    def tasks_exceeded(self) -> bool:
        return _count(self.dirs["pids"] / "pids.events", "max") > 0

    def peak_memory(self) -> int | None:
        directory = self.dirs["memory"]
        name = "memory.peak" if self.kind == "v2" else "memory.max_usage_in_bytes"
        value = _read_int(directory / name)
        return value or None

    def remove(self) -> None:
        self.kill()
        for directory in dict.fromkeys(self.dirs.values()):
            for _ in range(100):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY:
                        break
                    time.sleep(0.01)


def _count(path: Path, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    return 0


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


class Cgroups:
    """The layer: where run groups are made, found once at start."""

    def __init__(self, kind: str, bases: dict[str, Path]) -> None:
        self.kind, self.bases = kind, bases

    @property
    def description(self) -> str:
        return f"cgroups {self.kind} (memory, pids)"

    def create(self, name: str, limits: Limits) -> RunGroup:
        dirs = {c: base / name for c, base in self.bases.items()}
        for directory in dict.fromkeys(dirs.values()):
            directory.mkdir(exist_ok=True)
        group = RunGroup(self.kind, dirs)
        try:
            if self.kind == "v2":
                _write(dirs["memory"] / "memory.max", str(limits.memory_bytes))
                _write(dirs["memory"] / "memory.swap.max", "0", optional=True)
                _write(dirs["pids"] / "pids.max", str(limits.tasks))
            else:
                _write(dirs["memory"] / "memory.limit_in_bytes", str(limits.memory_bytes))
                _write(
                    dirs["memory"] / "memory.memsw.limit_in_bytes",
                    str(limits.memory_bytes),
                    optional=True,
                )
                _write(dirs["pids"] / "pids.max", str(limits.tasks))
        except OSError:
            group.remove()
            raise
        return group

    @classmethod
    def find(cls) -> tuple[Cgroups | None, str]:
        """The usable cgroup layer, or None and the reason there is none."""
        if os.geteuid() != 0:
            return None, "cgroups need root (or a delegated cgroup) and the server is not root"
        own = own_paths()
        all_mounts = mounts()
        reasons = []
        for mount in all_mounts:
            if mount.kind == "v2" and {"memory", "pids"} <= mount.controllers:
                try:
                    base = _prepare_v2(_under(mount, own.get("", "/")))
                    return _checked(cls("v2", {"memory": base, "pids": base}))
                except OSError as e:
                    reasons.append(f"cgroup v2 at {mount.path}: {e}")
        v1 = {
            c: m
            for m in all_mounts
            if m.kind == "v1"
            for c in ("memory", "pids")
            if c in m.controllers
        }
        if {"memory", "pids"} <= v1.keys():
            try:
                bases = {}
                for controller in ("memory", "pids"):
                    base = _under(v1[controller], own.get(controller, "/")) / GROUP
                    base.mkdir(exist_ok=True)
                    bases[controller] = base
                return _checked(cls("v1", bases))
            except OSError as e:
                reasons.append(f"cgroup v1: {e}")
        if not reasons:
            reasons.append("no cgroup hierarchy with the memory and pids controllers is mounted")
        return None, "; ".join(reasons)


@dataclass(frozen=True)
class ContainerLimits:
    """The memory and task limits of the cgroup the server runs in: in a container whose
    cgroups cannot be handed down to runs, these bound the server and all its runs together."""

    memory_bytes: int | None
    tasks: int | None

    @classmethod
    def read(cls) -> ContainerLimits:
        own = own_paths()
        memory = tasks = None
        for mount in mounts():
            if mount.kind == "v2":
                base = _under(mount, own.get("", "/"))
                memory = memory or _limit(base / "memory.max")
                tasks = tasks or _limit(base / "pids.max")
            elif "memory" in mount.controllers:
                memory = memory or _limit(
                    _under(mount, own.get("memory", "/")) / "memory.limit_in_bytes"
                )
            elif "pids" in mount.controllers:
                tasks = tasks or _limit(_under(mount, own.get("pids", "/")) / "pids.max")
        return cls(memory, tasks)

    @property
    def complete(self) -> bool:
        return self.memory_bytes is not None and self.tasks is not None

    @property
    def description(self) -> str:
        return (
            f"the container's cgroup (memory {(self.memory_bytes or 0) // 2**20} MiB, "
            f"{self.tasks} tasks, for the server and its runs together)"
        )


def _limit(path: Path) -> int | None:
    """A cgroup limit, or None when there is none ("max", or v1's page-rounded infinity)."""
    value = _read_int(path)
    return value if 0 < value < 2**62 else None


def _checked(layer: Cgroups) -> tuple[Cgroups | None, str]:
    probe = layer.create(f"probe-{os.getpid()}", Limits())
    probe.remove()
    return layer, ""


def _prepare_v2(own: Path) -> Path:
    """A cgroup under ours where run groups can have memory and pids limits.

    cgroup v2 lets a group hand controllers to its children only while it holds no process
    itself, so the server's processes move into a leaf of their own first.
    """
    runs = own / GROUP
    try:
        _write(own / "cgroup.subtree_control", "+memory +pids")
    except OSError as e:
        if e.errno != errno.EBUSY:
            raise
        server = own / "threadline-server"
        server.mkdir(exist_ok=True)
        for pid in (own / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):
                _write(server / "cgroup.procs", pid)
        _write(own / "cgroup.subtree_control", "+memory +pids")
    runs.mkdir(exist_ok=True)
    _write(runs / "cgroup.subtree_control", "+memory +pids")
    return runs


def _write(path: Path, value: str, optional: bool = False) -> None:
    try:
        path.write_text(value)
    except FileNotFoundError:
        if not optional:
            raise
