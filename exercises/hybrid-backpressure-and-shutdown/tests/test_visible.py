"""Tests you can see: a bound on the keys in flight, a failure raised as StageError from its
cause with nothing left running, and the CPU stage in threads."""

import multiprocessing
import os
import threading
import time

import solution
from solution import run_pipeline

# The crunch functions live at the top level of this module, so that the worker processes
# can find them by name.


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


def test_no_more_than_max_in_flight_keys_are_in_the_pipeline():
    tracker = Tracker(16)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(
            tracker.keys(),
            tracker.fetch,
            crunch,
            tracker.write,
            fetchers=4,
            crunchers=2,
            max_in_flight=3,
        )
    )
    assert value == 16, f"run_pipeline returned {value!r}, expected 16"
    assert [key for key, _ in tracker.written] == list(range(16)), (
        f"the keys were written in the order {[k for k, _ in tracker.written]}"
    )
    assert tracker.most_in_flight <= 3, (
        f"{tracker.most_in_flight} keys were between the start of their fetch and the end of "
        "their write at once, with max_in_flight=3. Take a threading.Semaphore(max_in_flight) "
        "before handing a key to the fetchers and release it after its write."
    )
    assert tracker.most_in_flight >= 2, (
        "never more than one key in flight: the stages did not overlap"
    )
    assert not threads, f"threads still alive after run_pipeline returned: {threads}"
    assert not children, f"worker processes still alive after run_pipeline returned: {children}"


def test_a_crunch_failure_is_raised_as_stage_error_from_its_cause():
    tracker = Tracker(40, fetch_delay=0.01)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(
            tracker.keys(),
            tracker.fetch,
            crunch_fails_on_5,
            tracker.write,
            fetchers=3,
            crunchers=2,
            max_in_flight=4,
        )
    )
    assert isinstance(value, solution.StageError), (
        f"crunch raised ValueError in a worker process for key 5, but run_pipeline gave "
        f"{value!r}. Raise StageError('crunch', 5) from the original exception."
    )
    assert (value.stage, value.key) == ("crunch", 5), (
        f"StageError has stage={value.stage!r}, key={value.key!r}; expected 'crunch' and 5"
    )
    assert isinstance(value.__cause__, ValueError) and "key 5" in str(value.__cause__), (
        f"the StageError's __cause__ is {value.__cause__!r}, expected the ValueError raised "
        "by crunch: use `raise StageError(...) from error`"
    )
    written = [key for key, _ in tracker.written]
    assert written == list(range(len(written))) and len(written) <= 5, (
        f"written before the failure: {written}; only keys before 5 may be written, in order"
    )
    assert tracker.pulled < 40, "every key was read although key 5 failed: stop the feeder"
    assert not threads, f"threads still alive after the failure: {threads}"
    assert not children, f"worker processes still alive after the failure: {children}"


def test_the_cpu_stage_can_run_in_threads():
    tracker = Tracker(8)
    value, threads, children = call_with_deadline(
        lambda: run_pipeline(
            tracker.keys(),
            tracker.fetch,
            crunch,
            tracker.write,
            fetchers=2,
            crunchers=2,
            max_in_flight=4,
            cpu="threads",
        )
    )
    assert value == 8, f"run_pipeline returned {value!r}, expected 8"
    results = [result for _, result in tracker.written]
    assert [r[0] for r in results] == [k * k for k in range(8)], f"wrote {results!r}"
    pids = {pid for _, pid, _ in results}
    assert pids == {os.getpid()}, (
        f"with cpu='threads', crunch ran in processes {pids}, expected only this one: use a "
        "ThreadPoolExecutor for the CPU stage"
    )
    idents = {ident for _, _, ident in results}
    assert len(idents) == 2, (
        f"with crunchers=2 and cpu='threads', crunch ran in {len(idents)} thread(s)"
    )
    assert not threads and not children, f"left running: {threads}, {children}"
