"""Tests you can see: results in order, crunched in the pool's processes, overlapping work."""

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from solution import fetch_and_crunch

# crunch and warm_up live at the top level of this module, so that the pool's worker
# processes can find them by name.


class SlowFetch:
    """A stand-in for a download: waits for a set time per id, then returns some data."""

    def __init__(self, delays):
        self.delays = delays  # id -> seconds to wait
        self.calls = []
        self._lock = threading.Lock()

    def __call__(self, item_id):
        with self._lock:
            self.calls.append(item_id)
        time.sleep(self.delays[item_id])
        return f"data-{item_id}"


def crunch(data):
    """Stands for CPU work: occupies one worker process for 0.5 s."""
    time.sleep(0.5)
    return (f"crunched-{data}", os.getpid())


def quick_crunch(data):
    return (f"crunched-{data}", os.getpid())


def warm_up(_):
    time.sleep(0.2)  # keeps one worker busy, so that the next task starts another one
    return os.getpid()


_pool = None


def shared_pool():
    """One pool of two worker processes for this module's tests, started on first use.

    forkserver: the workers are never forked from this multi-threaded process.
    """
    global _pool
    if _pool is None:
        pool = ProcessPoolExecutor(
            max_workers=2, mp_context=multiprocessing.get_context("forkserver")
        )
        _pool = pool, set(pool.map(warm_up, range(2)))
    return _pool


def check(ids, got, pool_pids):
    expected = [f"crunched-data-{item_id}" for item_id in ids]
    assert isinstance(got, list), f"fetch_and_crunch must return a list, got {type(got).__name__}"
    values = [value for value, _ in got]
    assert values == expected, (
        f"results {values!r}, expected {expected!r}: one result per id, in the order of ids"
    )
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids, (
        "crunch ran in the test's own process (in your threads, probably). The CPU work must "
        "run in process_pool: process_pool.submit(crunch, data)"
    )
    assert pids <= pool_pids, f"crunch ran in processes {pids} that are not the pool's {pool_pids}"


def test_results_in_input_order():
    ids = [3, 1, 2]
    fetch = SlowFetch({3: 0.3, 1: 0.1, 2: 0.2})
    pool, pool_pids = shared_pool()
    got = fetch_and_crunch(ids, fetch, quick_crunch, pool)
    check(ids, got, pool_pids)
    assert sorted(fetch.calls) == sorted(ids), f"fetch was called for {fetch.calls!r}"


def test_fetches_run_at_the_same_time():
    ids = [10, 11, 12, 13, 14, 15]
    fetch = SlowFetch({item_id: 0.4 for item_id in ids})
    pool, pool_pids = shared_pool()
    start = time.perf_counter()
    got = fetch_and_crunch(ids, fetch, quick_crunch, pool)
    elapsed = time.perf_counter() - start
    check(ids, got, pool_pids)
    assert elapsed < 1.5, (
        f"6 fetches of 0.4 s took {elapsed:.2f} s in all; with every fetch in its own thread "
        "they overlap and take a little over 0.4 s (the test allows 1.5 s; one at a time "
        "needs 2.4 s)"
    )


def test_crunching_overlaps_the_slow_fetch():
    # One slow fetch (1.6 s) and four quick ones (0.1 s); each crunch takes 0.5 s in one of
    # two processes. Crunching each item as soon as it arrives: the four quick ones are done
    # while the slow fetch is still waiting, and the total is about 1.6 + 0.5 = 2.1 s.
    # Fetching everything first and crunching afterwards: 1.6 + 3 rounds of 0.5 = 3.1 s.
    ids = ["a", "b", "c", "d", "slow"]
    fetch = SlowFetch({"slow": 1.6, "a": 0.1, "b": 0.1, "c": 0.1, "d": 0.1})
    pool, pool_pids = shared_pool()
    start = time.perf_counter()
    got = fetch_and_crunch(ids, fetch, crunch, pool)
    elapsed = time.perf_counter() - start
    check(ids, got, pool_pids)
    assert elapsed < 2.6, (
        f"took {elapsed:.2f} s; submitting each item to the pool as soon as it has been "
        "fetched takes about 2.1 s, while waiting for every fetch before crunching anything "
        "takes about 3.1 s (the test allows 2.6 s). Submit from the thread that fetched it, "
        "or with a done-callback."
    )
