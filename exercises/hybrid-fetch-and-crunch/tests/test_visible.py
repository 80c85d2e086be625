"""Tests you can see: results written in order by one writer thread, fetches overlapping in
threads, and the CPU work done in the worker processes."""

import multiprocessing
import os
import threading
import time

from solution import run_pipeline

# crunch lives at the top level of this module, so that the worker processes can find it
# by name.


def crunch(data):
    """Stands for CPU work: 0.05 s, then the result and the process it was computed in."""
    time.sleep(0.05)
    return data.upper(), os.getpid()


class Tracker:
    """Fetches and writes, recording how many fetches overlap, when each stage ran and in
    which thread."""

    def __init__(self, delays):
        self.delays = delays  # key -> seconds its fetch waits
        self.lock = threading.Lock()
        self.fetching = 0
        self.most_fetching = 0
        self.fetched = []
        self.fetch_threads = set()
        self.last_fetch_end = 0.0
        self.written = []
        self.write_threads = set()
        self.first_write = None

    def fetch(self, key):
        with self.lock:
            self.fetching += 1
            self.most_fetching = max(self.most_fetching, self.fetching)
            self.fetched.append(key)
            self.fetch_threads.add(threading.get_ident())
        time.sleep(self.delays[key])
        with self.lock:
            self.fetching -= 1
            self.last_fetch_end = max(self.last_fetch_end, time.perf_counter())
        return f"data-{key}"

    def write(self, key, result):
        with self.lock:
            if self.first_write is None:
                self.first_write = time.perf_counter()
            self.written.append((key, result))
            self.write_threads.add(threading.get_ident())


_hung = []


def call_with_deadline(function, seconds=6.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`.

    Returns (value, elapsed seconds, threads left running, child processes still alive,
    the runner thread's id).
    """
    assert not _hung, "not run: an earlier call of run_pipeline in this file never returned"
    outcome = {}
    before = set(threading.enumerate())

    def runner():
        started = time.perf_counter()
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
        outcome["elapsed"] = time.perf_counter() - started
        outcome["threads"] = [t.name for t in threading.enumerate() if t not in before]
        outcome["children"] = multiprocessing.active_children()

    thread = threading.Thread(target=runner, daemon=True)
    before.add(thread)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _hung.append(True)
    assert not thread.is_alive(), (
        f"run_pipeline did not return within {seconds:g} s. Does every fetch thread get a "
        "sentinel (one per thread), and does the writer get its own after the fetchers end?"
    )
    if "error" in outcome:
        raise outcome["error"]
    return (
        outcome["value"],
        outcome["elapsed"],
        outcome["threads"],
        outcome["children"],
        thread.ident,
    )


def test_results_are_written_in_key_order_by_one_writer_thread():
    # Key 0 is slow to fetch, so the later keys are ready first.
    delays = {key: 0.3 if key == 0 else 0.02 for key in range(8)}
    tracker = Tracker(delays)
    value, _, threads, children, caller = call_with_deadline(
        lambda: run_pipeline(range(8), tracker.fetch, crunch, tracker.write, fetchers=4)
    )
    assert value == 8, f"run_pipeline returned {value!r}, expected 8 (results written)"
    keys = [key for key, _ in tracker.written]
    assert keys == list(range(8)), (
        f"write() was called for keys {keys}; expected 0..7 in order. Number the keys, and "
        "let the writer hold back results that arrive early (a reorder buffer)."
    )
    texts = [result[0] for _, result in tracker.written]
    assert texts == [f"DATA-{key}" for key in range(8)], f"wrote {texts}"
    assert sorted(tracker.fetched) == list(range(8)), f"fetched {tracker.fetched}"
    assert len(tracker.write_threads) == 1, (
        f"write() was called from {len(tracker.write_threads)} threads; use one writer thread"
    )
    writer_thread = next(iter(tracker.write_threads))
    assert writer_thread != caller and writer_thread not in tracker.fetch_threads, (
        "write() ran in the calling thread or in a fetch thread: give it a thread of its own"
    )
    assert not threads, f"threads still alive after run_pipeline returned: {threads}"
    assert not children, f"worker processes still alive after run_pipeline returned: {children}"


def test_fetches_overlap_in_threads():
    tracker = Tracker({key: 0.2 for key in range(8)})
    value, elapsed, _, _, _ = call_with_deadline(
        lambda: run_pipeline(range(8), tracker.fetch, crunch, tracker.write, fetchers=4)
    )
    assert value == 8, f"run_pipeline returned {value!r}, expected 8"
    assert tracker.most_fetching == 4, (
        f"with fetchers=4, at most {tracker.most_fetching} fetch(es) ran at the same time; "
        "expected 4: start `fetchers` threads that each take keys from one queue"
    )
    assert elapsed < 1.2, (
        f"8 fetches of 0.2 s with 4 fetch threads took {elapsed:.2f} s (two rounds of fetches "
        "need about 0.5 s; the test allows 1.2 s)"
    )


def test_the_cpu_work_runs_in_the_worker_processes():
    tracker = Tracker({key: 0.01 for key in range(10)})
    value, _, _, _, _ = call_with_deadline(
        lambda: run_pipeline(range(10), tracker.fetch, crunch, tracker.write, crunchers=2)
    )
    assert value == 10, f"run_pipeline returned {value!r}, expected 10"
    pids = {pid for _, (_, pid) in tracker.written}
    assert os.getpid() not in pids, (
        "crunch ran in this process: submit it to a ProcessPoolExecutor instead of calling it"
    )
    assert len(pids) == 2, f"with crunchers=2, crunch ran in {len(pids)} process(es), expected 2"
