"""Threads sampled from outside the run: the CPU samples tell threads that really run at once
(free-threaded 3.13t) from threads taking turns (the GIL of 3.13), and export to Perfetto."""

from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.interpreters import Interpreter
from app.main import create_app
from app.sandbox.execution import Isolation, Job, Sandbox
from app.settings import Settings
from tests.runner_support import assert_slices_nest, run_code, runner_settings

TWO_SPINNERS = """
import threading, time

def spin(seconds):
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1

workers = [threading.Thread(target=spin, args=(1.2,)) for _ in range(2)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print("done")
"""


def overlap(trace: dict[str, Any]) -> float:
    """The share of sampling intervals in which two threads were both mostly on a CPU."""
    busy: dict[float, int] = defaultdict(int)
    for at_ms, _tid, cpu, *_rest in trace["samples"]:
        busy[at_ms] += cpu > 0.6
    intervals = [count for count in busy.values()]
    return sum(count >= 2 for count in intervals) / max(len(intervals), 1)


def busy_intervals(trace: dict[str, Any]) -> int:
    busy: dict[float, float] = defaultdict(float)
    for at_ms, _tid, cpu, *_rest in trace["samples"]:
        busy[at_ms] += cpu
    return sum(total > 0.6 for total in busy.values())


@pytest.mark.parametrize("interpreter", ["3.13", "3.13t"])
def test_two_cpu_bound_threads_overlap_only_without_the_gil(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], interpreter: str
) -> None:
    job = Job("run", TWO_SPINNERS, interpreters[interpreter], Settings().limits("run"))
    outcome = sandbox.run(job, threading.Event())
    assert outcome.status == "passed", outcome.stderr
    trace = outcome.trace
    assert trace is not None and trace["version"] == 2
    assert len(trace["threads"]) >= 3  # the main thread and two workers
    assert busy_intervals(trace) > 40  # about 1.2 s of work, sampled every 15 ms
    share = overlap(trace)
    workers = {t["tid"] for t in trace["threads"] if t["tid"] != t["pid"]}
    # A worker off the CPU sleeps in a futex: with the GIL, on the GIL's condition variable.
    in_futex = [r for r in trace["samples"] if r[1] in workers and r[5] == "futex"]
    if interpreters[interpreter].gil_enabled:
        assert share < 0.2, f"with the GIL, both threads were on a CPU in {share:.0%}"
        assert len(in_futex) > 10, "with the GIL, the waiting worker sleeps in a futex"
    else:
        # Two cores, possibly shared with the rest of the machine: most, not all, intervals.
        assert share > 0.3, f"without the GIL, both threads were on a CPU in only {share:.0%}"


IO_WAIT = """
import socket, threading, time
a, b = socket.socketpair()

def reader():
    a.recv(1)

t = threading.Thread(target=reader, name="reader")
t.start()
time.sleep(0.5)
b.send(b"x")
t.join()
"""


def test_a_thread_blocked_on_a_socket_is_sampled_as_waiting_on_io(
    sandbox: Sandbox, interpreters: dict[str, Interpreter]
) -> None:
    job = Job("run", IO_WAIT, interpreters["3.13"], Settings().limits("run"))
    outcome = sandbox.run(job, threading.Event())
    assert outcome.status == "passed", outcome.stderr
    trace = outcome.trace
    assert trace is not None
    reader = next(e[3] for e in trace["events"] if e[0] == "T" and e[4] == "reader")
    [lane] = [t["tid"] for t in trace["threads"] if t["ns_tid"] == reader]
    kinds = [row[5] for row in trace["samples"] if row[1] == lane]
    assert kinds.count("io") > 10, kinds  # about half a second in recv, sampled every 15 ms
    main = [row[5] for row in trace["samples"] if row[1] == trace["threads"][0]["tid"]]
    assert "io" not in main and "sleep" in main  # the main thread sleeps, then joins


def test_the_trace_exports_to_the_chrome_trace_format(tmp_path: Path) -> None:
    with TestClient(create_app(runner_settings(tmp_path))) as client:
        run = run_code(client, TWO_SPINNERS.replace("1.2", "0.3"))
        response = client.get(f"/api/runs/{run['id']}/trace.json")
        assert response.status_code == 200
        events = response.json()["traceEvents"]
        names = [e for e in events if e["ph"] == "M" and e["name"] == "thread_name"]
        assert len(names) >= 3
        counters = [e for e in events if e["ph"] == "C"]
        assert counters and all("on CPU" in e["args"] for e in counters)
        assert all(e["ts"] >= 0 for e in counters)
        # Each thread's states as slices: under the GIL, the spinners run and wait for it.
        states = {e["name"] for e in events if e.get("cat") == "state"}
        assert {"running", "waiting for the GIL"} <= states, states
        assert_slices_nest(events)
        stranger = TestClient(client.app)
        assert stranger.get(f"/api/runs/{run['id']}/trace.json").status_code == 404


def test_a_run_is_followed_through_proc_where_it_has_no_cgroup(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    # In a container that cannot hand cgroups to runs, the sampler walks the process tree.
    without_cgroups = Sandbox(Isolation(sandbox.isolation.bwrap, None), tmp_path / "runs")
    code = (
        "import os, time\n"
        "pid = os.fork()\n"
        "end = time.monotonic() + 0.5\n"
        "while time.monotonic() < end: pass\n"
        "if pid: os.waitpid(pid, 0)\n"
    )
    job = Job("run", code, interpreters["3.13"], Settings().limits("run"))
    outcome = without_cgroups.run(job, threading.Event())
    assert outcome.status == "passed", outcome.stderr
    assert outcome.trace is not None
    processes = {thread["pid"] for thread in outcome.trace["threads"]}
    assert len(processes) == 2, outcome.trace["threads"]
    sampled = {row[1] for row in outcome.trace["samples"]}
    assert processes <= sampled  # each process's main thread, sampled while it ran
