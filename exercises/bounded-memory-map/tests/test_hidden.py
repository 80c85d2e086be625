"""Further tests: an endless input, stopping early, other window sizes, random delays."""

import random
import threading
import time

from solution import bounded_map


class Source:
    """An input stream that counts how far ahead of the caller it has been read.

    With count=None it is endless, but it refuses to hand out more than `guard` items,
    so that a solution reading everything ahead fails instead of filling the memory.
    """

    def __init__(self, count, guard=500):
        self.count = count
        self.guard = guard
        self.pulled = 0
        self.received = 0
        self.max_ahead = 0

    def __iter__(self):
        item = 0
        while self.count is None or item < self.count:
            if self.pulled >= self.guard:
                raise RuntimeError(
                    f"{self.pulled} items were pulled from an endless input: bounded_map "
                    "reads the input ahead without a limit"
                )
            self.pulled += 1
            self.max_ahead = max(self.max_ahead, self.pulled - self.received)
            yield item
            item += 1


class Work:
    def __init__(self, seconds):
        self.seconds = seconds
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


def run_with_deadline(function, seconds):
    box = {}

    def target():
        try:
            box["value"] = ("ok", function())
        except BaseException as error:
            box["value"] = ("raised", error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"bounded_map did not finish within {seconds} s"
    outcome, value = box["value"]
    if outcome == "raised":
        raise AssertionError(f"bounded_map raised {value!r}") from value
    return value


def test_endless_input_and_stopping_early():
    source = Source(None)
    work = Work(0.005)

    def take_ten():
        results = bounded_map(work, source, max_in_flight=5, max_workers=2)
        got = []
        for result in results:
            source.received += 1
            got.append(result)
            if len(got) == 10:
                break
        results.close()  # stop early: the pool must be shut down, nothing more pulled
        return got

    got = run_with_deadline(take_ten, 5)
    assert got == [item * item for item in range(10)], f"the first ten results were {got!r}"
    assert source.pulled <= 15, (
        f"{source.pulled} items were pulled to produce 10 results with max_in_flight=5; "
        "at most 15 are allowed"
    )
    assert source.max_ahead <= 5, f"up to {source.max_ahead} items were in flight, limit 5"


def test_window_of_one_is_one_at_a_time():
    source = Source(6)
    work = Work(0.01)

    def run():
        got = []
        for result in bounded_map(work, source, max_in_flight=1, max_workers=2):
            source.received += 1
            got.append(result)
        return got

    got = run_with_deadline(run, 5)
    assert got == [item * item for item in range(6)], f"wrong results: {got!r}"
    assert source.max_ahead == 1, (
        f"with max_in_flight=1 exactly one item may be in flight, saw {source.max_ahead}"
    )
    assert work.peak == 1, f"{work.peak} calls overlapped with max_in_flight=1"


def test_random_delays_order_and_limits():
    rng = random.Random(45)
    delays = [rng.uniform(0.0, 0.03) for _ in range(40)]
    source = Source(40)
    work = Work(lambda item: delays[item])

    def run():
        got = []
        for result in bounded_map(work, source, max_in_flight=6, max_workers=3):
            source.received += 1
            got.append(result)
        return got

    got = run_with_deadline(run, 6)
    assert got == [item * item for item in range(40)], f"results out of order or wrong: {got!r}"
    assert source.max_ahead <= 6, f"up to {source.max_ahead} items were in flight, limit 6"
    assert work.peak <= 3, f"{work.peak} calls ran at once with max_workers=3"
    assert work.peak >= 2, "the calls never overlapped: use the pool"


def test_pool_size_is_respected_with_a_wide_window():
    source = Source(12)
    work = Work(0.05)

    def run():
        got = []
        for result in bounded_map(work, source, max_in_flight=8, max_workers=2):
            source.received += 1
            got.append(result)
        return got

    got = run_with_deadline(run, 5)
    assert got == [item * item for item in range(12)], f"wrong results: {got!r}"
    assert work.peak == 2, (
        f"{work.peak} calls ran at once with max_workers=2 and max_in_flight=8; "
        "max_in_flight limits the items held, max_workers the calls running"
    )
    assert source.max_ahead <= 8, f"up to {source.max_ahead} items were in flight, limit 8"
