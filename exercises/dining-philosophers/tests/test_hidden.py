"""Further tests: other table sizes, no meals, non-neighbours eat together, no threads left."""

import threading
import time

from solution import dine


class Abandoned(SystemExit):
    """Raised in a philosopher still waiting for a fork after the test gave up on the dinner.

    It is a SystemExit, so the stuck thread ends quietly and the tests can go on.
    """


class Table:
    """The forks of one dinner, and a record of who ate when."""

    def __init__(self, n, pause=0.0, eating_time=0.0):
        self.abandoned = threading.Event()
        self.forks = [Fork(number, self, pause) for number in range(n)]
        self.eating_time = eating_time
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
                self.problems.append(f"philosopher {i} ate without holding fork {number}")
        with self._lock:
            self.meals[i] += 1
            self.eating_now += 1
            self.most_at_once = max(self.most_at_once, self.eating_now)
        time.sleep(self.eating_time)
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
                time.sleep(self.pause)
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
        table.abandoned.set()
        dinner.join(2.0)
        raise AssertionError(
            f"deadlock: the dinner of {len(table.forks)} philosophers did not finish within "
            f"{limit} s (forks held: {held}; meals eaten: {table.meals}). Pick up the forks "
            "in one global order."
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


def test_two_philosophers_share_two_forks():
    table = Table(2, pause=0.05, eating_time=0.005)
    got = run_dinner(table, 3, limit=3.0)
    check_dinner(table, 3, got)


def test_three_and_seven_philosophers():
    for n in (3, 7):
        table = Table(n, pause=0.03, eating_time=0.005)
        got = run_dinner(table, 2, limit=3.0)
        check_dinner(table, 2, got)


def test_no_meals():
    table = Table(4)
    got = run_dinner(table, 0, limit=3.0)
    check_dinner(table, 0, got)


def test_non_neighbours_eat_at_the_same_time():
    table = Table(6, eating_time=0.05)
    got = run_dinner(table, 2, limit=3.0)
    check_dinner(table, 2, got)
    assert table.most_at_once >= 2, (
        "no two philosophers ever ate at the same time. Only neighbours share a fork; "
        "philosophers who are not neighbours should be able to eat together, so don't hold "
        "one lock for the whole table while eating."
    )


def test_no_philosopher_thread_left_running():
    before = threading.active_count()
    table = Table(5, eating_time=0.002)
    run_dinner(table, 2, limit=3.0)
    time.sleep(0.05)  # the dinner thread itself is ending
    assert threading.active_count() <= before, (
        f"{threading.active_count() - before} threads are still running after dine() "
        "returned: join every philosopher's thread before returning"
    )
