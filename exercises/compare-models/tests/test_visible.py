"""Tests you can see: every model gives the serial results in order, and each really uses
`workers` threads, processes or coroutines at the same time."""

import asyncio
import os
import threading
import time

from solution import run_asyncio, run_processes, run_serial, run_threads


class Recorder:
    """Wraps a task to record which thread ran each call, and how many ran at once."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.lock = threading.Lock()
        self.threads = set()
        self.active = 0
        self.most_active = 0

    def enter(self):
        with self.lock:
            self.threads.add(threading.get_ident())
            self.active += 1
            self.most_active = max(self.most_active, self.active)

    def leave(self):
        with self.lock:
            self.active -= 1

    def task(self, item):
        self.enter()
        time.sleep(self.seconds)
        self.leave()
        return item * item

    async def coroutine(self, item):
        self.enter()
        await asyncio.sleep(self.seconds)
        self.leave()
        return item * item


def later_items_first(item):
    """Module level, so that worker processes can unpickle it; later items finish first."""
    time.sleep(0.01 * (6 - item % 6))
    return item * item


async def later_items_first_async(item):
    await asyncio.sleep(0.01 * (6 - item % 6))
    return item * item


def square_in_a_process(item):
    """Sleeps 0.1 s and reports which process ran it, and when (CLOCK_MONOTONIC is shared by
    every process on Linux)."""
    start = time.monotonic()
    time.sleep(0.1)
    return item * item, os.getpid(), start, time.monotonic()


def most_overlapping(intervals):
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = most = 0
    for _, change in events:
        running += change
        most = max(most, running)
    return most


def test_every_model_returns_the_serial_results_in_input_order():
    items = list(range(12))
    expected = [i * i for i in items]
    got = {
        "run_serial": run_serial(later_items_first, items),
        "run_threads": run_threads(later_items_first, items, 4),
        "run_processes": run_processes(later_items_first, items, 2),
        "run_asyncio (coroutines)": run_asyncio(later_items_first_async, items, 4),
        "run_asyncio (plain function)": run_asyncio(later_items_first, items, 4),
    }
    for name, results in got.items():
        assert list(results) == expected, (
            f"{name} returned {results!r}, expected {expected!r}: later items finish first "
            "here, so collect the results in input order (Executor.map, asyncio.gather), not "
            "in the order they complete"
        )


def test_threads_use_exactly_workers_threads_at_once():
    recorder = Recorder(0.05)
    run_threads(recorder.task, range(8), 4)
    assert threading.get_ident() not in recorder.threads, "the calling thread ran tasks itself"
    assert len(recorder.threads) == 4 and recorder.most_active == 4, (
        f"8 tasks with workers=4 ran on {len(recorder.threads)} thread(s), at most "
        f"{recorder.most_active} at once; expected 4 and 4. Every model must get the same "
        "number of workers, or the comparison is not fair: ThreadPoolExecutor(max_workers=...)"
    )


def test_processes_use_worker_processes_at_once():
    results = run_processes(square_in_a_process, range(6), 2)
    pids = {pid for _, pid, _, _ in results}
    overlap = most_overlapping([(start, end) for _, _, start, end in results])
    assert os.getpid() not in pids, "the calling process ran tasks itself"
    assert len(pids) == 2 and overlap == 2, (
        f"6 tasks with workers=2 ran in {len(pids)} process(es), at most {overlap} at once; "
        "expected 2 and 2: ProcessPoolExecutor(max_workers=workers)"
    )


def test_coroutines_share_one_thread_and_overlap_up_to_workers():
    recorder = Recorder(0.05)
    start = time.perf_counter()
    results = run_asyncio(recorder.coroutine, range(8), 4)
    elapsed = time.perf_counter() - start
    assert list(results) == [i * i for i in range(8)], f"run_asyncio returned {results!r}"
    assert len(recorder.threads) == 1, (
        f"the coroutines ran on {len(recorder.threads)} threads: one event loop is one thread"
    )
    assert recorder.most_active == 4, (
        f"at most {recorder.most_active} of the 8 coroutines were waiting at the same time, "
        "expected 4 (workers=4): start them all with asyncio.gather and let an "
        "asyncio.Semaphore(workers) hold back the rest"
    )
    assert elapsed < 0.3, (
        f"8 waits of 0.05 s, 4 at a time, took {elapsed:.2f} s (about 0.1 s expected)"
    )
