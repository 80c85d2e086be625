"""Tests you can see: results in task order, every failure in one ExceptionGroup, a real pool."""

import threading
import time

from solution import run_all


class Batch:
    """Builds tasks that record when they start and finish, and how many run at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.started = []
        self.finished = []

    def task(self, task_id, seconds, result=None, error=None):
        def run():
            with self._lock:
                self.started.append(task_id)
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                time.sleep(seconds)
                if error is not None:
                    raise error
                return result
            finally:
                with self._lock:
                    self.running -= 1
                    self.finished.append(task_id)

        return run


def call_run_all(tasks, **options):
    """Return ("ok", value) or ("raised", exception)."""
    try:
        return "ok", run_all(tasks, **options)
    except Exception as error:  # an ExceptionGroup is an Exception
        return "raised", error


def test_all_succeed_results_in_task_order():
    batch = Batch()
    # Later tasks are quicker, so they finish first: the answer must follow the tasks.
    tasks = {i: batch.task(i, 0.2 - 0.04 * i, result=i * 10) for i in range(5)}
    got = run_all(tasks, max_workers=3)
    assert got == {0: 0, 1: 10, 2: 20, 3: 30, 4: 40}, f"run_all returned {got!r}"
    assert list(got) == [0, 1, 2, 3, 4], (
        f"the keys must be in the order of tasks, got {list(got)!r}"
    )


def test_no_tasks_gives_empty_dict():
    got = run_all({})
    assert got == {}, f"run_all({{}}) returned {got!r}, expected {{}}"


def test_every_failure_is_reported_in_one_group():
    batch = Batch()
    first = ValueError("task 1 got bad input")
    second = KeyError("task 3 missing key")
    tasks = {
        0: batch.task(0, 0.05, result="zero"),
        1: batch.task(1, 0.05, error=first),
        2: batch.task(2, 0.05, result="two"),
        3: batch.task(3, 0.05, error=second),
        4: batch.task(4, 0.05, result="four"),
    }
    outcome, value = call_run_all(tasks, max_workers=2)
    assert outcome == "raised", (
        f"two of five tasks failed, but run_all returned {value!r} instead of raising: "
        "the failures were swallowed or lost in the worker threads"
    )
    assert isinstance(value, ExceptionGroup), (
        f"run_all raised {value!r}; it must raise an ExceptionGroup holding every failure, "
        "not just the first one"
    )
    members = list(value.exceptions)
    assert len(members) == 2, f"the group must hold both failures, it holds {members!r}"
    assert members[0] is first and members[1] is second, (
        f"the group must hold the original exception objects in task order, got {members!r}"
    )
    ids = [getattr(error, "task_id", "<missing>") for error in members]
    assert ids == [1, 3], f"the task_id attributes of the failures are {ids!r}, expected [1, 3]"
    results = getattr(value, "results", "<missing>")
    assert results == {0: "zero", 2: "two", 4: "four"}, (
        f"the group's results attribute is {results!r}, expected the three successes"
    )


def test_tasks_run_in_a_pool_of_max_workers():
    batch = Batch()
    tasks = {i: batch.task(i, 0.15, result=i) for i in range(6)}
    start = time.perf_counter()
    got = run_all(tasks, max_workers=3)
    elapsed = time.perf_counter() - start
    assert got == {i: i for i in range(6)}, f"run_all returned {got!r}"
    assert batch.peak <= 3, (
        f"{batch.peak} tasks ran at the same time with max_workers=3; never run more than "
        "max_workers at once"
    )
    assert batch.peak >= 2, (
        "the tasks never overlapped: run them in a pool of threads, not one after another"
    )
    assert elapsed < 0.8, (
        f"6 tasks of 0.15 s with 3 workers took {elapsed:.2f} s; expected about 0.3 s "
        "(the test allows 0.8 s, one after another needs 0.9 s)"
    )
