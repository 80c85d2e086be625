"""Further tests: each id fetched once, other inputs, six overlapping fetches."""

import threading
import time
from collections import Counter

from solution import fetch_all


class SlowFetch:
    """A stand-in for a network call: waits for a set time per id, then returns a result."""

    def __init__(self, delays):
        self.delays = delays  # id -> seconds to wait
        self.calls = []
        self._lock = threading.Lock()

    def __call__(self, item_id):
        with self._lock:
            self.calls.append(item_id)
        time.sleep(self.delays[item_id])
        return f"result-{item_id}"


def test_each_id_is_fetched_exactly_once():
    ids = ["a", "b", "c", "d", "e", "f"]
    fetch = SlowFetch({item_id: 0.05 for item_id in ids})
    got = fetch_all(ids, fetch)
    counts = Counter(fetch.calls)
    wrong = {item_id: counts[item_id] for item_id in ids if counts[item_id] != 1}
    assert not wrong, (
        f"each id must be fetched exactly once; these were fetched a different number of "
        f"times: {wrong!r}"
    )
    assert len(fetch.calls) == len(ids), (
        f"fetch was called {len(fetch.calls)} times for {len(ids)} ids: {fetch.calls!r}"
    )
    assert got == [f"result-{item_id}" for item_id in ids], f"wrong results: {got!r}"


def test_tuple_of_strings_finishing_in_reverse():
    ids = ("north", "east", "south", "west", "up")
    delays = {item_id: 0.04 * (len(ids) - i) for i, item_id in enumerate(ids)}
    fetch = SlowFetch(delays)
    got = fetch_all(ids, fetch)
    expected = [f"result-{item_id}" for item_id in ids]
    assert got == expected, (
        f"fetch_all({ids!r}, fetch) returned {got!r}, expected {expected!r}. "
        "Keep the results in input order even when the last ids finish first."
    )


def test_returns_a_list():
    fetch = SlowFetch({7: 0.05})
    got = fetch_all([7], fetch)
    assert isinstance(got, list), f"fetch_all must return a list, got {type(got).__name__}"
    assert got == ["result-7"], f"fetch_all([7], fetch) returned {got!r}"


def test_two_calls_are_independent():
    first = fetch_all([1, 2, 3], SlowFetch({1: 0.05, 2: 0.05, 3: 0.05}))
    second = fetch_all([8, 9], SlowFetch({8: 0.05, 9: 0.05}))
    assert first == ["result-1", "result-2", "result-3"], f"first call returned {first!r}"
    assert second == ["result-8", "result-9"], (
        f"second call returned {second!r}; results from one call must not leak into the next"
    )


def test_six_fetches_overlap():
    ids = [100, 101, 102, 103, 104, 105]
    fetch = SlowFetch({item_id: 0.3 for item_id in ids})
    start = time.perf_counter()
    got = fetch_all(ids, fetch)
    elapsed = time.perf_counter() - start
    assert got == [f"result-{item_id}" for item_id in ids], f"wrong results: {got!r}"
    assert elapsed < 0.8, (
        f"6 fetches of 0.3 s each took {elapsed:.2f} s; with all of them overlapping it "
        "takes a little over 0.3 s (the test allows 0.8 s, a sequential loop needs 1.8 s)"
    )
