"""Tests you can see: correct results in input order, an empty input, overlapping waits."""

import threading
import time

from solution import fetch_all


class SlowFetch:
    """A stand-in for a network call: waits for a set time per id, then returns a result.

    It records every id it is called with, so the tests can check what was fetched.
    """

    def __init__(self, delays):
        self.delays = delays  # id -> seconds to wait
        self.calls = []
        self._lock = threading.Lock()

    def __call__(self, item_id):
        with self._lock:
            self.calls.append(item_id)
        time.sleep(self.delays[item_id])
        return f"result-{item_id}"


def test_results_are_in_input_order():
    # Later ids are quicker, so they finish first: the answer must still follow the input.
    fetch = SlowFetch({1: 0.2, 2: 0.15, 3: 0.1, 4: 0.05})
    got = fetch_all([1, 2, 3, 4], fetch)
    expected = ["result-1", "result-2", "result-3", "result-4"]
    assert got == expected, (
        f"fetch_all([1, 2, 3, 4], fetch) returned {got!r}, expected {expected!r}. "
        "The results must be in the order of the ids, not in the order the fetches finish."
    )


def test_empty_input_gives_empty_list():
    fetch = SlowFetch({})
    got = fetch_all([], fetch)
    assert got == [], f"fetch_all([], fetch) returned {got!r}, expected []"
    assert fetch.calls == [], f"fetch was called for an empty input: {fetch.calls!r}"


def test_five_fetches_overlap():
    ids = [10, 11, 12, 13, 14]
    fetch = SlowFetch({item_id: 0.3 for item_id in ids})
    start = time.perf_counter()
    got = fetch_all(ids, fetch)
    elapsed = time.perf_counter() - start
    expected = [f"result-{item_id}" for item_id in ids]
    assert got == expected, f"returned {got!r}, expected {expected!r}"
    assert elapsed < 0.9, (
        f"5 fetches of 0.3 s each took {elapsed:.2f} s. If they all overlap, the call takes "
        "a little over 0.3 s; the test allows up to 0.9 s, and a sequential loop needs 1.5 s. "
        "Start every thread before you join any of them, and run all the fetches at once."
    )
