"""Further tests: repeated runs, a later error from a later task, tracebacks, edge cases."""

import threading
import time
import traceback

from solution import run_all


class Interrupted(Exception):
    """What a task raises of its own accord when it sees stop set."""


class Tracker:
    """Makes tasks for run_all and records what each of them did.

    A long task works in steps of 0.02 s and checks `stop` before each one. When it sees stop,
    it takes 0.1 s to finish its current step and returns early. The tests' own `abort` event
    ends every task at once, so that a call that hangs can be cleaned up after.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.started = []  # indices of the tasks that started, in the order they did
        self.saw_stop = set()  # long tasks that saw stop and returned early
        self.completed = set()  # long tasks that ran all their steps
        self.running = 0
        self.peak = 0
        self.threads = set()
        self.events = []  # the stop argument of every task
        self.abort = threading.Event()

    def _begin(self, index, stop):
        with self.lock:
            self.started.append(index)
            self.events.append(stop)
            self.threads.add(threading.current_thread())
            self.running += 1
            self.peak = max(self.peak, self.running)

    def _end(self):
        with self.lock:
            self.running -= 1

    def quick(self, index, seconds=0.02, value=None):
        def quick_task(stop):
            self._begin(index, stop)
            try:
                time.sleep(seconds)
                return value
            finally:
                self._end()

        return quick_task

    def failing(self, index, error, seconds=0.05):
        def failing_task(stop):
            self._begin(index, stop)
            try:
                time.sleep(seconds)
                raise error
            finally:
                self._end()

        return failing_task

    def long(self, index, seconds=1.5, value=None, error_on_stop=None):
        def long_task(stop):
            self._begin(index, stop)
            try:
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    if stop.is_set():
                        with self.lock:
                            self.saw_stop.add(index)
                        time.sleep(0.1)  # finishing the current step takes a moment
                        if error_on_stop is not None:
                            raise error_on_stop
                        return ("stopped", index)
                    if self.abort.is_set():
                        return ("aborted", index)
                    time.sleep(0.02)
                with self.lock:
                    self.completed.add(index)
                return value
            finally:
                self._end()

        return long_task


_hung = []  # set once a call has hung, so that later tests fail at once


def call_with_deadline(function, tracker, seconds=2.0):
    """Run function() in a thread; fail if it has not returned after `seconds`.

    Returns what happened: the value or the exception, the time taken, the threads the call
    left running and the number of its tasks still running when it returned.
    """
    assert not _hung, (
        "not run: an earlier call of run_all in this file never returned (see the first "
        "failing test); fix that first"
    )
    outcome = {}

    def runner():
        before = set(threading.enumerate())
        start = time.perf_counter()
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
        outcome["elapsed"] = time.perf_counter() - start
        outcome["tasks_running"] = tracker.running
        outcome["left_running"] = [
            thread.name for thread in threading.enumerate() if thread not in before
        ]

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        tracker.abort.set()  # end the tasks, so that the call can return
        thread.join(3.0)
        if thread.is_alive():
            _hung.append(True)
        raise AssertionError(
            f"run_all did not return within {seconds} s; {len(tracker.started)} of the tasks "
            "had started. When a task fails, cancel the tasks that have not started and set "
            "stop, so that the running ones return early; do not wait for the whole batch."
        )
    return outcome


def expect_raised(outcome, error):
    """The call must have raised `error` itself."""
    if "error" not in outcome:
        raise AssertionError(
            f"a task raised {error!r}, but run_all returned {outcome['value']!r}. Do not "
            "swallow the error: raise it."
        )
    caught = outcome["error"]
    assert caught is error, (
        f"run_all raised {caught!r}, but the first task to fail raised {error!r}. Raise that "
        "exception object itself (future.exception() or future.result()), not a later "
        "error, a copy or a wrapper."
    )


def first_failure_batch(tracker, boom):
    """Task 0 is long, 1 and 2 are quick, 3 fails after 0.05 s, 4 to 19 are long."""
    return (
        [tracker.long(0)]
        + [tracker.quick(1, value=1), tracker.quick(2, value=2)]
        + [tracker.failing(3, boom)]
        + [tracker.long(index) for index in range(4, 20)]
    )


def test_the_same_every_time():
    for attempt in range(3):
        tracker = Tracker()
        boom = RuntimeError(f"attempt {attempt + 1}: task 3 failed")
        tasks = first_failure_batch(tracker, boom)
        outcome = call_with_deadline(lambda: run_all(tasks, 2), tracker)
        expect_raised(outcome, boom)
        assert len(tracker.started) <= 6, (
            f"attempt {attempt + 1}: {len(tracker.started)} of the 20 tasks started"
        )
        assert outcome["tasks_running"] == 0 and not outcome["left_running"], (
            f"attempt {attempt + 1}: tasks or threads still running when run_all returned"
        )
        assert 0 in tracker.saw_stop and not tracker.completed, (
            f"attempt {attempt + 1}: the running tasks did not all see stop"
        )


def test_the_exception_keeps_its_traceback():
    tracker = Tracker()
    boom = KeyError("missing")
    tasks = [tracker.quick(0, value=0), tracker.failing(1, boom, seconds=0.01)]
    outcome = call_with_deadline(lambda: run_all(tasks, 2), tracker)
    expect_raised(outcome, boom)
    names = [frame.name for frame in traceback.extract_tb(boom.__traceback__)]
    assert "failing_task" in names, (
        f"the traceback of the exception runs through {names}, not through the task that "
        "raised it: raise the exception object as it is"
    )


def test_later_errors_from_tasks_listed_after_the_first():
    tracker = Tracker()
    boom = ValueError("task 0 failed first")
    later = [Interrupted("task 1 gave up"), Interrupted("task 2 gave up")]
    tasks = [
        tracker.failing(0, boom, seconds=0.1),
        tracker.long(1, error_on_stop=later[0]),
        tracker.long(2, error_on_stop=later[1]),
    ]
    tasks += [tracker.long(index) for index in range(3, 10)]
    outcome = call_with_deadline(lambda: run_all(tasks, 3), tracker)
    if outcome.get("error") in later:
        raise AssertionError(
            f"run_all raised {outcome['error']!r}, which happened only because stop was set "
            f"after task 0 failed with {boom!r}. Raise the first exception to happen."
        )
    expect_raised(outcome, boom)
    assert {1, 2} <= tracker.saw_stop, f"tasks that saw stop: {sorted(tracker.saw_stop)}"
    assert len(tracker.started) <= 5, f"{len(tracker.started)} of the 10 tasks started"


def test_one_worker():
    tracker = Tracker()
    boom = OSError("disk full")
    tasks = [tracker.quick(0, value=0), tracker.failing(1, boom)]
    tasks += [tracker.long(index) for index in range(2, 10)]
    outcome = call_with_deadline(lambda: run_all(tasks, 1), tracker)
    expect_raised(outcome, boom)
    assert len(tracker.started) <= 3, (
        f"{len(tracker.started)} of the 10 tasks started with one worker; after task 1 failed "
        "the queued tasks should have been cancelled"
    )
    assert not tracker.completed, f"tasks {sorted(tracker.completed)} ran to their end"
    assert tracker.peak == 1, f"{tracker.peak} tasks ran at once with workers=1"
    assert outcome["tasks_running"] == 0 and not outcome["left_running"], (
        "tasks or threads were still running when run_all returned"
    )


def test_a_new_call_gets_a_fresh_stop():
    first = Tracker()
    boom = ValueError("the first call fails")
    failing_tasks = [first.long(0), first.failing(1, boom)]
    outcome = call_with_deadline(lambda: run_all(failing_tasks, 2), first)
    expect_raised(outcome, boom)
    second = Tracker()
    tasks = [second.long(index, 0.1, value=index * 10) for index in range(4)]
    outcome = call_with_deadline(lambda: run_all(tasks, 2), second)
    assert "error" not in outcome, f"the second call raised {outcome['error']!r}"
    assert outcome["value"] == [0, 10, 20, 30], (
        f"the second call returned {outcome['value']!r}; its tasks saw stop: "
        f"{sorted(second.saw_stop)}. Create a new, unset Event for every call."
    )


def test_pool_threads_at_most_workers():
    tracker = Tracker()
    tasks = [tracker.quick(index, 0.05, value=index) for index in range(12)]
    outcome = call_with_deadline(lambda: run_all(tasks, 4), tracker)
    assert outcome.get("value") == list(range(12)), f"got {outcome!r}"
    assert tracker.peak <= 4, f"{tracker.peak} tasks ran at once with workers=4"
    assert len(tracker.threads) <= 4, f"the tasks ran in {len(tracker.threads)} threads"
    assert threading.main_thread() not in tracker.threads, "tasks ran in the main thread"


def test_empty_list():
    tracker = Tracker()
    outcome = call_with_deadline(lambda: run_all([], 2), tracker)
    assert outcome.get("value") == [], f"run_all([], 2) gave {outcome!r}, expected []"
    assert not outcome["left_running"], f"threads left running: {outcome['left_running']!r}"
