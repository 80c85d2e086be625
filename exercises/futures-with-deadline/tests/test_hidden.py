"""Further tests: which exception wins, no work after a failure, max_workers, edge cases."""

import threading
import time

from solution import run_with_deadline


class Recorder:
    """Makes tasks that sleep and return a value, and records which of them started."""

    def __init__(self):
        self.started = set()
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def task(self, index, seconds, value=None, error=None):
        def run():
            with self._lock:
                self.started.add(index)
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                time.sleep(seconds)
            finally:
                with self._lock:
                    self.running -= 1
            if error is not None:
                raise error
            return value

        return run


def test_first_exception_to_happen_wins():
    recorder = Recorder()
    late = KeyError("raised after 0.6 s")
    early = ValueError("raised after 0.05 s")
    tasks = [recorder.task(0, 0.6, error=late), recorder.task(1, 0.05, error=early)]
    start = time.perf_counter()
    try:
        run_with_deadline(tasks, timeout=3.0, max_workers=2)
    except Exception as error:  # the test wants to see which one arrives
        caught = error
    else:
        caught = None
    elapsed = time.perf_counter() - start
    assert caught is early, (
        f"expected the ValueError that task 1 raised after 0.05 s, got {caught!r}. Collect "
        "results in the order the tasks finish (as_completed or wait), not in list order."
    )
    assert elapsed < 0.45, (
        f"the first failure happened after 0.05 s, but the exception came out after "
        f"{elapsed:.2f} s: do not wait for the slower task 0"
    )
    time.sleep(0.6)  # let task 0 end before the next test


def test_queued_tasks_do_not_run_after_a_failure():
    recorder = Recorder()
    boom = RuntimeError("first task failed")
    tasks = [recorder.task(0, 0.05, error=boom)]
    tasks += [recorder.task(i, 0.2, value=i) for i in range(1, 7)]
    start = time.perf_counter()
    try:
        run_with_deadline(tasks, timeout=5.0, max_workers=1)
    except RuntimeError as error:
        assert error is boom, f"caught {error!r}, not the task's own exception object"
    else:
        raise AssertionError("task 0 raised RuntimeError, but run_with_deadline returned")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.4, (
        f"task 0 failed after 0.05 s but the exception came out after {elapsed:.2f} s: raise "
        "it without waiting for the other tasks"
    )
    time.sleep(0.7)  # long enough for three more 0.2 s tasks, if they had not been cancelled
    later = sorted(recorder.started - {0})
    assert len(later) <= 1, (
        f"tasks {later} ran after task 0 had failed. When a task fails, cancel the tasks that "
        "have not started (the single worker may already have picked up the next one, which "
        "is why one is allowed)."
    )


def test_task_timeout_error_is_not_the_deadline():
    recorder = Recorder()
    own = TimeoutError("the task's own network timeout")
    tasks = [recorder.task(0, 0.05, value="ok"), recorder.task(1, 0.1, error=own)]
    try:
        got = run_with_deadline(tasks, timeout=3.0, max_workers=2)
    except TimeoutError as error:
        assert error is own, f"caught {error!r}, not the TimeoutError the task raised"
    else:
        raise AssertionError(
            f"task 1 raised its own TimeoutError long before the deadline, but "
            f"run_with_deadline returned {got!r}. Do not treat every TimeoutError as the "
            "deadline: only the one from waiting (as_completed or wait) means that."
        )


def test_at_most_max_workers_at_once():
    recorder = Recorder()
    tasks = [recorder.task(i, 0.1, value=i * i) for i in range(9)]
    results, cancelled = run_with_deadline(tasks, timeout=5.0, max_workers=3)
    assert results == {i: i * i for i in range(9)}, f"results were {results!r}"
    assert cancelled == [], f"cancelled was {cancelled!r}, expected []"
    assert recorder.peak <= 3, (
        f"{recorder.peak} tasks ran at the same time with max_workers=3: "
        "give the pool max_workers threads"
    )
    assert recorder.peak == 3, (
        f"at most {recorder.peak} task(s) ran at the same time; with 9 tasks and "
        "max_workers=3, three should run together"
    )


def test_empty_list_of_tasks():
    got = run_with_deadline([], timeout=1.0, max_workers=2)
    assert got == ({}, []), f"run_with_deadline([], ...) returned {got!r}, expected ({{}}, [])"


def test_every_task_cancelled_when_all_workers_are_busy():
    recorder = Recorder()
    tasks = [recorder.task(0, 0.8, value="slow")]
    tasks += [recorder.task(i, 0.01, value=i) for i in range(1, 4)]
    start = time.perf_counter()
    results, cancelled = run_with_deadline(tasks, timeout=0.2, max_workers=1)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.6, f"the deadline was 0.2 s but the call took {elapsed:.2f} s"
    assert results == {}, f"no task finished by the deadline, but results were {results!r}"
    assert isinstance(cancelled, list), f"cancelled must be a list, got {type(cancelled)}"
    assert cancelled == [1, 2, 3], f"cancelled was {cancelled!r}, expected [1, 2, 3]"
    time.sleep(max(0.0, 1.0 - (time.perf_counter() - start)))
    assert recorder.started == {0}, f"tasks {sorted(recorder.started - {0})} ran anyway"
