"""Further tests: empty input, each id fetched once, a tuple of ids, a slow first id."""

import multiprocessing
import os
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from solution import fetch_and_crunch


class SlowFetch:
    def __init__(self, delays):
        self.delays = delays
        self.calls = []
        self._lock = threading.Lock()

    def __call__(self, item_id):
        with self._lock:
            self.calls.append(item_id)
        time.sleep(self.delays[item_id])
        return f"data-{item_id}"


def crunch(data):
    time.sleep(0.5)
    return (f"crunched-{data}", os.getpid())


def quick_crunch(data):
    return (f"crunched-{data}", os.getpid())


def warm_up(_):
    time.sleep(0.2)
    return os.getpid()


_pool = None


def shared_pool():
    """One pool of two worker processes for this module's tests, started on first use."""
    global _pool
    if _pool is None:
        pool = ProcessPoolExecutor(
            max_workers=2, mp_context=multiprocessing.get_context("forkserver")
        )
        _pool = pool, set(pool.map(warm_up, range(2)))
    return _pool


def test_empty_input():
    fetch = SlowFetch({})
    pool, _ = shared_pool()
    got = fetch_and_crunch([], fetch, quick_crunch, pool)
    assert got == [], f"fetch_and_crunch([], ...) returned {got!r}, expected []"
    assert fetch.calls == [], f"fetch was called for an empty input: {fetch.calls!r}"


def test_each_id_fetched_once_and_crunched_in_the_pool():
    ids = ("x", "y", "z", "w")
    fetch = SlowFetch({item_id: 0.05 for item_id in ids})
    pool, pool_pids = shared_pool()
    got = fetch_and_crunch(ids, fetch, quick_crunch, pool)
    counts = Counter(fetch.calls)
    assert all(counts[item_id] == 1 for item_id in ids) and len(fetch.calls) == 4, (
        f"each id must be fetched exactly once; fetch was called for {fetch.calls!r}"
    )
    assert [value for value, _ in got] == [f"crunched-data-{i}" for i in ids], f"got {got!r}"
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids and pids <= pool_pids, (
        f"crunch ran in {pids}, expected the pool's processes {pool_pids}, not this one"
    )


def test_slow_first_id_does_not_hold_back_the_others():
    # The FIRST id is the slow one: waiting for the fetches in input order before submitting
    # would leave the pool idle for 1.6 s.
    ids = ["first", "b", "c", "d", "e"]
    fetch = SlowFetch({"first": 1.6, "b": 0.1, "c": 0.15, "d": 0.1, "e": 0.15})
    pool, pool_pids = shared_pool()
    start = time.perf_counter()
    got = fetch_and_crunch(ids, fetch, crunch, pool)
    elapsed = time.perf_counter() - start
    assert [value for value, _ in got] == [f"crunched-data-{i}" for i in ids], f"got {got!r}"
    assert {pid for _, pid in got} <= pool_pids, "crunch must run in the pool's processes"
    assert elapsed < 2.6, (
        f"took {elapsed:.2f} s, expected about 2.1 s (the test allows 2.6 s): the items "
        "fetched quickly must be crunched while the slow first fetch is still waiting"
    )
