"""Tests you can see: input order, parallel workers, a bounded queue, no threads left behind."""

import threading
import time

from solution import ordered_pipeline


class Tracker:
    """Feeds items, transforms and collects them, watching every stage of the pipeline.

    It counts the items read from the input and the transform() calls started, and records
    the largest gap between the two: how far the reader ever got ahead of the workers.
    """

    def __init__(self, count, delay=lambda i: 0.01):
        self.count = count
        self.delay = delay
        self.lock = threading.Lock()
        self.read = 0
        self.started = 0
        self.most_ahead = 0
        self.emitted = []
        self.read_at_first_emit = None

    def items(self):
        for i in range(self.count):
            with self.lock:
                self.read += 1  # counts the item the reader is about to hold
                self.most_ahead = max(self.most_ahead, self.read - self.started)
            yield i

    def transform(self, i):
        with self.lock:
            self.started += 1
        time.sleep(self.delay(i))
        return i * i

    def emit(self, result):
        with self.lock:
            if self.read_at_first_emit is None:
                self.read_at_first_emit = self.read
            self.emitted.append(result)


_hung = []  # set once a call has hung, so that later tests fail at once


def call_with_deadline(function, seconds=3.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`.

    Returns (value, elapsed seconds, names of the threads the call left running).
    """
    assert not _hung, (
        "not run: an earlier call of ordered_pipeline in this file never returned (see the "
        "first failing test); fix that first"
    )
    outcome = {}

    def runner():
        before = set(threading.enumerate())
        started = time.perf_counter()
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
        outcome["elapsed"] = time.perf_counter() - started
        outcome["left_running"] = [
            thread.name for thread in threading.enumerate() if thread not in before
        ]

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _hung.append(True)
    assert not thread.is_alive(), (
        f"ordered_pipeline did not return within {seconds} s. Is a worker waiting in get() "
        "for an item that never comes (every worker must be told to stop: one sentinel per "
        "worker, or queue.shutdown()), or a stage waiting in put() on a full queue that "
        "nobody empties any more?"
    )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], outcome["elapsed"], outcome["left_running"]


def test_results_come_out_in_input_order():
    # Every third item is slow, so the items after it finish first.
    tracker = Tracker(12, delay=lambda i: 0.05 if i % 3 == 0 else 0.005)
    count, _, _ = call_with_deadline(
        lambda: ordered_pipeline(tracker.items(), tracker.transform, tracker.emit, workers=3)
    )
    expected = [i * i for i in range(12)]
    assert tracker.emitted == expected, (
        f"emit() was called with {tracker.emitted!r}, expected {expected!r}. Results finish "
        "out of order; hold early ones back (a reorder buffer keyed by sequence number) and "
        "emit each one only when all the results before it have been emitted."
    )
    assert count == 12, f"ordered_pipeline returned {count!r}, expected 12 (results emitted)"


def test_workers_transform_in_parallel():
    tracker = Tracker(6, delay=lambda i: 0.25)
    _, elapsed, _ = call_with_deadline(
        lambda: ordered_pipeline(tracker.items(), tracker.transform, tracker.emit, workers=3)
    )
    assert tracker.emitted == [i * i for i in range(6)], f"emitted {tracker.emitted!r}"
    assert elapsed < 1.2, (
        f"6 transforms of 0.25 s with workers=3 took {elapsed:.2f} s. Three workers need a "
        "little over 0.5 s (the test allows 1.2 s); one at a time needs 1.5 s. Start "
        "`workers` threads in the middle stage, all taking items from the same queue."
    )


def test_no_threads_are_left_running():
    tracker = Tracker(10)
    _, _, left_running = call_with_deadline(
        lambda: ordered_pipeline(tracker.items(), tracker.transform, tracker.emit, workers=3)
    )
    assert not left_running, (
        f"these threads were still alive after ordered_pipeline returned: {left_running!r}. "
        "Join every thread you start before returning."
    )


def test_the_reader_is_held_back_by_a_bounded_queue():
    tracker = Tracker(40, delay=lambda i: 0.01)
    call_with_deadline(
        lambda: ordered_pipeline(
            tracker.items(), tracker.transform, tracker.emit, workers=2, maxsize=2
        )
    )
    assert tracker.emitted == [i * i for i in range(40)], f"emitted {tracker.emitted!r}"
    limit = 2 + 2 + 1  # maxsize + workers + the item the reader holds
    assert tracker.most_ahead <= limit, (
        f"the reader got {tracker.most_ahead} items ahead of the transforms with maxsize=2 "
        f"and workers=2 (allowed: {limit}). Create the queues with "
        "queue.Queue(maxsize=maxsize) so that put() waits while a queue is full, and read "
        "the input lazily with a for loop (never list(items))."
    )
