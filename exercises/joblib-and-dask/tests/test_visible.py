"""Tests you can see: worker processes, input order, overlapping loads in a dask graph."""

import multiprocessing
import os
import threading
import time

# The learner's module is imported inside the tests, not at the top: joblib's worker
# processes import this module to find the functions below by name, and need not import
# joblib and dask too.


def _start_the_workers():
    """Run the learner's pool once before the timed tests: on a busy machine, starting
    worker processes can take several seconds, which should not count against one test."""
    from solution import map_in_processes

    try:
        map_in_processes(abs, [-1, -2], n_jobs=2)
    except Exception:
        pass  # the tests report what is wrong


if multiprocessing.current_process().name == "MainProcess":  # not in a worker process
    _start_the_workers()


def where_am_i(x):
    time.sleep(0.25)  # long enough for both workers to take part
    return x, os.getpid()


def slow_first(x):
    time.sleep(0.8 if x == 0 else 0.05)  # the first item finishes last
    return x * x


class Loader:
    """A stand-in for reading a file: waits, then returns a number.

    It counts how many loads are in progress at once, and records every item it loads.
    """

    def __init__(self, seconds=0.2):
        self.seconds = seconds
        self.calls = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, item):
        with self._lock:
            self.calls.append(item)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        time.sleep(self.seconds)
        with self._lock:
            self.active -= 1
        return item * 10


def test_work_runs_in_worker_processes():
    from solution import map_in_processes

    got = map_in_processes(where_am_i, list(range(4)), n_jobs=2)
    assert isinstance(got, list), f"map_in_processes must return a list, got {type(got)!r}"
    values = [value for value, _ in got]
    assert values == list(range(4)), f"wrong results or order: {values!r}"
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids, (
        "some calls ran in the test's own process. n_jobs=1, or the threading backend, runs "
        "them here; use joblib's process-based loky backend with n_jobs worker processes"
    )


def test_results_keep_input_order():
    from solution import map_in_processes

    got = map_in_processes(slow_first, list(range(6)), n_jobs=2)
    expected = [x * x for x in range(6)]
    assert got == expected, (
        f"map_in_processes(slow_first, range(6)) returned {got!r}, expected {expected!r}. "
        "The first item finishes last, but its result must still come first."
    )


def test_both_workers_take_part():
    from solution import map_in_processes

    got = map_in_processes(where_am_i, list(range(8)), n_jobs=2)
    values = [value for value, _ in got]
    assert values == list(range(8)), f"wrong results or order: {values!r}"
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids, "some calls ran in the test's own process"
    assert len(pids) >= 2, (
        f"8 calls of 0.25 s each all ran in one process ({pids}); with n_jobs=2, two "
        "worker processes should share them"
    )


def test_dask_loads_overlap():
    from solution import total_with_dask

    load = Loader()
    items = [1, 2, 3, 4, 5, 6]
    got = total_with_dask(load, items)
    assert not hasattr(got, "compute"), (
        f"total_with_dask returned a lazy {type(got).__name__}: a dask graph does nothing "
        "until you call .compute() (or dask.compute) on it"
    )
    assert got == 210, f"total_with_dask(load, {items}) returned {got!r}, expected 210"
    assert load.max_active >= 2, (
        f"at most {load.max_active} load ran at a time: the loads did not overlap. Compute "
        "the whole graph once, with the threaded scheduler, instead of task by task"
    )
