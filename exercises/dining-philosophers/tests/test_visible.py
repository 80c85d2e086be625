"""Tests you can see: both forks held, everyone eats, no deadlock, no starvation."""

import threading
import time

from solution import dine


class Abandoned(SystemExit):
    """Raised in a philosopher still waiting for a fork after the test gave up on the dinner.

    It is a SystemExit, so the stuck thread ends quietly and the tests can go on.
    """


class Table:
    """The forks of one dinner, and a record of who ate when."""

    def __init__(self, n, pause=0.0, eating_time=0.0, slow=None):
        self.abandoned = threading.Event()
        self.forks = [Fork(number, self, pause) for number in range(n)]
        self.eating_time = eating_time
        self.slow = slow or {}  # philosopher -> its (longer) eating time
        self.meals = [0] * n
        self.eating_now = 0
        self.most_at_once = 0
        self.problems = []
        self._lock = threading.Lock()

    def eat(self, i):
        n = len(self.forks)
        me = threading.get_ident()
        for number in (i, (i + 1) % n):
            if self.forks[number].owner != me:
                self.problems.append(
                    f"philosopher {i} ate without holding fork {number} "
                    f"(philosopher i needs forks i and (i + 1) % n, here {i} and {(i + 1) % n})"
                )
        with self._lock:
            self.meals[i] += 1
            self.eating_now += 1
            self.most_at_once = max(self.most_at_once, self.eating_now)
        time.sleep(self.slow.get(i, self.eating_time))
        with self._lock:
            self.eating_now -= 1


class Fork:
    """A lock that records its owner and pauses after being picked up."""

    def __init__(self, number, table, pause):
        self.number, self.table, self.pause = number, table, pause
        self.owner = None
        self._lock = threading.Lock()

    def acquire(self, blocking=True, timeout=-1):
        if not blocking:
            got = self._lock.acquire(False)
        else:
            deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
            while True:
                if self.table.abandoned.is_set():
                    raise Abandoned()
                wait = 0.05
                if deadline is not None:
                    wait = max(0.0, min(wait, deadline - time.monotonic()))
                got = self._lock.acquire(timeout=wait)
                if got or (deadline is not None and time.monotonic() >= deadline):
                    break
        if got:
            self.owner = threading.get_ident()
            if self.pause:
                time.sleep(self.pause)  # widen the window in which a circular wait forms
        return got

    def release(self):
        if self.owner != threading.get_ident():
            raise RuntimeError(f"fork {self.number} was put down by a thread that does not hold it")
        self.owner = None
        self._lock.release()

    def locked(self):
        return self._lock.locked()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()

    def __repr__(self):
        return f"<fork {self.number}>"


def run_dinner(table, meals, limit):
    """Call dine() in a daemon thread; fail with a report if it is still running after `limit`."""
    outcome = {}

    def runner():
        try:
            outcome["value"] = dine(table.forks, meals, table.eat)
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    dinner = threading.Thread(target=runner, daemon=True, name="dinner")
    dinner.start()
    dinner.join(limit)
    if dinner.is_alive():
        held = [fork.number for fork in table.forks if fork.locked()]
        table.abandoned.set()  # the philosophers still waiting for a fork now end
        dinner.join(2.0)
        raise AssertionError(
            f"deadlock: the dinner of {len(table.forks)} philosophers did not finish within "
            f"{limit} s. Forks held at that moment: {held}; meals eaten: {table.meals}. "
            "When every philosopher holds one fork and waits for the next, nobody can eat: "
            "pick up the forks in one global order (the lower-numbered fork first)."
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def check_dinner(table, meals, got):
    n = len(table.forks)
    assert not table.problems, table.problems[0]
    assert table.meals == [meals] * n, (
        f"each of the {n} philosophers must eat exactly {meals} times; eat() was called "
        f"{table.meals} times per philosopher"
    )
    assert got == [meals] * n, f"dine() returned {got!r}, expected {[meals] * n!r}"
    busy = [fork.number for fork in table.forks if fork.locked()]
    assert not busy, f"forks {busy} are still held after dine() returned"


def test_everyone_eats_holding_both_forks():
    table = Table(5, eating_time=0.01)
    got = run_dinner(table, 3, limit=3.0)
    check_dinner(table, 3, got)


def test_no_deadlock_when_everyone_reaches_at_once():
    table = Table(5, pause=0.05, eating_time=0.01)
    got = run_dinner(table, 3, limit=3.0)
    check_dinner(table, 3, got)


def test_slow_eater_is_not_starved():
    table = Table(5, eating_time=0.002, slow={0: 0.06})
    got = run_dinner(table, 4, limit=3.0)
    assert table.meals[0] == 4, (
        f"philosopher 0 eats slowly and got only {table.meals[0]} of its 4 meals "
        f"(meals eaten: {table.meals}). A slow eater must not go hungry: every philosopher eats "
        "exactly `meals` times, however long its meals take."
    )
    check_dinner(table, 4, got)
