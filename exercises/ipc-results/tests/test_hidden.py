"""Further tests: a worker that finishes last, an empty chunk, no chunks, three workers."""

import multiprocessing
import os
import threading
import time

from solution import run_workers


class SlowCounter:
    """A stand-in for multiprocessing.Value("i", 0) whose reads take 20 ms (see the visible
    tests): an unlocked `progress.value += 1` in two processes at once loses updates."""

    def __init__(self):
        self._shared = multiprocessing.Value("i", 0)

    def get_lock(self):
        return self._shared.get_lock()

    @property
    def value(self):
        current = self._shared.value
        time.sleep(0.02)
        return current

    @value.setter
    def value(self, new):
        self._shared.value = new

    def read(self):
        return self._shared.value


def slow_above_100(item):
    if item >= 100:
        time.sleep(0.3)  # this chunk's worker finishes well after the other one
    return (os.getpid(), item + 1)


def cube(item):
    return (os.getpid(), item**3)


def big_payload(item):
    return (os.getpid(), chr(ord("a") + item % 26) * 200_000)


def stop_children():
    alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
    for child in alive:
        child.join(1.0)
    return alive


def call_guarded(chunks, work, progress, limit=3.0):
    box = {}

    def call():
        try:
            box["result"] = run_workers(chunks, work, progress)
        except BaseException as error:
            box["error"] = error

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(limit)
    if caller.is_alive():
        stop_children()
        raise AssertionError(
            f"run_workers had not returned after {limit:g} s, so the test killed its worker "
            "processes. Either it joined the workers before reading their results (they "
            "cannot exit while their results are still waiting to enter the pipe), or it "
            "is waiting for a message that never comes."
        )
    alive = stop_children()
    if "error" in box:
        raise box["error"]
    assert not alive, f"{len(alive)} worker process(es) still alive after run_workers returned"
    return box["result"]


def values(got):
    return {item: value for item, (_, value) in got.items()}


def test_the_worker_that_finishes_last_is_not_lost():
    chunks = [[1, 2], [101, 102]]
    progress = multiprocessing.Value("i", 0)
    got = call_guarded(chunks, slow_above_100, progress)
    expected = {1: 2, 2: 3, 101: 102, 102: 103}
    assert values(got) == expected, (
        f"got {values(got)!r}, expected {expected!r}. The first sentinel only means that ONE "
        "worker is done: keep reading until you have one sentinel per worker."
    )
    assert progress.value == 4, f"progress.value is {progress.value}, expected 4"


def test_an_empty_chunk_still_ends_with_a_sentinel():
    chunks = [[1, 2], [], [3]]
    progress = multiprocessing.Value("i", 0)
    got = call_guarded(chunks, cube, progress)
    assert values(got) == {1: 1, 2: 8, 3: 27}, f"got {values(got)!r}"
    assert progress.value == 3, f"progress.value is {progress.value}, expected 3"


def test_no_chunks():
    progress = multiprocessing.Value("i", 0)
    got = call_guarded([], cube, progress)
    assert got == {}, f"run_workers([], ...) returned {got!r}, expected {{}}"


def test_three_workers_with_large_results():
    chunks = [[0, 1], [2, 3], [4]]
    progress = multiprocessing.Value("i", 0)
    got = call_guarded(chunks, big_payload, progress)
    expected = {item: chr(ord("a") + item) * 200_000 for item in range(5)}
    assert sorted(got) == sorted(expected), f"results for {sorted(got)!r}, expected 0..4"
    assert values(got) == expected, "a large result arrived changed"
    pids = {got[item][0] for item in got}
    assert os.getpid() not in pids and len(pids) == 3, f"expected 3 worker processes: {pids}"
    assert progress.value == 5, f"progress.value is {progress.value}, expected 5"


def test_counter_with_uneven_chunks():
    chunks = [list(range(12)), list(range(100, 108))]
    progress = SlowCounter()
    got = call_guarded(chunks, cube, progress, limit=6.0)
    assert len(got) == 20, f"expected 20 results, got {len(got)}"
    total = progress.read()
    assert total == 20, (
        f"progress ended at {total}, expected 20: {20 - total} increments were lost. "
        "Hold progress.get_lock() around progress.value += 1."
    )
