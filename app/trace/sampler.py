"""Samples every thread of a run from outside it, through /proc: how much of each interval it
spent on a CPU and how much waiting for one, and its scheduler state.

On-CPU time comes from /proc/<pid>/task/<tid>/schedstat, in nanoseconds, so that two threads
really running at once (free-threaded 3.13t) and threads taking turns (the GIL) look as
different in the trace as they are.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

TRACE_VERSION = 2  # 2: samples gain the system call a sleeping thread waits in
# The launcher and bwrap's own init share the run's cgroup; they are not the learner's code.
NOT_LEARNER = frozenset({"sh", "prlimit", "bwrap", "setpriv"})
MAX_THREADS = 256  # a thread bomb is reported, not traced thread by thread


@dataclass
class Lane:
    pid: int
    tid: int
    name: str
    first_ms: float
    on_cpu_ns: int = 0
    runq_ns: int = 0
    ns_tid: int = 0  # the thread's id inside the run's PID namespace, as the agent sees it


@dataclass
class Sampler:
    pids: Callable[[], Iterable[int]]
    started: float = field(default_factory=time.monotonic)
    lanes: dict[int, Lane] = field(default_factory=dict)
    # One row per thread per interval: [ms since start, tid, on-CPU share, run-queue share,
    # state, the kind of system call a sleeping thread waits in (WAITS_IN), "" if none]
    rows: list[list[Any]] = field(default_factory=list)
    last_ms: float = 0.0
    dropped_threads: int = 0
    taken_rows: int = 0  # rows and threads already handed to live viewers by take()
    taken_threads: int = 0

    def sample(self) -> None:
        now_ms = (time.monotonic() - self.started) * 1000
        interval_ns = max((now_ms - self.last_ms) * 1e6, 1.0)
        for pid in self.pids():
            for tid, values in _threads(pid):
                name, state, on_cpu, runq, waits_in = values
                if name in NOT_LEARNER:
                    continue
                lane = self.lanes.get(tid)
                if lane is None:
                    if len(self.lanes) >= MAX_THREADS:
                        self.dropped_threads += 1
                        continue
                    lane = self.lanes[tid] = Lane(pid, tid, name, now_ms, on_cpu, runq)
                    lane.ns_tid = _inner_id(pid, tid)
                    continue
                lane.name = name
                cpu_share = min(1.0, (on_cpu - lane.on_cpu_ns) / interval_ns)
                runq_share = min(1.0, (runq - lane.runq_ns) / interval_ns)
                lane.on_cpu_ns, lane.runq_ns = on_cpu, runq
                cpu, waiting = round(cpu_share, 3), round(runq_share, 3)
                self.rows.append([round(now_ms, 1), tid, cpu, waiting, state, waits_in])
        self.last_ms = now_ms

    def take(self) -> tuple[list[dict[str, Any]], list[list[Any]]]:
        """The threads first seen and the rows sampled since the last call."""
        lanes = list(self.lanes.values())[self.taken_threads :]
        rows = self.rows[self.taken_rows :]
        self.taken_threads += len(lanes)
        self.taken_rows += len(rows)
        return [_thread(lane) for lane in lanes], rows

    def document(self) -> dict[str, Any]:
        return {
            "version": TRACE_VERSION,
            "threads": [_thread(lane) for lane in self.lanes.values()],
            "samples": self.rows,
            "dropped_threads": self.dropped_threads,
        }


def _thread(lane: Lane) -> dict[str, Any]:
    return {
        "pid": lane.pid,
        "tid": lane.tid,
        "ns_tid": lane.ns_tid,
        "name": lane.name,
        "first_ms": lane.first_ms,
    }


def _inner_id(pid: int, tid: int) -> int:
    """The thread's id in the innermost PID namespace (the last of NSpid), or its own."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in _read(f"/proc/{pid}/task/{tid}/status").splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    return tid


def descendants(root: int) -> Callable[[], list[int]]:
    """The processes under `root`, found each time from every process's parent in /proc: how a
    run is followed where it has no cgroup of its own (in a container that cannot delegate
    cgroups)."""

    def pids() -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    stat = _read(f"/proc/{entry}/stat")
                    parent = int(stat[stat.rindex(")") + 2 :].split()[1])
                    children.setdefault(parent, []).append(int(entry))
        found, frontier = [], [root]
        while frontier:
            found.append(pid := frontier.pop())
            frontier.extend(children.get(pid, ()))
        return found

    return pids


def _threads(pid: int) -> list[tuple[int, tuple[str, str, int, int, str]]]:
    found = []
    with contextlib.suppress(OSError):
        for entry in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                base = f"/proc/{pid}/task/{entry}"
                stat = _read(f"{base}/stat")
                # The name sits in parentheses and may hold spaces; the state follows it.
                name = stat[stat.index("(") + 1 : stat.rindex(")")]
                state = stat[stat.rindex(")") + 2]
                on_cpu, runq = (int(v) for v in _read(f"{base}/schedstat").split()[:2])
                waits_in = _waits_in(base) if state in "SD" else ""
                found.append((int(entry), (name, state, on_cpu, runq, waits_in)))
    return found


# The system calls a thread sleeps in, by kind: a futex is a lock, a condition variable or (with
# the GIL on, outside any wait the agent traced) the GIL; the others are I/O, sleeps and waits for
# a child. Numbers differ between architectures.
_SYSCALLS = {
    "x86_64": {
        "futex": (202,),
        "sleep": (35, 230),
        "wait": (61, 247),
        "io": (0, 1, 7, 17, 19, 23, 42, 43, 44, 45, 46, 47, 232, 270, 271, 281, 288, 441),
    },
    "aarch64": {
        "futex": (98,),
        "sleep": (101, 115),
        "wait": (95, 260),
        "io": (22, 63, 64, 65, 67, 72, 73, 202, 203, 206, 207, 211, 212, 242, 441),
    },
}
WAITS_IN = {
    number: kind
    for kind, numbers in _SYSCALLS.get(os.uname().machine, {}).items()
    for number in numbers
}


def _waits_in(base: str) -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return WAITS_IN.get(int(_read(f"{base}/syscall").split()[0]), "other")
    return ""


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def pack(document: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)


def unpack(blob: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(zlib.decompress(blob))
    return document
