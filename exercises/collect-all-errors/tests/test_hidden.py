"""Further tests: except*, string ids, nothing lost from threads, fail_fast on and off."""

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
        self.succeeded = []

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
                with self._lock:
                    self.succeeded.append(task_id)
                return result
            finally:
                with self._lock:
                    self.running -= 1
                    self.finished.append(task_id)

        return run


def run_with_deadline(tasks, seconds, **options):
    """Call run_all in a daemon thread; return (outcome, value, elapsed) or fail if it hangs."""
    box = {}

    def target():
        start = time.perf_counter()
        try:
            box["outcome"] = ("ok", run_all(tasks, **options))
        except BaseException as error:
            box["outcome"] = ("raised", error)
        box["elapsed"] = time.perf_counter() - start

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), (
        f"run_all did not return within {seconds} s: it is probably waiting for futures that "
        "were cancelled (as_completed() and wait() never report futures cancelled by "
        "shutdown(cancel_futures=True)), or for a task that never runs"
    )
    outcome, value = box["outcome"]
    return outcome, value, box["elapsed"]


def test_except_star_sorts_failures_by_type():
    batch = Batch()
    tasks = {
        "parse": batch.task("parse", 0.03, error=ValueError("not a number")),
        "fetch": batch.task("fetch", 0.03, error=ConnectionError("reset")),
        "store": batch.task("store", 0.03, result="stored"),
        "check": batch.task("check", 0.03, error=ValueError("out of range")),
    }
    value_ids, connection_ids = [], []
    try:
        run_all(tasks, max_workers=2)
    except* ValueError as group:
        value_ids = [error.task_id for error in group.exceptions]
    except* ConnectionError as group:
        connection_ids = [error.task_id for error in group.exceptions]
    assert value_ids == ["parse", "check"], (
        f"except* ValueError received the tasks {value_ids!r}, expected ['parse', 'check']: "
        "raise an ExceptionGroup of the original exceptions, each with its task_id"
    )
    assert connection_ids == ["fetch"], (
        f"except* ConnectionError received the tasks {connection_ids!r}, expected ['fetch']"
    )


def test_a_single_failure_is_raised_not_lost():
    batch = Batch()
    tasks = {
        "a": batch.task("a", 0.02, result=1),
        "b": batch.task("b", 0.02, error=RuntimeError("disk full")),
    }
    outcome, value, _ = run_with_deadline(tasks, 5, max_workers=2)
    assert outcome == "raised", (
        f"task 'b' raised RuntimeError but run_all returned {value!r}: an exception in a "
        "worker thread must reach the caller, not be swallowed or printed and forgotten"
    )
    assert isinstance(value, ExceptionGroup), (
        f"run_all raised {value!r}; even a single failure must come in an ExceptionGroup"
    )
    assert [type(error) for error in value.exceptions] == [RuntimeError], (
        f"the group holds {value.exceptions!r}"
    )
    assert value.exceptions[0].task_id == "b", "the failure's task_id must be 'b'"
    assert value.exceptions[0].__traceback__ is not None, (
        "raise the exception the task raised, with its traceback, not a new one"
    )
    assert value.results == {"a": 1}, f"group.results is {value.results!r}, expected {{'a': 1}}"


def test_without_fail_fast_every_task_runs():
    batch = Batch()
    tasks = {0: batch.task(0, 0.01, error=ValueError("early failure"))}
    tasks.update({i: batch.task(i, 0.05, result=i) for i in range(1, 8)})
    outcome, value, _ = run_with_deadline(tasks, 5, max_workers=2)
    assert outcome == "raised" and isinstance(value, ExceptionGroup), (
        f"expected an ExceptionGroup, got {outcome} {value!r}"
    )
    assert sorted(batch.started) == list(range(8)), (
        f"with fail_fast=False every task must run; these ran: {sorted(batch.started)!r}"
    )
    assert value.results == {i: i for i in range(1, 8)}, f"group.results is {value.results!r}"
    assert list(value.results) == list(range(1, 8)), "results must be in the order of tasks"


def test_fail_fast_cancels_what_has_not_started():
    batch = Batch()
    failure = ValueError("task 0 failed at once")
    tasks = {0: batch.task(0, 0.02, error=failure)}
    tasks.update({i: batch.task(i, 0.25, result=i) for i in range(1, 10)})
    outcome, value, elapsed = run_with_deadline(tasks, 4, max_workers=2, fail_fast=True)
    assert outcome == "raised" and isinstance(value, ExceptionGroup), (
        f"expected an ExceptionGroup, got {outcome} {value!r}"
    )
    assert list(value.exceptions) == [failure], f"the group holds {value.exceptions!r}"
    assert len(batch.started) <= 5, (
        f"{len(batch.started)} of 10 tasks started with fail_fast=True; after the first "
        "failure, cancel the tasks that have not started (future.cancel() or "
        "shutdown(cancel_futures=True))"
    )
    assert elapsed < 0.9, (
        f"run_all took {elapsed:.2f} s with fail_fast=True; it should stop after the running "
        "tasks finish (about 0.3 s); running all ten needs more than 1.2 s"
    )
    assert sorted(batch.finished) == sorted(batch.started), (
        "run_all returned while tasks were still running; wait for the running tasks "
        f"(started {sorted(batch.started)!r}, finished {sorted(batch.finished)!r})"
    )
    expected = {task_id: task_id for task_id in sorted(batch.succeeded)}
    assert value.results == expected, (
        f"group.results is {value.results!r}; it must hold exactly the tasks that finished "
        f"successfully: {expected!r}"
    )


def test_fail_fast_with_no_failure_returns_everything():
    batch = Batch()
    tasks = {name: batch.task(name, 0.02, result=name.upper()) for name in ("x", "y", "z")}
    outcome, value, _ = run_with_deadline(tasks, 5, max_workers=2, fail_fast=True)
    assert outcome == "ok", f"no task failed, but run_all raised {value!r}"
    assert value == {"x": "X", "y": "Y", "z": "Z"}, f"run_all returned {value!r}"
