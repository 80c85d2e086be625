"""A run's trace in the Chrome Trace Event Format, which Perfetto and chrome://tracing open: the
runner's samples and the tracing agent's events (`app/trace/events.py`) as names, slices,
counters (CPU share, queue depth), flow arrows and async tracks."""

from __future__ import annotations

from typing import Any

from app.trace.events import tasks, waits

# What a thread did in a sampling interval spent outside every traced wait, named for Perfetto.
STATES = ("running", "runnable", "waiting for the GIL", "waiting on I/O", "sleeping")


def chrome_trace(document: dict[str, Any]) -> dict[str, Any]:
    """The trace in the Chrome Trace Event Format, which Perfetto and chrome://tracing open:
    process and thread names (the agent's names where it has them), a CPU-share counter per
    thread, one complete slice per wait, a flow arrow from the thread that released, set or fed
    the object to the thread it woke and from each thread or process to those it started, and
    an async track per asyncio task."""
    events: list[dict[str, Any]] = []
    agent = document.get("events", [])
    names = {e[3]: e[4] for e in agent if e[0] == "T"}
    pids, outer = {}, {}
    for thread in document["threads"]:
        pids[thread["tid"]] = thread["pid"]
        outer[thread.get("ns_tid", thread["tid"])] = thread["tid"]
        if thread["pid"] == thread["tid"]:
            events.append(
                {
                    "ph": "M",
                    "name": "process_name",
                    "pid": thread["pid"],
                    "args": {"name": f"python (pid {thread['pid']})"},
                }
            )
        name = names.get(thread.get("ns_tid"), thread["name"])
        events.append(
            {
                "ph": "M",
                "name": "thread_name",
                "pid": thread["pid"],
                "tid": thread["tid"],
                "args": {"name": f"{name} {thread['tid']}"},
            }
        )
    for at_ms, tid, cpu, runq, *_state in document["samples"]:
        events.append(
            {
                "ph": "C",
                "name": f"thread {tid}",
                "pid": pids.get(tid, 0),
                "ts": round(at_ms * 1000),
                "args": {"on CPU": cpu, "waiting for a CPU": runq},
            }
        )
    for event in agent:
        if event[0] == "Q":
            _, at, pid, obj, site, depth = event[:6]
            events.append(
                {
                    "ph": "C",
                    "name": f"queue {site or obj} depth",
                    "pid": outer.get(pid, pid),  # a main thread's id is its process's
                    "ts": round(at * 1000),
                    "args": {"items": depth},
                }
            )
    last = max([row[0] for row in document["samples"]] + [e[1] for e in agent] + [0])
    spans = waits(agent)
    for number, wait in enumerate(spans):
        tid = outer.get(wait["tid"])
        if tid is None:
            continue  # a thread too short-lived for the samples to see
        end = wait["end"] if wait["end"] is not None else last
        label = f"{wait['kind']} {wait['name']}".strip()
        where = {"pid": pids[tid], "tid": tid}
        events.append(
            {
                "ph": "X",
                "name": f"waits: {label}",
                "cat": "wait",
                "ts": round(wait["start"] * 1000),
                "dur": max(1, round(end * 1000) - round(wait["start"] * 1000)),
                **where,
                "args": {k: wait[k] for k in ("line", "site", "owner", "waker", "end")},
            }
        )
        waker = outer.get(wait["waker"] or -1)
        if waker is not None and wait["end"] is not None and waker != tid:
            flow = {"name": "wakes", "cat": "hand-off", "id": number, "ts": round(end * 1000)}
            events.append({"ph": "s", **flow, "pid": pids[waker], "tid": waker})
            events.append({"ph": "f", "bp": "e", **flow, **where})
    events.extend(_state_slices(document, spans, outer, last))
    events.extend(_start_arrows(agent, outer, pids))
    for task in tasks(agent):
        events.extend(_task_track(task, outer, pids, last))
    return {"traceEvents": events, "displayTimeUnit": "ms"}


def _state(row: list[Any], gil: bool) -> str:
    cpu, runq = row[2], row[3]
    if cpu + runq >= 0.5:
        return STATES[0] if cpu >= runq else STATES[1]
    waits_in = row[5] if len(row) > 5 else ""
    if gil and (waits_in == "futex" or row[4] == "R"):
        return STATES[2]
    return STATES[3] if waits_in == "io" else STATES[4]


def _state_slices(
    document: dict[str, Any], waited: list[dict[str, Any]], outer: dict[int, int], last: float
) -> list[dict[str, Any]]:
    """One slice per stretch of a thread in one state outside its traced waits, from the samples:
    running, runnable, waiting for the GIL (with the GIL on, asleep in a futex), on I/O, or
    sleeping. They are cut at the waits' edges, so that the slices of one thread never overlap."""
    agent = document.get("events", [])
    gil_of = {e[2]: bool(e[5]) for e in agent if e[0] == "P"}  # by the pid the process sees
    threads = {t["tid"]: t for t in document["threads"]}
    gil = {t["pid"]: gil_of.get(t.get("ns_tid", t["tid"]), False) for t in threads.values()
           if t["pid"] == t["tid"]}  # fmt: skip
    blocked: dict[int, list[tuple[float, float]]] = {}
    for wait in waited:
        tid = outer.get(wait["tid"])
        if tid is not None:
            end = wait["end"] if wait["end"] is not None else last
            blocked.setdefault(tid, []).append((wait["start"], end))
    rows: dict[int, list[list[Any]]] = {}
    for row in document["samples"]:
        rows.setdefault(row[1], []).append(row)
    out = []
    for tid, own in rows.items():
        thread = threads.get(tid)
        if thread is None:
            continue
        spans = sorted(blocked.get(tid, []))
        stretches: list[list[Any]] = []  # [start, end, state]
        previous = own[0][0] - 15
        for row in own:
            start, end, previous = previous, row[0], row[0]
            middle = (start + end) / 2
            if any(a <= middle <= b for a, b in spans):
                stretches.append([start, end, None])  # inside a wait: its own slice says so
                continue
            state = _state(row, gil.get(thread["pid"], False))
            if stretches and stretches[-1][2] == state and stretches[-1][1] == start:
                stretches[-1][1] = end
            else:
                stretches.append([start, end, state])
        for start, end, state in stretches:
            if state is None:
                continue
            for piece_start, piece_end in _outside(start, end, spans):
                ts, until = round(piece_start * 1000), round(piece_end * 1000)
                if until - ts >= 50:  # microseconds
                    out.append(
                        {
                            "ph": "X", "name": state, "cat": "state", "pid": thread["pid"],
                            "tid": tid, "ts": ts, "dur": until - ts,
                        }
                    )  # fmt: skip
    return out


def _outside(
    start: float, end: float, spans: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The parts of [start, end] outside every span (spans sorted by start)."""
    pieces = []
    for a, b in spans:
        if b <= start or a >= end:
            continue
        if a > start:
            pieces.append((start, a))
        start = max(start, b)
    if start < end:
        pieces.append((start, end))
    return pieces


def _start_arrows(
    agent: list[list[Any]], outer: dict[int, int], pids: dict[int, int]
) -> list[dict[str, Any]]:
    """Flow arrows from the thread that started a thread, and from the process that started a
    process, to the new one's main thread."""
    out = []
    for number, event in enumerate(agent):
        if event[0] == "T" and event[6]:
            source, target, cat = outer.get(event[6]), outer.get(event[3]), "thread-start"
        elif event[0] == "P" and event[3]:
            source, target, cat = outer.get(event[3]), outer.get(event[2]), "process-start"
        else:
            continue
        if source is None or target is None or source == target:
            continue
        flow = {"name": "starts", "cat": cat, "id": number, "ts": round(event[1] * 1000)}
        out.append({"ph": "s", **flow, "pid": pids[source], "tid": source})
        out.append({"ph": "f", "bp": "e", **flow, "pid": pids[target], "tid": target})
    return out


def _task_track(
    task: dict[str, Any], outer: dict[int, int], pids: dict[int, int], last: float
) -> list[dict[str, Any]]:
    """An asyncio task as an async track: its life, each step it ran, and what it awaited
    between steps, as nested begin/end pairs on one id."""
    tid = outer.get(task["tid"], task["tid"])
    track = {"cat": "asyncio", "id": f"{task['pid']}:{task['task']}", "pid": pids.get(tid, 0)}
    track["tid"] = tid
    end = task["end"] if task["end"] is not None else last
    out = [{"ph": "b", "name": f"task {task['name']}", "ts": round(task["start"] * 1000), **track,
            "args": {"coroutine": task["coroutine"], "site": task["site"],
                     "outcome": task["outcome"]}}]  # fmt: skip
    steps = task["steps"]
    for number, (start, stop, awaits, line, _target) in enumerate(steps):
        out.append({"ph": "b", "name": "running", "ts": round(start * 1000), **track})
        out.append({"ph": "e", "name": "running", "ts": round(stop * 1000), **track})
        if awaits not in ("done", "ready"):
            resumed = steps[number + 1][0] if number + 1 < len(steps) else end
            label = f"awaits {awaits}" + (f" at {line}" if line else "")
            out.append({"ph": "b", "name": label, "ts": round(stop * 1000), **track})
            out.append({"ph": "e", "name": label, "ts": round(resumed * 1000), **track})
    out.append({"ph": "e", "name": f"task {task['name']}", "ts": round(end * 1000), **track})
    return out
