"""Further tests: CPU-bound work, empty inputs, each item loaded exactly once."""

import os
import threading
import time
from collections import Counter

# As in test_visible.py, the learner's module is imported inside each test, so that the
# worker processes that import this module do not import joblib and dask too.


def count_primes(bounds):
    start, stop = bounds
    count = 0
    for n in range(max(start, 2), stop):
        if all(n % d for d in range(2, int(n**0.5) + 1)):
            count += 1
    return count, os.getpid()


def never_called(x):
    raise AssertionError(f"called with {x!r} for an empty input")


class Loader:
    def __init__(self, seconds=0.1):
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
        return len(item)


def test_cpu_bound_ranges_in_other_processes():
    from solution import map_in_processes

    ranges = [(i * 5_000, (i + 1) * 5_000) for i in range(6)]
    got = map_in_processes(count_primes, ranges, n_jobs=2)
    expected = [count_primes(bounds)[0] for bounds in ranges]
    counts = [count for count, _ in got]
    assert counts == expected, f"prime counts {counts!r}, expected {expected!r} (in order)"
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids, "the work ran in the test's own process, not in workers"


def test_empty_inputs():
    from solution import map_in_processes, total_with_dask

    assert map_in_processes(never_called, [], n_jobs=2) == [], "an empty input gives []"
    load = Loader()
    got = total_with_dask(load, [])
    assert not hasattr(got, "compute"), "total_with_dask([]) returned a lazy dask object"
    assert got == 0, f"total_with_dask(load, []) returned {got!r}, expected 0"
    assert load.calls == [], f"load was called for an empty input: {load.calls!r}"


def test_each_item_loaded_exactly_once():
    from solution import total_with_dask

    load = Loader()
    items = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh"]
    got = total_with_dask(load, items)
    assert not hasattr(got, "compute"), f"total_with_dask returned a lazy {type(got).__name__}"
    assert got == 36, f"total_with_dask returned {got!r}, expected 36"
    counts = Counter(load.calls)
    wrong = {item: counts[item] for item in items if counts[item] != 1}
    assert not wrong and len(load.calls) == len(items), (
        f"each item must be loaded exactly once; got the calls {load.calls!r}"
    )
    assert load.max_active >= 2, f"at most {load.max_active} load ran at a time"


def test_a_tuple_of_items_in_order():
    from solution import map_in_processes

    got = map_in_processes(count_primes, ((0, 100), (100, 200), (0, 10)), n_jobs=2)
    counts = [count for count, _ in got]
    assert counts == [25, 21, 4], f"got {counts!r}, expected [25, 21, 4] in input order"
