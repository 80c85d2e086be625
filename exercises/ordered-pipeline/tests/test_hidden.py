"""Further tests: errors stop the pipeline, results stream out, other sizes and inputs."""

import threading
import time

from solution import ordered_pipeline


class Tracker:
    """Feeds items, transforms and collects them (see test_visible.py)."""

    def __init__(self, count, delay=lambda i: 0.01, fail_on=None):
        self.count = count
        self.delay = delay
        self.fail_on = fail_on
        self.lock = threading.Lock()
        self.read = 0
        self.started = 0
        self.most_ahead = 0
        self.emitted = []
        self.read_at_first_emit = None

    def items(self):
        for i in range(self.count):
            with self.lock:
                self.read += 1
                self.most_ahead = max(self.most_ahead, self.read - self.started)
            yield i

    def transform(self, i):
        with self.lock:
            self.started += 1
        time.sleep(self.delay(i))
        if i == self.fail_on:
            raise ValueError(f"cannot transform item {i}")
        return i * i

    def emit(self, result):
        with self.lock:
            if self.read_at_first_emit is None:
                self.read_at_first_emit = self.read
            self.emitted.append(result)


_hung = []


def call_with_deadline(function, seconds=3.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`.

    Returns (value or raised exception, elapsed seconds, names of threads left running).
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
            outcome["value"] = error
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
        "for an item that never comes, or a stage waiting in put() on a full queue that "
        "nobody empties any more (for example after another stage failed)?"
    )
    return outcome["value"], outcome["elapsed"], outcome["left_running"]


def test_an_error_in_a_worker_is_raised_and_stops_everything():
    tracker = Tracker(30, delay=lambda i: 0.01, fail_on=7)
    outcome, _, left_running = call_with_deadline(
        lambda: ordered_pipeline(
            tracker.items(), tracker.transform, tracker.emit, workers=3, maxsize=2
        )
    )
    assert isinstance(outcome, ValueError), (
        f"transform raised ValueError for item 7, but ordered_pipeline gave {outcome!r} "
        "(a return value or another exception). "
        "Catch the exception in the worker, stop the other stages, and raise it again in the "
        "calling thread after joining every thread."
    )
    assert "item 7" in str(outcome), f"raised {outcome!r}, not the ValueError from transform"
    assert tracker.emitted == [i * i for i in range(len(tracker.emitted))], (
        f"emitted {tracker.emitted!r}: what was emitted before the failure must be the first "
        "results, in order"
    )
    assert len(tracker.emitted) <= 7, (
        f"{len(tracker.emitted)} results were emitted, but item 7 failed: nothing from item 7 "
        "on may be emitted"
    )
    assert tracker.read < 30, (
        "the reader read all 30 items although item 7 failed: stop the reader (and the other "
        "workers) when a stage fails"
    )
    assert not left_running, f"threads still alive after the error: {left_running!r}"


def test_an_error_in_emit_is_raised():
    tracker = Tracker(20, delay=lambda i: 0.005)

    def emit(result):
        if result == 9:
            raise OSError("disk full")
        tracker.emit(result)

    outcome, _, left_running = call_with_deadline(
        lambda: ordered_pipeline(tracker.items(), tracker.transform, emit, workers=2, maxsize=2)
    )
    assert isinstance(outcome, OSError), (
        f"emit raised OSError, but ordered_pipeline gave {outcome!r}. An error in the last "
        "stage must stop the pipeline and be raised in the caller too."
    )
    assert tracker.emitted == [0, 1, 4], f"emitted {tracker.emitted!r}, expected [0, 1, 4]"
    assert not left_running, f"threads still alive after the error: {left_running!r}"


def test_results_stream_out_before_the_input_ends():
    tracker = Tracker(30, delay=lambda i: 0.02)
    outcome, _, _ = call_with_deadline(
        lambda: ordered_pipeline(
            tracker.items(), tracker.transform, tracker.emit, workers=2, maxsize=2
        )
    )
    assert outcome == 30, f"ordered_pipeline returned {outcome!r}, expected 30"
    assert tracker.emitted == [i * i for i in range(30)], f"emitted {tracker.emitted!r}"
    assert tracker.read_at_first_emit is not None and tracker.read_at_first_emit < 30, (
        "the first result was emitted only after the whole input had been read. Emit each "
        "result as soon as every result before it has been emitted, not all at the end."
    )


def test_later_items_finishing_first():
    tracker = Tracker(8, delay=lambda i: 0.01 * (8 - i))
    outcome, _, left_running = call_with_deadline(
        lambda: ordered_pipeline(
            tracker.items(), tracker.transform, tracker.emit, workers=4, maxsize=3
        )
    )
    assert tracker.emitted == [i * i for i in range(8)], (
        f"emitted {tracker.emitted!r}; the order must follow the input even when the last "
        "items are the quickest"
    )
    assert outcome == 8 and not left_running, f"returned {outcome!r}, left {left_running!r}"


def test_one_worker_and_a_queue_of_one():
    tracker = Tracker(10, delay=lambda i: 0.002)
    outcome, _, left_running = call_with_deadline(
        lambda: ordered_pipeline(
            tracker.items(), tracker.transform, tracker.emit, workers=1, maxsize=1
        )
    )
    assert tracker.emitted == [i * i for i in range(10)], f"emitted {tracker.emitted!r}"
    assert outcome == 10 and not left_running, f"returned {outcome!r}, left {left_running!r}"


def test_empty_input():
    tracker = Tracker(0)
    outcome, _, left_running = call_with_deadline(
        lambda: ordered_pipeline(tracker.items(), tracker.transform, tracker.emit)
    )
    assert outcome == 0, f"for an empty input ordered_pipeline returned {outcome!r}, not 0"
    assert tracker.emitted == [], f"emit() was called for an empty input: {tracker.emitted!r}"
    assert not left_running, f"threads still alive: {left_running!r}"


def test_two_calls_are_independent():
    first, second = Tracker(5), Tracker(3)
    call_with_deadline(lambda: ordered_pipeline(first.items(), first.transform, first.emit))
    call_with_deadline(lambda: ordered_pipeline(second.items(), second.transform, second.emit))
    assert first.emitted == [0, 1, 4, 9, 16], f"first call emitted {first.emitted!r}"
    assert second.emitted == [0, 1, 4], f"second call emitted {second.emitted!r}"
