"""Tests you can see: input order, an empty input, the in-flight limit, overlapping work."""

import threading
import time

from solution import bounded_map


class Source:
    """An input stream that counts how far ahead of the caller it has been read."""

    def __init__(self, count):
        self.count = count
        self.pulled = 0  # items handed out by this stream
        self.received = 0  # results the caller has received
        self.max_ahead = 0  # the largest pulled - received seen

    def __iter__(self):
        for item in range(self.count):
            self.pulled += 1
            self.max_ahead = max(self.max_ahead, self.pulled - self.received)
            yield item

    def consume(self, results):
        got = []
        for result in results:
            self.received += 1
            got.append(result)
        return got


class Work:
    """fn for the tests: sleeps, returns item * item, and records how many calls overlap."""

    def __init__(self, seconds):
        self.seconds = seconds  # a number, or a function of the item
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def __call__(self, item):
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            delay = self.seconds(item) if callable(self.seconds) else self.seconds
            time.sleep(delay)
            return item * item
        finally:
            with self._lock:
                self.running -= 1


def test_results_in_input_order():
    source = Source(12)
    work = Work(lambda item: 0.005 * (12 - item))  # later items finish sooner
    got = source.consume(bounded_map(work, source, max_in_flight=4, max_workers=2))
    expected = [item * item for item in range(12)]
    assert got == expected, (
        f"bounded_map returned {got!r}, expected {expected!r}: yield the results in the "
        "order of the input, not in the order they finish"
    )


def test_empty_input():
    source = Source(0)
    got = source.consume(bounded_map(Work(0.01), source, max_in_flight=3))
    assert got == [], f"an empty input must give no results, got {got!r}"


def test_never_more_than_max_in_flight():
    source = Source(60)
    got = source.consume(bounded_map(Work(0.002), source, max_in_flight=4, max_workers=2))
    assert got == [item * item for item in range(60)], f"wrong results: {got!r}"
    assert source.max_ahead <= 4, (
        f"up to {source.max_ahead} items were pulled from the input before the caller had "
        "received their results; max_in_flight=4 allows 4. Do not pull the next item while "
        "max_in_flight results are still waiting to be yielded."
    )
    assert source.max_ahead >= 2, (
        "only one item was ever in flight: keep up to max_in_flight items submitted so that "
        "the workers stay busy"
    )


def test_work_overlaps_in_the_pool():
    source = Source(8)
    work = Work(0.1)
    start = time.perf_counter()
    got = source.consume(bounded_map(work, source, max_in_flight=4, max_workers=2))
    elapsed = time.perf_counter() - start
    assert got == [item * item for item in range(8)], f"wrong results: {got!r}"
    assert work.peak == 2, (
        f"{work.peak} calls of fn ran at the same time with max_workers=2; expected 2 "
        "(run fn in a pool of max_workers threads)"
    )
    assert elapsed < 0.7, (
        f"8 calls of 0.1 s with 2 workers took {elapsed:.2f} s; expected about 0.4 s "
        "(the test allows 0.7 s, one at a time needs 0.8 s)"
    )
