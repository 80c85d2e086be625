"""The events the tracing agent (`app/trace/agent/sitecustomize.py`) reports from inside a run,
and how the runner reads them. This module is where the event schema is written down.

The agent writes one JSON array per line to the run's event FIFO. The runner keeps them in the
run's trace (`events`, with times turned into milliseconds since the run started, like the
samples) and sends them to live viewers. Version 2 of the schema:

- `["P", t, pid, parent, how, gil]`: a process starts. `how` is `main`, `fork`, `spawn`,
  `forkserver` (a worker forked by the fork server), `helper` (multiprocessing's fork server or
  resource tracker) or `exec` (a Python the run's code started); `gil`: whether the GIL is on.
- `["T", t, pid, tid, name, daemon, creator]`: a thread starts (the main thread with its
  process); `creator` is the thread that called `start()`, 0 for a main thread.
- `["E", t, pid, tid, outcome]`: a thread ends: `ok`, or the name of the exception that ended it.
- `["B", t, pid, tid, kind, object, site, line, owner, name]`: a thread blocks. `kind` is one
  of `WAIT_KINDS`; `object` tells primitives apart within a process; `site` is where the
  learner made it and `line` where they wait (`file:line`); `owner` is the thread holding the
  lock or being joined, 0 if unknown; `name` is the learner's variable for it (`lock`,
  `self.lock`, `fut`), "" if none was found.
- `["U", t, pid, tid, kind, object, waker]`: the wait ends; `waker` is the thread that last
  released, set, notified, fed or finished the object (null if unknown): the hand-off arrow.
- `["K", t, pid, tid, task, name, site, coroutine, parent]`: an asyncio task is made on the
  event loop of thread `tid`; `task` tells tasks apart within a process, `parent` is the task
  that made it (0 for none), `site` the learner's line that made it.
- `["S", t, pid, tid, task, took_us, awaits, line, target]`: one step of a task: it ran on its
  loop's thread from `t` for `took_us` microseconds, then awaited `awaits` (one of
  `AWAIT_KINDS`) at the learner's `line`; `target` is the task it awaits (kind `task`), else 0.
- `["F", t, pid, task, outcome]`: a task is done: `ok`, `cancelled` or the exception's name.
- `["Q", t, pid, object, site, depth]`: a `queue.Queue`'s depth after a put or a get, at most
  once a millisecond per queue but always when it becomes empty or full (the counter of queue
  depth); `site` is where it was made.
- `["X", t, pid]`: the process's interpreter exits normally.
- `["D", t, pid, count]`: records the process dropped (its buffer was full, or the runner was
  behind).

Thread ids and pids are the kernel's (`threading.get_native_id()`, `os.getpid()`) as seen
inside the run's PID namespace when the sandbox has one; the /proc samples, taken from outside,
record that inner id of each thread too (`ns_tid` in the trace's `threads`, from `NSpid` in
/proc), which is how a lane's samples and its events meet.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from app import ROOT

SCHEMA_VERSION = 2
AGENT_DIR = ROOT / "app" / "trace" / "agent"
MAX_EVENTS = 100_000  # per run; more are counted, not kept
KINDS = frozenset("PTEBUKSFQXD")
WAIT_KINDS = (
    "lock", "rlock", "condition", "event", "semaphore", "barrier", "queue-get", "queue-put",
    "mp-queue-get", "mp-queue-put", "pipe", "join", "future", "sleep",
)  # fmt: skip
AWAIT_KINDS = (
    "sleep", "queue-get", "queue-put", "lock", "event", "condition", "semaphore", "barrier",
    "executor", "io", "task", "future", "ready", "done",
)  # fmt: skip


class EventReader:
    """Reads the agent's records from the run's FIFO, as they come, without ever blocking."""

    def __init__(self, fifo: Path) -> None:
        os.mkfifo(fifo, 0o600)
        self.fifo = fifo
        self.fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        # Held open so that the reader never sees end-of-file between writers.
        self.keep = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        self.started_ms = 0.0  # set when the run starts: times are kept relative to it
        self.partial = b""
        self.events: list[list[Any]] = []
        self.dropped = 0
        self.taken = 0

    def read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            lines = (self.partial + chunk).split(b"\n")
            self.partial = lines.pop()
            for line in lines:
                self._add(line)

    def _add(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            self.dropped += 1
            return
        if not (isinstance(event, list) and len(event) >= 3 and event[0] in KINDS):
            self.dropped += 1
            return
        if event[0] == "D":
            self.dropped += int(event[3]) if len(event) > 3 else 0
        if len(self.events) >= MAX_EVENTS:
            self.dropped += 1
            return
        with contextlib.suppress(TypeError, ValueError):
            event[1] = round(event[1] / 1e6 - self.started_ms, 3)
            self.events.append(event)

    def take(self) -> list[list[Any]]:
        """The events read since the last call."""
        new = self.events[self.taken :]
        self.taken = len(self.events)
        return new

    def close(self) -> None:
        for fd in (self.fd, self.keep):
            with contextlib.suppress(OSError):
                os.close(fd)


def waits(events: list[list[Any]]) -> list[dict[str, Any]]:
    """Each wait as one span: thread, kind, object, site, line, owner, waker, start and end
    (None while it lasts: a thread still blocked when the run ended)."""
    open_waits: dict[tuple[int, int], dict[str, Any]] = {}
    spans = []
    for event in events:
        kind = event[0]
        if kind == "B":
            _, at, pid, tid, what, obj, site, line, owner, name = event[:10]
            span = {"pid": pid, "tid": tid, "kind": what, "object": obj, "site": site, "name": name}
            span |= {"line": line, "owner": owner, "waker": None, "start": at, "end": None}
            open_waits[(pid, tid)] = span
            spans.append(span)
        elif kind == "U" and (ended := open_waits.pop((event[2], event[3]), None)) is not None:
            ended["end"], ended["waker"] = event[1], event[6]
    return spans


def wait_for_cycle(events: list[list[Any]]) -> list[dict[str, Any]]:
    """The waits that form a cycle in the wait-for graph at the end of the run (thread →
    object → the thread that owns it → ...): a deadlock; empty when there is none."""
    blocked = {(w["pid"], w["tid"]): w for w in waits(events) if w["end"] is None}
    for start in blocked:
        path, seen, at = [], set(), start
        while at in blocked and at not in seen:
            seen.add(at)
            path.append(blocked[at])
            at = (at[0], blocked[at]["owner"])
        if at == start and len(path) > 1:
            return path
    return []


def tasks(events: list[list[Any]]) -> list[dict[str, Any]]:
    """Each asyncio task with its steps: pid, loop thread, name, site, coroutine, parent, when
    it was made and finished (None while it lasts), its outcome, and `steps` as
    `[start, end, awaits, line, target]` in milliseconds."""
    live: dict[tuple[int, int], dict[str, Any]] = {}  # the id is free again once a task is done
    found = []
    for event in events:
        kind = event[0]
        if kind == "K":
            _, at, pid, tid, task, name, site, coroutine, parent = event[:9]
            live[(pid, task)] = {
                "pid": pid, "tid": tid, "task": task, "name": name, "site": site,
                "coroutine": coroutine, "parent": parent, "start": at, "end": None,
                "outcome": None, "steps": [],
            }  # fmt: skip
            found.append(live[(pid, task)])
        elif kind == "S" and (known := live.get((event[2], event[4]))) is not None:
            _, at, _, _, _, took_us, awaits, line, target = event[:9]
            known["steps"].append([at, round(at + took_us / 1000, 3), awaits, line, target])
        elif kind == "F" and (known := live.pop((event[2], event[3]), None)) is not None:
            known["end"], known["outcome"] = event[1], event[4]
    return found
