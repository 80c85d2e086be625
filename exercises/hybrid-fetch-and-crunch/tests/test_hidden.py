"""Further tests: the CPU stage overlaps the fetches, a failing stage is raised, an empty
input, and two calls in a row."""

import multiprocessing
import os
import threading
import time

from solution import run_pipeline


def crunch_fails_on_3(data):
    if data == "data-3":
        raise ValueError("cannot crunch data-3")
    return data.upper(), os.getpid()


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


def test_results_are_written_while_fetches_are_still_waiting():
    # The last key takes 0.8 s to fetch: the others can be crunched and written meanwhile.
    delays = {key: 0.8 if key == 5 else 0.02 for key in range(6)}
    tracker = Tracker(delays)
    value, _, _, _, _ = call_with_deadline(
        lambda: run_pipeline(range(6), tracker.fetch, crunch, tracker.write, fetchers=2)
    )
    assert value == 6, f"run_pipeline returned {value!r}, expected 6"
    assert tracker.first_write is not None and tracker.first_write < tracker.last_fetch_end, (
        "nothing was written until every fetch had finished: submit each item to the "
        "process pool as soon as it is fetched, and write each result once all the results "
        "before it are written"
    )


def test_a_failing_stage_is_raised_and_every_thread_stops():
    tracker = Tracker({key: 0.01 for key in range(20)})
    try:
        call_with_deadline(
            lambda: run_pipeline(range(20), tracker.fetch, crunch_fails_on_3, tracker.write)
        )
    except ValueError as error:
        assert "data-3" in str(error), f"raised {error!r}, not the ValueError from crunch"
    else:
        raise AssertionError(
            "crunch raised ValueError in a worker process, but run_pipeline returned "
            "normally: future.result() re-raises it; stop the stages and raise it again"
        )
    keys = [key for key, _ in tracker.written]
    assert keys == list(range(len(keys))) and len(keys) <= 3, (
        f"written: {keys}; only keys before 3 may be written, in order"
    )


def test_no_thread_or_process_is_left_after_an_error():
    tracker = Tracker({key: 0.01 for key in range(12)})
    outcome = {}

    def call():
        try:
            run_pipeline(range(12), tracker.fetch, crunch_fails_on_3, tracker.write)
        except ValueError as error:
            outcome["error"] = error
        return None

    _, _, threads, children, _ = call_with_deadline(call)
    assert "error" in outcome, "the ValueError from crunch was not raised"
    assert not threads, f"threads still alive after the error: {threads}"
    assert not children, f"worker processes still alive after the error: {children}"


def test_an_empty_input_and_two_calls_in_a_row():
    tracker = Tracker({})
    value, _, threads, children, _ = call_with_deadline(
        lambda: run_pipeline([], tracker.fetch, crunch, tracker.write)
    )
    assert value == 0 and tracker.written == [], f"an empty input gave {value!r}"
    assert not threads and not children, f"left running: {threads}, {children}"
    for count in (2, 5):
        tracker = Tracker({key: 0.01 for key in range(count)})
        value, _, _, _, _ = call_with_deadline(
            lambda tracker=tracker, count=count: run_pipeline(
                range(count), tracker.fetch, crunch, tracker.write, fetchers=3
            )
        )
        keys = [key for key, _ in tracker.written]
        assert value == count and keys == list(range(count)), (
            f"a call with {count} keys returned {value!r} and wrote keys {keys}"
        )
