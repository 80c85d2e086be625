"""Tests you can see: small results, results too large for the pipe, the locked counter."""

import multiprocessing
import os
import threading
import time

from solution import run_workers

# Everything a child process needs lives at the top level of this module, so that it can be
# found by name under every start method.


class SlowCounter:
    """A stand-in for multiprocessing.Value("i", 0): it has .value and .get_lock().

    Reading .value takes 20 ms, as if the process were interrupted between reading the
    counter and writing it back. So `progress.value += 1` loses updates whenever two
    processes do it at the same time without holding get_lock().
    """

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


def square(item):
    return (os.getpid(), item * item)


def big_payload(item):
    # 300,000 characters: far more than a pipe holds (64 KiB on Linux).
    return (os.getpid(), str(item % 10) * 300_000)


def stop_children():
    """Kill and reap every child process still alive; return the ones that were."""
    alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
    for child in alive:
        child.join(1.0)
    return alive


def call_guarded(chunks, work, progress, limit=3.0):
    """Call run_workers in a watched thread; return its result, or fail clearly if it hangs."""
    box = {}

    def call():
        try:
            box["result"] = run_workers(chunks, work, progress)
        except BaseException as error:  # re-raised below, in the test's own thread
            box["error"] = error

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(limit)
    if caller.is_alive():
        stop_children()  # frees whatever the call is waiting for
        raise AssertionError(
            f"run_workers had not returned after {limit:g} s, so the test killed its worker "
            "processes. A worker cannot exit until everything it put on the queue has been "
            "written into the pipe, and a pipe holds little: if you join() the workers before "
            "reading their results, both sides wait for each other. Read until you have one "
            "sentinel per worker, then join."
        )
    alive = stop_children()
    if "error" in box:
        raise box["error"]
    assert not alive, (
        f"{len(alive)} worker process(es) still alive after run_workers returned: join "
        "every process you start before returning"
    )
    return box["result"]


def check_results(chunks, got, expected_values):
    expected_items = sorted(item for chunk in chunks for item in chunk)
    assert isinstance(got, dict), f"run_workers must return a dict, got {type(got).__name__}"
    missing = [item for item in expected_items if item not in got]
    assert not missing, (
        f"no result for items {missing!r}; got results for {sorted(got)!r}. Keep reading "
        "until every worker has sent its sentinel."
    )
    assert sorted(got) == expected_items, f"unexpected items in the result: {sorted(got)!r}"
    for item in expected_items:
        _, value = got[item]
        assert value == expected_values(item), f"wrong result for item {item!r}"
    parent = os.getpid()
    for index, chunk in enumerate(chunks):
        pids = {got[item][0] for item in chunk}
        assert parent not in pids, (
            f"work() ran in the test's own process for chunk {index}: start a "
            "multiprocessing.Process per chunk and call work() there"
        )
        assert len(pids) <= 1, f"the items of chunk {index} ran in several processes: {pids}"
    chunk_pids = [got[chunk[0]][0] for chunk in chunks if chunk]
    assert len(set(chunk_pids)) == len(chunk_pids), (
        "two chunks ran in the same process: start one process per chunk"
    )


def test_small_results_from_two_workers():
    chunks = [[1, 2, 3], [4, 5, 6]]
    progress = multiprocessing.Value("i", 0)
    got = call_guarded(chunks, square, progress)
    check_results(chunks, got, lambda item: item * item)
    assert progress.value == 6, f"progress.value is {progress.value}, expected 6 (one per item)"


def test_results_too_large_for_the_pipe():
    chunks = [[1, 2], [3, 4]]
    progress = multiprocessing.Value("i", 0)
    got = call_guarded(chunks, big_payload, progress)
    check_results(chunks, got, lambda item: str(item % 10) * 300_000)
    assert progress.value == 4, f"progress.value is {progress.value}, expected 4"


def test_counter_is_updated_under_its_lock():
    chunks = [list(range(1, 11)), list(range(11, 21))]
    progress = SlowCounter()
    got = call_guarded(chunks, square, progress, limit=6.0)
    check_results(chunks, got, lambda item: item * item)
    total = progress.read()
    assert total == 20, (
        f"progress ended at {total}, expected 20: {20 - total} increments were lost. "
        "progress.value += 1 reads, adds and writes; another process can write in between. "
        "Hold progress.get_lock() around the whole update."
    )
