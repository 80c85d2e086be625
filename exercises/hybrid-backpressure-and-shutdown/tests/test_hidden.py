"""Further tests: failures in the fetch and write stages, the CPU stage in processes, an
empty input, and two calls in a row."""

import multiprocessing
import os
import threading
import time

import solution
from solution import run_pipeline


def crunch(key):
    """Stands for CPU work: 0.04 s, then the result and where it was computed."""
    time.sleep(0.04)
    return key * key, os.getpid(), threading.get_ident()


def crunch_fails_on_5(key):
    time.sleep(0.01)
    if key == 5:
        raise ValueError(f"cannot crunch key {key}")
    return key * key, os.getpid(), threading.get_ident()


class Tracker:
    """Feeds keys, fetches and writes them, and counts the keys in flight: from the start
    of their fetch to the end of their write."""

    def __init__(self, count, fetch_delay=0.02, fail_fetch=None, fail_write=None):
        self.count, self.fetch_delay = count, fetch_delay
        self.fail_fetch, self.fail_write = fail_fetch, fail_write
        self.lock = threading.Lock()
        self.pulled = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.written = []

    def keys(self):
        for key in range(self.count):
            with self.lock:
                self.pulled += 1
            yield key

    def fetch(self, key):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.fetch_delay)
        if key == self.fail_fetch:
            raise OSError(f"cannot fetch key {key}")
        return key

    def write(self, key, result):
        if key == self.fail_write:
            raise OSError(f"cannot write key {key}")
        with self.lock:
            self.written.append((key, result))
            self.in_flight -= 1


_hung = []


def call_with_deadline(function, seconds=6.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`.

    Returns (value or raised exception, threads the call left running, child processes
    still alive afterwards).
    """
    assert not _hung, "not run: an earlier call of run_pipeline in this file never returned"
    outcome = {}
    before = set(threading.enumerate())

    def runner():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["value"] = error
        outcome["threads"] = [t.name for t in threading.enumerate() if t not in before]
        outcome["children"] = multiprocessing.active_children()

    thread = threading.Thread(target=runner, daemon=True)
    before.add(thread)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _hung.append(True)
    assert not thread.is_alive(), (
        f"run_pipeline did not return within {seconds:g} s. Is a thread waiting in get() or "
        "put() on a queue that nobody serves any more, or in acquire() on the bound after "
        "another stage failed?"
    )
    return outcome["value"], outcome["threads"], outcome["children"]


def test_a_fetch_failure_is_raised_as_stage_error():
    tracker = Tracker(30, fail_fetch=4)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(
            tracker.keys(),
            tracker.fetch,
            crunch,
            tracker.write,
            fetchers=3,
            crunchers=2,
            max_in_flight=3,
        )
    )
    assert isinstance(value, solution.StageError), (
        f"fetch raised OSError in a fetch thread for key 4, but run_pipeline gave {value!r}"
    )
    assert (value.stage, value.key) == ("fetch", 4), (
        f"StageError has stage={value.stage!r}, key={value.key!r}; expected 'fetch' and 4"
    )
    assert isinstance(value.__cause__, OSError), f"its __cause__ is {value.__cause__!r}"
    written = [key for key, _ in tracker.written]
    assert written == list(range(len(written))) and len(written) <= 4, (
        f"written: {written}; only keys before 4 may be written, in order"
    )
    assert tracker.pulled < 30, "every key was read although key 4 failed"
    assert not threads, f"threads still alive after the failure: {threads}"
    assert not children, f"worker processes still alive after the failure: {children}"


def test_a_write_failure_is_raised_as_stage_error():
    tracker = Tracker(30, fetch_delay=0.005, fail_write=6)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(
            tracker.keys(),
            tracker.fetch,
            crunch,
            tracker.write,
            fetchers=2,
            crunchers=2,
            max_in_flight=4,
        )
    )
    assert isinstance(value, solution.StageError), (
        f"write raised OSError for key 6, but run_pipeline gave {value!r}"
    )
    assert (value.stage, value.key) == ("write", 6), (
        f"StageError has stage={value.stage!r}, key={value.key!r}; expected 'write' and 6"
    )
    assert isinstance(value.__cause__, OSError), f"its __cause__ is {value.__cause__!r}"
    assert [key for key, _ in tracker.written] == list(range(6)), (
        f"written: {[k for k, _ in tracker.written]}, expected keys 0..5"
    )
    assert not threads and not children, f"left running: {threads}, {children}"


def test_the_cpu_stage_runs_in_other_processes_by_default():
    tracker = Tracker(8)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(tracker.keys(), tracker.fetch, crunch, tracker.write, crunchers=2)
    )
    assert value == 8, f"run_pipeline returned {value!r}, expected 8"
    pids = {pid for _, (_, pid, _) in tracker.written}
    assert os.getpid() not in pids, "crunch ran in this process: use a ProcessPoolExecutor"
    assert len(pids) == 2, f"with crunchers=2, crunch ran in {len(pids)} process(es)"
    assert not threads and not children, f"left running: {threads}, {children}"


def test_an_empty_input_and_two_calls_in_a_row():
    empty = Tracker(0)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(empty.keys(), empty.fetch, crunch, empty.write)
    )
    assert value == 0 and empty.written == [], f"an empty input gave {value!r}"
    assert not threads and not children, f"left running: {threads}, {children}"
    for count in (3, 5):
        tracker = Tracker(count)
        value, threads, children = call_with_deadline(
            lambda tracker=tracker: run_pipeline(
                tracker.keys(), tracker.fetch, crunch, tracker.write, max_in_flight=2
            )
        )
        assert value == count and [k for k, _ in tracker.written] == list(range(count)), (
            f"a call with {count} keys gave {value!r} and wrote {tracker.written!r}"
        )
        assert not threads and not children, f"left running: {threads}, {children}"
