"""Further tests: the wide margin on waits, plain functions under asyncio, errors, small and
empty inputs, and nothing left running."""

import asyncio
import multiprocessing
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
        return item + 1

    async def coroutine(self, item):
        self.enter()
        await asyncio.sleep(self.seconds)
        self.leave()
        return item + 1


def fails_on_three(item):
    if item == 3:
        raise ValueError("item 3 is broken")
    return item


async def fails_on_three_async(item):
    await asyncio.sleep(0)
    return fails_on_three(item)


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def test_on_waits_threads_and_asyncio_beat_serial_by_a_wide_margin():
    wait = Recorder(0.04).task
    serial = timed(run_serial, wait, range(8))
    threads = min(timed(run_threads, wait, range(8), 4) for _ in range(2))
    coroutines = min(timed(run_asyncio, Recorder(0.04).coroutine, range(8), 4) for _ in range(2))
    assert threads < serial / 2 and coroutines < serial / 2, (
        f"8 waits of 0.04 s: serial {serial:.2f} s, threads {threads:.2f} s, asyncio "
        f"{coroutines:.2f} s. With 4 workers the waits overlap, on any machine and under "
        "both interpreters: expect about a quarter of the serial time"
    )


def test_a_plain_function_under_asyncio_runs_in_worker_threads():
    recorder = Recorder(0.05)
    results = run_asyncio(recorder.task, range(6), 3)
    assert list(results) == [i + 1 for i in range(6)], f"run_asyncio returned {results!r}"
    assert threading.get_ident() not in recorder.threads, (
        "a plain (blocking) function ran on the event loop's thread, which stops every other "
        "task while it runs: hand it to threads with loop.run_in_executor(pool, task, item)"
    )
    assert recorder.most_active == 3 and len(recorder.threads) <= 3, (
        f"with workers=3 the calls ran on {len(recorder.threads)} thread(s), at most "
        f"{recorder.most_active} at once; expected 3 at once, on at most 3 threads: "
        "run_in_executor with a ThreadPoolExecutor(max_workers=workers)"
    )


def test_coroutines_respect_a_smaller_bound():
    recorder = Recorder(0.02)
    run_asyncio(recorder.coroutine, range(10), 2)
    assert recorder.most_active == 2, (
        f"workers=2, but {recorder.most_active} coroutines were waiting at the same time"
    )


def test_an_exception_in_a_task_reaches_the_caller_in_every_model():
    cases = {
        "run_serial": lambda: run_serial(fails_on_three, range(6)),
        "run_threads": lambda: run_threads(fails_on_three, range(6), 2),
        "run_processes": lambda: run_processes(fails_on_three, range(6), 2),
        "run_asyncio (coroutines)": lambda: run_asyncio(fails_on_three_async, range(6), 2),
        "run_asyncio (plain function)": lambda: run_asyncio(fails_on_three, range(6), 2),
    }
    for name, call in cases.items():
        try:
            outcome = call()
        except ValueError as error:
            assert "item 3" in str(error), f"{name} raised {error!r}, not the task's error"
        else:
            raise AssertionError(
                f"{name} returned {outcome!r} although the task raised ValueError for item 3: "
                "a benchmark that hides failures compares wrong answers"
            )


def test_fewer_items_than_workers_and_no_items():
    for name, run in [("run_threads", run_threads), ("run_processes", run_processes)]:
        assert list(run(fails_on_three, [1, 2], 4)) == [1, 2], f"{name} with 2 items, 4 workers"
        assert list(run(fails_on_three, [], 4)) == [], f"{name} with no items"
    assert list(run_asyncio(fails_on_three_async, [1, 2], 4)) == [1, 2]
    assert list(run_asyncio(fails_on_three_async, [], 4)) == []
    assert list(run_asyncio(fails_on_three, [], 4)) == []


def test_no_thread_or_process_is_left_running():
    before = set(threading.enumerate())
    run_threads(Recorder(0.01).task, range(4), 2)
    run_asyncio(Recorder(0.01).task, range(4), 2)
    run_processes(fails_on_three, [0, 1, 2], 2)
    left = [t.name for t in threading.enumerate() if t not in before]
    assert not left, f"threads still alive after the runs returned: {left} (shut the pools down)"
    children = multiprocessing.active_children()
    assert not children, f"worker processes still alive: {children} (shut the pool down)"
