"""Further tests: hits while another key computes, many keys, None, failures among successes."""

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


def test_a_cached_key_answers_while_another_key_is_computing():
    release = threading.Event()
    work = Work(hold=lambda key: release.wait(5.0) if key == "slow" else None)
    cache = SingleFlight(work)
    cache.get("ready")
    answers = []
    slow = threading.Thread(target=cache.get, args=("slow",), daemon=True)
    quick = threading.Thread(
        target=lambda: answers.append((cache.get("ready"), cache.get("new"))), daemon=True
    )
    slow.start()
    try:
        assert work.wait_until_running(1, 3.0), "fn('slow') did not start within 3 s"
        quick.start()
        quick.join(1.5)
        assert not quick.is_alive(), (
            "while fn('slow') was running, get('ready') (already cached) and get('new') did "
            "not return within 1.5 s. A slow key must not hold up the others: take the lock "
            "to look up and claim a key, and release it before calling fn."
        )
    finally:
        release.set()
        slow.join(5.0)
        quick.join(5.0)
    assert answers == [(("value of", "ready"), ("value of", "new"))], f"got {answers!r}"
    assert work.calls == Counter({"ready": 1, "slow": 1, "new": 1}), (
        f"fn was called {dict(work.calls)!r} times per key, expected once each"
    )


def test_many_keys_from_many_threads_are_each_computed_once():
    keys = list(range(40))
    for attempt in range(3):
        work = Work(hold=lambda key: time.sleep(0))  # a quick fn that lets other threads run
        cache = SingleFlight(work)
        outcomes = Crowd(6).run([lambda: [cache.get(key) for key in keys]] * 6)
        errors = [outcome for kind, outcome in outcomes if kind == "error"]
        assert not errors, f"attempt {attempt + 1}: get() raised {errors[0]!r}"
        twice = sorted(key for key, count in work.calls.items() if count > 1)
        assert not twice, (
            f"attempt {attempt + 1}: 6 threads asked for keys 0 to 39 in the same order, and "
            f"fn ran more than once for keys {twice[:10]}. Checking the cache and claiming a "
            "missing key must be one step under the lock."
        )
        assert sorted(work.calls) == keys, f"attempt {attempt + 1}: some keys were never computed"
        expected = [("value of", key) for key in keys]
        assert all(values == expected for _, values in outcomes), (
            f"attempt {attempt + 1}: some threads got wrong values"
        )


def test_none_is_a_value_like_any_other():
    crowd = Crowd(6)
    work = Work(result=lambda key: None, hold=crowd.wait_for_everyone)
    cache = SingleFlight(work)
    outcomes = crowd.run([lambda: cache.get("nothing")] * 6)
    assert outcomes == [("value", None)] * 6, f"get() gave {outcomes!r}, expected None for all"
    assert cache.get("nothing") is None, "get('nothing') stopped returning None"
    assert work.calls["nothing"] == 1, (
        f"fn('nothing') returns None and was called {work.calls['nothing']} times. None is a "
        "result to cache like any other: do not use it to mean 'not computed yet'."
    )


def test_after_a_failure_the_next_crowd_shares_one_new_call():
    attempts = Counter()

    def flaky(key):
        attempts[key] += 1
        if attempts[key] == 1:
            raise TimeoutError(f"{key}: too slow")
        return [key, attempts[key]]

    work = Work(result=flaky)
    cache = SingleFlight(work)
    first = Crowd(8, settle=0.5)  # a late waiter would call fn again
    work.hold = first.wait_for_everyone
    outcomes = first.run([lambda: cache.get("quote")] * 8)
    assert all(kind == "error" and isinstance(error, TimeoutError) for kind, error in outcomes), (
        f"the first call of fn('quote') raised TimeoutError; every waiter should get it: "
        f"{outcomes!r}"
    )
    assert work.calls["quote"] == 1, (
        f"fn('quote') ran {work.calls['quote']} times for 8 threads waiting on one failed call"
    )
    second = Crowd(8)
    work.hold = second.wait_for_everyone
    outcomes = second.run([lambda: cache.get("quote")] * 8)
    errors = [error for kind, error in outcomes if kind == "error"]
    assert not errors, (
        f"after a failed call, a new crowd of 8 threads asked for 'quote' and got {errors[0]!r}. "
        "Is the failure cached? A failed call must leave nothing behind, so the next get() "
        "calls fn again."
    )
    values = [value for _, value in outcomes]
    assert values[0] == ["quote", 2] and all(value is values[0] for value in values), (
        f"the 8 threads of the second crowd got {values!r}; they should share one new call"
    )
    assert work.calls["quote"] == 2, f"fn('quote') ran {work.calls['quote']} times in all, not 2"
    assert cache.get("quote") is values[0], "the value of the successful retry was not cached"
    assert work.calls["quote"] == 2, "a get() after the successful retry called fn again"


def test_a_failing_key_does_not_disturb_the_others():
    crowd = Crowd(10, settle=0.5)  # a late waiter of "bad" would call fn again

    def result(key):
        if key == "bad":
            raise ValueError("bad key")
        return ("value of", key)

    work = Work(result=result, hold=crowd.wait_for_everyone)
    cache = SingleFlight(work)
    outcomes = crowd.run([lambda: cache.get("good"), lambda: cache.get("bad")] * 5)
    good, bad = outcomes[0::2], outcomes[1::2]
    assert good == [("value", ("value of", "good"))] * 5, f"get('good') gave {good!r}"
    assert all(kind == "error" and isinstance(error, ValueError) for kind, error in bad), (
        f"get('bad') gave {bad!r}; each of the 5 should raise the ValueError of fn('bad')"
    )
    assert work.calls == Counter({"good": 1, "bad": 1}), (
        f"fn was called {dict(work.calls)!r} times per key, expected once each"
    )
    assert cache.get("good") == ("value of", "good"), "get('good') changed after the crowd"
    try:
        cache.get("bad")
    except ValueError:
        pass
    else:
        raise AssertionError("fn('bad') always raises ValueError, but a later get('bad') did not")
    assert work.calls == Counter({"good": 1, "bad": 2}), (
        f"after the crowd, fn was called {dict(work.calls)!r} times per key: 'good' should come "
        "from the cache and 'bad' be tried again"
    )
