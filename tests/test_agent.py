"""The tracing agent inside real runs, under both interpreters: waits on a lock with its owner
and hand-off, queue waits of a producer and a consumer, every process of a pool under each
start method, a deadlock's cycle, and a program that cannot tell it is traced."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.interpreters import Interpreter
from app.main import create_app
from app.sandbox.execution import Job, Outcome, Sandbox
from app.sandbox.limits import Limits
from app.trace.events import tasks, wait_for_cycle, waits
from tests.runner_support import assert_slices_nest, run_code, runner_settings

INTERPRETERS = ["3.13", "3.13t"]


def run(sandbox: Sandbox, interpreter: Interpreter, code: str, wall_seconds: float = 10) -> Outcome:
    job = Job("run", code, interpreter, Limits(wall_seconds=wall_seconds))
    outcome = sandbox.run(job, threading.Event())
    assert outcome.trace is not None
    return outcome


def threads_by_name(events: list[list[Any]]) -> dict[str, int]:
    return {e[4]: e[3] for e in events if e[0] == "T"}


HAND_OFF = """
import threading, time
lock = threading.Lock()

def holder():
    with lock:
        time.sleep(0.3)

t = threading.Thread(target=holder, name="holder")
t.start()
time.sleep(0.1)
with lock:
    print("main got the lock")
t.join()
"""


@pytest.mark.parametrize("primitive", ["Lock", "RLock"])
@pytest.mark.parametrize("name", INTERPRETERS)
def test_a_contended_lock_shows_the_wait_its_owner_and_the_hand_off(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str, primitive: str
) -> None:
    outcome = run(sandbox, interpreters[name], HAND_OFF.replace("Lock()", f"{primitive}()"))
    assert outcome.status == "passed", outcome.stderr
    events = outcome.trace["events"]  # type: ignore[index]
    tids = threads_by_name(events)
    holder, main = tids["holder"], tids["MainThread"]
    lock_waits = [w for w in waits(events) if w["kind"] == primitive.lower()]
    assert len(lock_waits) == 1, lock_waits
    wait = lock_waits[0]
    assert (wait["tid"], wait["owner"], wait["waker"]) == (main, holder, holder)
    assert (wait["site"], wait["line"], wait["name"]) == ("main.py:3", "main.py:12", "lock")
    assert 100 < wait["end"] - wait["start"] < 2000  # the holder kept it about 0.2 s more
    # The samples' threads carry the same ids, so lanes and events meet.
    assert {holder, main} <= {t["ns_tid"] for t in outcome.trace["threads"]}  # type: ignore[index]
    processes = [e for e in events if e[0] == "P"]
    assert [p[4] for p in processes] == ["main"]
    assert processes[0][5] is interpreters[name].gil_enabled


PRODUCER_CONSUMER = """
import queue, threading, time
jobs = queue.Queue(maxsize=2)

def producer():
    for i in range(6):
        jobs.put(i)
    jobs.put(None)

def consumer():
    while (item := jobs.get()) is not None:
        time.sleep(0.05)

threads = [threading.Thread(target=producer, name="producer"),
           threading.Thread(target=consumer, name="consumer")]
for t in threads: t.start()
for t in threads: t.join()
print("done")
"""


@pytest.mark.parametrize("name", INTERPRETERS)
def test_a_bounded_queue_shows_the_producer_and_consumer_waits(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str
) -> None:
    outcome = run(sandbox, interpreters[name], PRODUCER_CONSUMER)
    assert outcome.status == "passed", outcome.stderr
    events = outcome.trace["events"]  # type: ignore[index]
    tids = threads_by_name(events)
    spans = waits(events)
    puts = [w for w in spans if w["kind"] == "queue-put"]
    assert puts and all(w["tid"] == tids["producer"] for w in puts)
    assert all(w["site"] == "main.py:3" for w in puts), puts
    assert {w["line"] for w in puts} <= {"main.py:7", "main.py:8"}, puts
    assert any(w["waker"] == tids["consumer"] for w in puts)  # the consumer made room
    sleeps = [w for w in spans if w["kind"] == "sleep"]
    assert len(sleeps) == 6 and all(w["tid"] == tids["consumer"] for w in sleeps)
    depths = [e[5] for e in events if e[0] == "Q" and e[4] == "main.py:3"]
    assert depths and max(depths) == 2 and all(0 <= d <= 2 for d in depths), depths
    ends = {e[3]: e[4] for e in events if e[0] == "E"}
    assert ends == {tids["producer"]: "ok", tids["consumer"]: "ok"}


POOL = """
import os, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp

def square(n):
    time.sleep(0.01)  # long enough a life for the sampler, every 15 ms, to see each worker
    return n * n

if __name__ == "__main__":
    with ProcessPoolExecutor(2, mp_context=mp.get_context("{method}")) as pool:
        print(sum(pool.map(square, range(20))))
"""


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_every_process_of_a_pool_is_traced_under_each_start_method(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], method: str
) -> None:
    outcome = run(sandbox, interpreters["3.13t"], POOL.replace("{method}", method))
    assert outcome.status == "passed", outcome.stderr
    assert outcome.stdout == "2470\n"
    events = outcome.trace["events"]  # type: ignore[index]
    started = {e[2]: e[4] for e in events if e[0] == "P"}
    assert list(started.values()).count("main") == 1
    assert list(started.values()).count(method) >= 2, started  # both workers
    # The forkserver itself is a Python the main process starts, its workers its forks.
    main_pid = next(pid for pid, how in started.items() if how == "main")
    workers = [e for e in events if e[0] == "P" and e[4] == method]
    assert all(e[3] != 0 for e in workers)
    if method != "forkserver":
        assert all(e[3] == main_pid for e in workers)
    sampled = {t["pid"] for t in outcome.trace["threads"]}  # type: ignore[index]
    assert len(sampled) >= 3, "the main process and both workers were sampled"


DEADLOCK = """
import threading, time
a, b = threading.Lock(), threading.Lock()

def one():
    with a:
        time.sleep(0.2)
        with b:
            pass

def two():
    with b:
        time.sleep(0.2)
        with a:
            pass

threads = [threading.Thread(target=one, name="one"), threading.Thread(target=two, name="two")]
for t in threads: t.start()
for t in threads: t.join()
"""


@pytest.mark.parametrize("name", INTERPRETERS)
def test_a_deadlock_is_seen_as_a_cycle_while_it_lasts(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str
) -> None:
    outcome = run(sandbox, interpreters[name], DEADLOCK, wall_seconds=2)
    assert outcome.status == "timeout"
    events = outcome.trace["events"]  # type: ignore[index]
    tids = threads_by_name(events)
    cycle = wait_for_cycle(events)
    assert {w["tid"] for w in cycle} == {tids["one"], tids["two"]}
    assert {(w["tid"], w["owner"]) for w in cycle} == {
        (tids["one"], tids["two"]),
        (tids["two"], tids["one"]),
    }
    assert {(w["line"], w["name"]) for w in cycle} == {("main.py:8", "b"), ("main.py:14", "a")}
    assert all(w["end"] is None for w in cycle)
    main_wait = [w for w in waits(events) if w["tid"] == tids["MainThread"]][-1]
    assert main_wait["kind"] == "join" and main_wait["end"] is None


UNAWARE = """
import pickle, subprocess, sys, threading, time
print(threading.active_count(), [t.name for t in threading.enumerate()])
print(pickle.loads(pickle.dumps(time.sleep)) is time.sleep, threading.Lock.__name__)
lock, rlock = threading.Lock(), threading.RLock()
cond = threading.Condition(lock)
with cond:
    cond.notify_all()
with rlock, rlock:
    pass
print(lock.acquire(False), lock.acquire(False), lock.locked())
lock.release()
done = subprocess.run([sys.executable, "-c", "print('child ok')"], capture_output=True, text=True)
print(done.stdout.strip())
"""


@pytest.mark.parametrize("name", INTERPRETERS)
def test_a_traced_program_behaves_as_untraced_and_its_python_children_are_traced(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str
) -> None:
    outcome = run(sandbox, interpreters[name], UNAWARE)
    assert outcome.status == "passed", outcome.stderr
    assert outcome.stdout == "1 ['MainThread']\nTrue Lock\nTrue False True\nchild ok\n"
    assert outcome.stderr == ""
    started = [e[4] for e in outcome.trace["events"] if e[0] == "P"]  # type: ignore[index]
    assert started == ["main", "exec"]


def test_the_perfetto_export_has_a_slice_per_wait_and_a_hand_off_arrow(tmp_path: Path) -> None:
    with TestClient(create_app(runner_settings(tmp_path))) as client:
        run = run_code(client, HAND_OFF, interpreter="3.13t")
        assert run["status"] == "passed", run
        events = client.get(f"/api/runs/{run['id']}/trace.json").json()["traceEvents"]
    names = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert any(name.startswith("holder ") for name in names), names
    slices = [e for e in events if e["ph"] == "X" and e["name"] == "waits: lock lock"]
    assert len(slices) == 1 and slices[0]["args"]["line"] == "main.py:12"
    assert slices[0]["dur"] > 50_000  # microseconds
    start, finish = [e for e in events if e["ph"] == "s"], [e for e in events if e["ph"] == "f"]
    lock_flow = [f for f in finish if f["tid"] == slices[0]["tid"]]
    assert lock_flow and lock_flow[0]["id"] in {s["id"] for s in start}
    # The main thread started the holder: an arrow from one to the other.
    started = [e for e in events if e.get("cat") == "thread-start"]
    assert [e["ph"] for e in started] == ["s", "f"]
    assert started[0]["tid"] == slices[0]["tid"] != started[1]["tid"]
    assert_slices_nest(events)  # the waits and the states between them


ASYNC_TASKS = """
import asyncio, time

async def fetch(n):
    await asyncio.sleep(0.05 * n)
    return n

async def crunch():
    time.sleep(0.1)  # blocks the event loop: every other task waits

async def fail():
    await asyncio.sleep(0.01)
    raise ValueError("no")

async def main():
    fetches = [asyncio.create_task(fetch(n), name=f"fetch-{n}") for n in (1, 2)]
    await asyncio.create_task(crunch(), name="crunch")
    print(await asyncio.gather(*fetches))
    try:
        await asyncio.create_task(fail(), name="fail")
    except ValueError:
        print("failed")

asyncio.run(main())
"""


@pytest.mark.parametrize("name", INTERPRETERS)
def test_asyncio_tasks_get_lanes_with_their_steps_awaits_parents_and_outcomes(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str
) -> None:
    outcome = run(sandbox, interpreters[name], ASYNC_TASKS)
    assert outcome.status == "passed", outcome.stderr
    assert outcome.stdout == "[1, 2]\nfailed\n"
    events = outcome.trace["events"]  # type: ignore[index]
    found = {t["name"]: t for t in tasks(events)}
    assert set(found) == {"Task-1", "fetch-1", "fetch-2", "crunch", "fail"}, found
    main = found["Task-1"]
    assert (main["coroutine"], main["site"], main["parent"]) == ("main", "main.py:24", 0)
    for task in ("fetch-1", "fetch-2", "crunch", "fail"):
        assert found[task]["parent"] == main["task"]
        assert found[task]["tid"] == main["tid"]  # one event loop, one thread
    assert found["fetch-1"]["site"] == "main.py:16"
    first = found["fetch-2"]["steps"][0]
    assert first[2:4] == ["sleep", "main.py:5"], first
    # The blocking call is one long step, the main task awaits that task meanwhile.
    [blocking] = found["crunch"]["steps"]
    assert blocking[1] - blocking[0] >= 90 and blocking[2] == "done"
    awaiting = [s for s in main["steps"] if s[2] == "task"]
    assert awaiting[0][3:] == ["main.py:17", found["crunch"]["task"]], main["steps"]
    sleeps = [w for w in waits(events) if w["kind"] == "sleep" and w["line"] == "main.py:9"]
    assert len(sleeps) == 1 and blocking[0] <= sleeps[0]["start"] <= sleeps[0]["end"] <= blocking[1]
    outcomes = {task: found[task]["outcome"] for task in found}
    assert outcomes == {
        "Task-1": "ok", "fetch-1": "ok", "fetch-2": "ok", "crunch": "ok", "fail": "ValueError"
    }  # fmt: skip
    assert all(t["end"] is not None and t["end"] >= t["steps"][-1][1] - 1 for t in found.values())


FUTURES = """
import time
from concurrent.futures import ThreadPoolExecutor

def slow():
    time.sleep(0.2)
    return 42

with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as pool:
    fut = pool.submit(slow)
    print(fut.result())
    time.sleep(0.1)  # meanwhile the idle worker waits for work
"""


@pytest.mark.parametrize("name", INTERPRETERS)
def test_a_future_wait_names_the_future_and_the_worker_that_finished_it(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str
) -> None:
    outcome = run(sandbox, interpreters[name], FUTURES)
    assert outcome.status == "passed", outcome.stderr
    events = outcome.trace["events"]  # type: ignore[index]
    tids = threads_by_name(events)
    spans = waits(events)
    [result] = [w for w in spans if w["kind"] == "future"]
    assert (result["tid"], result["name"], result["line"]) == (
        tids["MainThread"],
        "fut",
        "main.py:11",
    )
    assert result["waker"] == tids["worker_0"]
    assert 100 < result["end"] - result["start"] < 2000
    idle = [w for w in spans if w["kind"] == "queue-get" and w["tid"] == tids["worker_0"]]
    assert idle and idle[0]["start"] > result["start"], spans  # waiting for the next job


PIPES = """
import multiprocessing as mp, time

def child(conn, results):
    time.sleep(0.2)
    conn.send("hello")
    time.sleep(0.2)
    results.put("done")

if __name__ == "__main__":
    parent_end, child_end = mp.Pipe()
    results = mp.Queue()
    p = mp.Process(target=child, args=(child_end, results))
    p.start()
    print(parent_end.recv())
    print(results.get())
    p.join()
"""


@pytest.mark.parametrize("name", INTERPRETERS)
def test_multiprocessing_pipe_and_queue_waits_are_recorded_with_their_names(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], name: str
) -> None:
    outcome = run(sandbox, interpreters[name], PIPES)
    assert outcome.status == "passed", outcome.stderr
    assert outcome.stdout == "hello\ndone\n"
    events = outcome.trace["events"]  # type: ignore[index]
    main_pid = next(e[2] for e in events if e[0] == "P" and e[4] == "main")
    spans = [w for w in waits(events) if w["pid"] == main_pid]
    [pipe] = [w for w in spans if w["kind"] == "pipe"]
    assert (pipe["name"], pipe["line"]) == ("parent_end", "main.py:15")
    [got] = [w for w in spans if w["kind"] == "mp-queue-get"]
    assert (got["name"], got["site"], got["line"]) == ("results", "main.py:12", "main.py:16")
    assert pipe["end"] - pipe["start"] > 100 and got["end"] - got["start"] > 100
    assert pipe["end"] <= got["start"]


def test_the_perfetto_export_has_an_async_track_per_task(tmp_path: Path) -> None:
    with TestClient(create_app(runner_settings(tmp_path))) as client:
        run = run_code(client, ASYNC_TASKS, interpreter="3.13")
        assert run["status"] == "passed", run
        events = client.get(f"/api/runs/{run['id']}/trace.json").json()["traceEvents"]
    tracks: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event.get("cat") == "asyncio":
            tracks.setdefault(event["id"], []).append(event)
    lives = {e["name"]: e for track in tracks.values() for e in track if e["ph"] == "b"}
    assert {"task Task-1", "task fetch-1", "task fetch-2", "task crunch", "task fail"} <= set(lives)
    assert lives["task fail"]["args"]["outcome"] == "ValueError"
    for track in tracks.values():  # begin and end pairs nest on each track
        depth = 0
        for event in track:
            depth += 1 if event["ph"] == "b" else -1
            assert depth >= 0
        assert depth == 0
    fetch = next(t for t in tracks.values() if t[0]["name"] == "task fetch-2")
    assert any(e["name"] == "awaits sleep at main.py:5" for e in fetch)
