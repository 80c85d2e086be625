"""Tests you can see: results as they complete, the deadline and cancellation, exceptions."""

import threading
import time

from solution import run_with_deadline


class Recorder:
    """Makes tasks that sleep and return a value, and records which of them started."""

    def __init__(self):
        self.started = set()
        self._lock = threading.Lock()

    def task(self, index, seconds, value=None, error=None):
        def run():
            with self._lock:
                self.started.add(index)
            time.sleep(seconds)
            if error is not None:
                raise error
            return value

        return run


def test_all_tasks_finish_in_time():
    recorder = Recorder()
    tasks = [recorder.task(i, 0.3, value=f"value-{i}") for i in range(5)]
    start = time.perf_counter()
    got = run_with_deadline(tasks, timeout=3.0, max_workers=5)
    elapsed = time.perf_counter() - start
    assert isinstance(got, tuple) and len(got) == 2, (
        f"run_with_deadline must return a tuple (results, cancelled), got {got!r}"
    )
    results, cancelled = got
    expected = {i: f"value-{i}" for i in range(5)}
    assert results == expected, f"results were {results!r}, expected {expected!r}"
    assert cancelled == [], f"nothing should be cancelled when all tasks finish: {cancelled!r}"
    assert elapsed < 0.9, (
        f"5 tasks of 0.3 s on 5 workers took {elapsed:.2f} s; running together they take a "
        "little over 0.3 s (the test allows 0.9 s; one after another they need 1.5 s). "
        "Submit them all to the pool before waiting for any, and return as soon as all are done."
    )


def test_deadline_cancels_tasks_that_have_not_started():
    recorder = Recorder()
    tasks = [
        recorder.task(0, 0.05, value="quick"),
        recorder.task(1, 1.5, value="slow-1"),
        recorder.task(2, 1.5, value="slow-2"),
        recorder.task(3, 0.05, value="queued-1"),
        recorder.task(4, 0.05, value="queued-2"),
    ]
    start = time.perf_counter()
    results, cancelled = run_with_deadline(tasks, timeout=0.3, max_workers=2)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.8, (
        f"the deadline was 0.3 s but run_with_deadline returned after {elapsed:.2f} s. "
        "It must not wait for tasks that are still running (tasks 1 and 2 take 1.5 s); "
        "note that leaving a `with ThreadPoolExecutor(...)` block waits for them."
    )
    assert results == {0: "quick"}, (
        f"results were {results!r}; only task 0 finished before the deadline, so expected "
        "{0: 'quick'}"
    )
    assert cancelled == [3, 4], (
        f"cancelled was {cancelled!r}, expected [3, 4]: with two workers busy on tasks 1 and 2, "
        "tasks 3 and 4 had not started at the deadline. Tasks still running cannot be "
        "cancelled and belong in neither list."
    )
    time.sleep(max(0.0, 1.9 - (time.perf_counter() - start)))  # the slow tasks are over now
    ran = sorted(recorder.started & {3, 4})
    assert not ran, (
        f"tasks {ran} ran after the deadline although they were reported as cancelled: "
        "call cancel() on their futures (it returns True for a task that has not started)"
    )


def test_exception_reaches_the_caller():
    recorder = Recorder()
    boom = ValueError("task 1 failed")
    tasks = [
        recorder.task(0, 0.05, value="fine"),
        recorder.task(1, 0.1, error=boom),
        recorder.task(2, 0.05, value="also fine"),
    ]
    try:
        run_with_deadline(tasks, timeout=3.0, max_workers=3)
    except ValueError as error:
        assert error is boom, (
            f"caught {error!r}, but it is not the exception object the task raised"
        )
    else:
        raise AssertionError("task 1 raised ValueError, but run_with_deadline did not raise it")
