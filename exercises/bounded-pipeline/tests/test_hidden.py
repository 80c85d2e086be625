"""Further tests: None as an item, a producer that pauses, small and empty cases."""

import threading
import time
from collections import Counter

from solution import run_pipeline


class Tracker:
    """Feeds items through a generator and processes them, watching both ends of the pipeline."""

    def __init__(self, items, delay=0.01, pause_at=None, pause=0.0):
        self.items = list(items)
        self.delay = delay
        self.pause_at = pause_at
        self.pause = pause
        self.lock = threading.Lock()
        self.read = 0
        self.started = 0
        self.most_ahead = 0
        self.calls = Counter()
        self.threads = set()

    def feed(self):
        for position, item in enumerate(self.items):
            if position == self.pause_at:
                time.sleep(self.pause)  # the input is slow for a moment
            with self.lock:
                self.read += 1
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
    """Run function() in a daemon thread; fail if it has not finished after `seconds`."""
    assert not _hung, (
        "not run: an earlier call of run_pipeline in this file never returned (see the "
        "first failing test); fix that first"
    )
    outcome = {}

    def runner():
        before = set(threading.enumerate())
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
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
        "an item that never comes, or the producer waiting in put() on a full queue that "
        "nobody empties any more?"
    )
    if "error" in outcome:
        raise outcome["error"]
    return outcome


def test_none_is_an_ordinary_item():
    items = [1, None, 2, 3, 4, 5, 6, 7]
    tracker = Tracker(items)
    outcome = call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 3, 4))
    assert tracker.calls == Counter(items), (
        f"process() calls per item: {dict(tracker.calls)!r}, expected "
        f"{dict(Counter(items))!r}. Is None your sentinel? Use a unique object() instead."
    )
    assert outcome["value"] == [("done", item) for item in items], f"got {outcome['value']!r}"
    assert not outcome["left_running"], f"threads left running: {outcome['left_running']!r}"


def test_consumers_wait_for_a_slow_producer():
    tracker = Tracker(range(12), delay=0.01, pause_at=4, pause=0.4)
    outcome = call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 3, 2))
    assert tracker.calls == Counter(range(12)), (
        f"process() calls per item: {dict(tracker.calls)!r}. The input paused for 0.4 s after "
        "4 items, and some items were never processed: did the consumers stop because the "
        "queue was empty for a while? Stop them only when the producer says so."
    )
    assert outcome["value"] == [("done", n) for n in range(12)], f"got {outcome['value']!r}"
    assert not outcome["left_running"], f"threads left running: {outcome['left_running']!r}"


def test_back_pressure_with_many_consumers_and_a_tiny_queue():
    tracker = Tracker(range(60), delay=0.005)
    outcome = call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 4, 1))
    allowed = 1 + 4 + 1
    assert tracker.most_ahead <= allowed, (
        f"{tracker.most_ahead} items were read ahead of process(); with maxsize=1 and 4 "
        f"consumers at most {allowed} may be"
    )
    assert outcome["value"] == [("done", n) for n in range(60)], "wrong results"


def test_processing_happens_in_the_consumer_threads():
    tracker = Tracker(range(20), delay=0.02)
    call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 3, 4))
    assert threading.main_thread() not in tracker.threads, "process() ran in the main thread"
    assert len(tracker.threads) <= 3, (
        f"process() ran in {len(tracker.threads)} different threads; with consumers=3 use "
        "exactly 3 consumer threads"
    )


def test_one_consumer_and_a_queue_of_one():
    tracker = Tracker(["a", "b", "c", "d", "e"])
    outcome = call_with_deadline(lambda: run_pipeline(tracker.feed(), tracker.process, 1, 1))
    assert outcome["value"] == [("done", x) for x in "abcde"], f"got {outcome['value']!r}"
    assert tracker.most_ahead <= 3, f"{tracker.most_ahead} items read ahead, at most 3 allowed"
    assert not outcome["left_running"], f"threads left running: {outcome['left_running']!r}"


def test_empty_input():
    calls = []
    outcome = call_with_deadline(lambda: run_pipeline(iter([]), calls.append, 3, 4))
    assert outcome["value"] == [], f"run_pipeline(empty, ...) returned {outcome['value']!r}"
    assert calls == [], "process() was called for an empty input"
    assert not outcome["left_running"], f"threads left running: {outcome['left_running']!r}"


def test_two_calls_are_independent():
    first = call_with_deadline(lambda: run_pipeline([1, 2, 3], lambda n: n + 100, 2, 2))
    second = call_with_deadline(lambda: run_pipeline(["x"], str.upper, 2, 2))
    assert first["value"] == [101, 102, 103], f"first call returned {first['value']!r}"
    assert second["value"] == ["X"], f"second call returned {second['value']!r}"
