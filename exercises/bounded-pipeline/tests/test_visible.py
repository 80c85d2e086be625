"""Tests you can see: results in order, each item once, back-pressure, every thread ends."""

import threading
import time
from collections import Counter

from solution import run_pipeline


class Tracker:
    """Feeds items through a generator and processes them, watching both ends of the pipeline.

    It counts the items read from the input and the process() calls started, and records the
    largest gap between the two: how far the producer ever got ahead of the consumers.
    """

    def __init__(self, items, delay=0.01):
        self.items = list(items)
        self.delay = delay
        self.lock = threading.Lock()
        self.read = 0
        self.started = 0
        self.most_ahead = 0
        self.calls = Counter()
        self.threads = set()

    def feed(self):
        for item in self.items:
            with self.lock:
                self.read += 1  # counts the item the producer is about to hold
                self.most_ahead = max(self.most_ahead, self.read - self.started)
            yield item

    def process(self, item):
        with self.lock:
            self.started += 1
            self.calls[item] += 1
            self.threads.add(threading.current_thread())
        time.sleep(self.delay)
        return ("done", item)


_hung = []  # set once a call has hung, so that later tests fail at once


def call_with_deadline(function, seconds=3.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`.

    Also reports the threads that the call started and left running.
    """
    assert not _hung, (
        "not run: an earlier call of run_pipeline in this file never returned (see the "
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
        f"run_pipeline did not return within {seconds} s. Is a consumer waiting in get() for "
        "an item that never comes (every consumer needs to be told to stop), or the producer "
        "waiting in put() on a full queue that nobody empties?"
    )
    if "error" in outcome:
        raise outcome["error"]
    return outcome


def test_results_come_back_in_input_order():
    def process(item):
        time.sleep(0.01 * (3 - item % 3))  # later items often finish first
        return item * item

    outcome = call_with_deadline(lambda: run_pipeline(range(20), process, consumers=3, maxsize=4))
    expected = [n * n for n in range(20)]
    assert outcome["value"] == expected, f"run_pipeline returned {outcome['value']!r}"


def test_every_item_is_processed_exactly_once():
    items = [5, 3, 5, 8, 0, 1, 3, 5, 2, 9, 7, 7, 4, 6, 0, 5]
    tracker = Tracker(items)
    outcome = call_with_deadline(
        lambda: run_pipeline(tracker.feed(), tracker.process, consumers=3, maxsize=2)
    )
    assert tracker.calls == Counter(items), (
        f"process() was called {dict(tracker.calls)!r} times per item, expected "
        f"{dict(Counter(items))!r}: items were lost or processed twice"
    )
    assert outcome["value"] == [("done", item) for item in items], (
        f"run_pipeline returned {outcome['value']!r}"
    )


def test_the_producer_never_runs_far_ahead():
    tracker = Tracker(range(40), delay=0.01)
    call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 2, maxsize=3))
    allowed = 3 + 2 + 1
    assert tracker.most_ahead <= allowed, (
        f"at one point {tracker.most_ahead} items had been read from the input without being "
        f"passed to process(). With maxsize=3 and 2 consumers the most is {allowed} (3 in the "
        "queue, 1 in each consumer's hands, 1 in the producer's). Use a bounded queue "
        "(queue.Queue(maxsize)) and read the input one item at a time."
    )


def test_every_thread_has_ended_when_it_returns():
    tracker = Tracker(range(10))
    outcome = call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 3, 4))
    assert not outcome["left_running"], (
        f"threads still running after run_pipeline returned: {outcome['left_running']!r}. "
        "Stop every consumer and join every thread before returning."
    )
    assert outcome["value"] == [("done", n) for n in range(10)], f"got {outcome['value']!r}"


def test_consumers_work_at_the_same_time():
    tracker = Tracker(range(12), delay=0.1)
    outcome = call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 3, 4))
    assert outcome["elapsed"] < 0.9, (
        f"12 items of 0.1 s with 3 consumers took {outcome['elapsed']:.2f} s; working at the "
        "same time they need about 0.4 s (the test allows 0.9 s, one at a time needs 1.2 s)"
    )
