"""Tests you can see: one thread, many threads asking for one key, two slow keys, a failing fn.

The threads of each scenario are released together by a Barrier, and fn waits inside its call
until every thread has asked, so that they all arrive while the first call is still running.
"""

import contextlib
import sys
import threading
import time
from collections import Counter

from solution import SingleFlight


class Work:
    """The function given to SingleFlight: counts its calls per key, and how many run at once."""

    def __init__(self, result=lambda key: ("value of", key), hold=lambda key: None):
        self.result = result  # what a call returns (or raises)
        self.hold = hold  # what a call does first, to stay in flight for a while
        self.changed = threading.Condition()
        self.calls = Counter()
        self.running = 0
        self.most_running = 0

    def __call__(self, key):
        with self.changed:
            self.calls[key] += 1
            self.running += 1
            self.most_running = max(self.most_running, self.running)
            self.changed.notify_all()
        try:
            self.hold(key)
            return self.result(key)
        finally:
            with self.changed:
                self.running -= 1
                self.changed.notify_all()

    def wait_until_running(self, count, timeout):
        """Wait until `count` calls have been in flight at once; False if that never happens."""
        with self.changed:
            return self.changed.wait_for(lambda: self.most_running >= count, timeout)


@contextlib.contextmanager
def fast_switching():
    """On the GIL build, switch threads as often as possible, so that races show."""
    old = sys.getswitchinterval()
    if getattr(sys, "_is_gil_enabled", lambda: True)():
        sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


class Crowd:
    """`size` threads released together at a Barrier, each calling one function once."""

    def __init__(self, size, settle=0.25):
        self.size = size
        self.settle = settle
        self.start = threading.Barrier(size)
        self.asked = 0
        self.changed = threading.Condition()
        self.settled = set()  # the keys whose first call has waited for everyone

    def wait_for_everyone(self, key=None):
        """Used as fn's hold: wait until every thread has called get(), and a little more.

        Each thread counts itself just before it calls get(); the extra `settle` seconds (on
        the first call for each key) let the last ones get from there to wherever the
        solution makes them wait.
        """
        with self.changed:
            self.changed.wait_for(lambda: self.asked == self.size, 3.0)
            first = key not in self.settled
            self.settled.add(key)
        if first:
            time.sleep(self.settle)

    def run(self, functions, seconds=5.0):
        """Run each function in its own thread; return ("value", v) or ("error", e) for each."""
        assert len(functions) == self.size
        outcomes = [None] * self.size

        def run_one(index):
            self.start.wait()
            with self.changed:
                self.asked += 1
                self.changed.notify_all()
            try:
                outcomes[index] = ("value", functions[index]())
            except Exception as error:
                outcomes[index] = ("error", error)

        threads = [
            threading.Thread(target=run_one, args=(index,), daemon=True)
            for index in range(self.size)
        ]
        with fast_switching():
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + seconds
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
        stuck = sum(thread.is_alive() for thread in threads)
        assert not stuck, (
            f"{stuck} of {len(threads)} threads were still inside get() after {seconds:g} s. "
            "Is a waiter never woken? Whatever fn does, returns or raises, the threads waiting "
            "for that call must be told."
        )
        return outcomes


def test_one_thread_computes_each_key_once():
    work = Work()
    cache = SingleFlight(work)
    assert cache.get(2) == ("value of", 2), f"get(2) returned {cache.get(2)!r}"
    assert cache.get(2) == ("value of", 2), "a second get(2) returned something else"
    assert cache.get("three") == ("value of", "three"), "get('three') returned the wrong value"
    assert cache.get(2) == ("value of", 2), "get(2) after another key returned something else"
    assert work.calls == Counter({2: 1, "three": 1}), (
        f"fn was called {dict(work.calls)!r} times per key; each key should be computed once "
        "and then come from the cache"
    )


def test_many_threads_asking_for_one_key_share_one_call():
    for attempt in range(3):
        crowd = Crowd(8)
        work = Work(result=lambda key: [key], hold=crowd.wait_for_everyone)  # a new list each call
        cache = SingleFlight(work)
        outcomes = crowd.run([lambda: cache.get("report")] * 8)
        assert work.calls["report"] == 1, (
            f"attempt {attempt + 1}: 8 threads asked for 'report' at the same moment and fn ran "
            f"{work.calls['report']} times. Each thread saw the key missing and computed it "
            "itself. The first thread must claim the key, under a lock, before computing it; "
            "the others must wait for its result."
        )
        errors = [outcome for kind, outcome in outcomes if kind == "error"]
        assert not errors, f"attempt {attempt + 1}: get() raised {errors[0]!r}"
        values = [value for _, value in outcomes]
        assert all(value is values[0] for value in values) and values[0] == ["report"], (
            f"attempt {attempt + 1}: the threads did not all get the result of the one call: "
            f"{values!r}"
        )


def test_two_slow_keys_are_computed_at_the_same_time():
    work = Work()
    # Each call waits (up to 1.5 s) until the other key's call is running too.
    work.hold = lambda key: work.wait_until_running(2, 1.5)
    cache = SingleFlight(work)
    outcomes = Crowd(6).run([lambda: cache.get("left"), lambda: cache.get("right")] * 3)
    assert work.most_running == 2, (
        "fn('left') and fn('right') never ran at the same time: each waited 1.5 s for the "
        "other to start. Is one lock held while fn runs? It makes every key wait for every "
        "other; hold the lock only to look up and claim a key, never while computing."
    )
    assert work.calls == Counter({"left": 1, "right": 1}), (
        f"fn was called {dict(work.calls)!r} times per key, expected once each"
    )
    assert sorted(value for _, value in outcomes) == sorted(
        [("value of", "left"), ("value of", "right")] * 3
    ), f"get() returned {outcomes!r}"


def test_an_exception_reaches_every_waiter():
    crowd = Crowd(8, settle=0.5)  # a late waiter would call fn again

    def fail(key):
        raise LookupError(f"no {key} today")

    work = Work(result=fail, hold=crowd.wait_for_everyone)
    cache = SingleFlight(work)
    outcomes = crowd.run([lambda: cache.get("weather")] * 8)
    wrong = [outcome for outcome in outcomes if outcome[0] != "error"]
    assert not wrong, (
        f"fn('weather') raised LookupError, yet {len(wrong)} of 8 threads got a value from "
        f"get(): {wrong[0][1]!r}. Every thread waiting for a call that fails must get its "
        "exception."
    )
    for _, error in outcomes:
        assert isinstance(error, LookupError) and str(error) == "no weather today", (
            f"get() raised {error!r}, expected the LookupError that fn raised"
        )
    assert work.calls["weather"] == 1, (
        f"8 threads waited for one call of fn('weather'), which failed, and fn ran "
        f"{work.calls['weather']} times. The waiters of a failed call must get its exception, "
        "not each call fn again."
    )


def test_a_failed_key_is_tried_again():
    attempts = Counter()

    def flaky(key):
        attempts[key] += 1
        if attempts[key] == 1:
            raise ConnectionError(f"{key}: the server is busy")
        return f"{key} on attempt {attempts[key]}"

    work = Work(result=flaky)
    cache = SingleFlight(work)
    try:
        cache.get("page")
    except ConnectionError:
        pass
    else:
        raise AssertionError("fn('page') raised ConnectionError, but get('page') did not")
    try:
        value = cache.get("page")
    except ConnectionError as error:
        raise AssertionError(
            f"the first call of fn('page') failed, and the next get('page') raised {error!r} "
            "again without calling fn: do not cache an exception, let the next get() try again"
        ) from None
    assert value == "page on attempt 2", f"get('page') returned {value!r}"
    assert cache.get("page") == "page on attempt 2", "the value of the retry was not cached"
    assert work.calls["page"] == 2, f"fn('page') was called {work.calls['page']} times, expected 2"
