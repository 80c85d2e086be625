"""Tests you can see: the first failure cancels, stops and is raised; results keep their order."""

import threading
import time

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


def test_first_failure_cancels_queued_tasks_and_stops_running_ones():
    tracker = Tracker()
    boom = ValueError("task 3 failed")
    tasks = first_failure_batch(tracker, boom)
    outcome = call_with_deadline(lambda: run_all(tasks, 2), tracker)
    expect_raised(outcome, boom)
    started = sorted(tracker.started)
    assert len(started) <= 6, (
        f"{len(started)} of the 20 tasks started: {started}. When task 3 fails, cancel every "
        "task that has not started yet (at most one or two may slip in while you do)."
    )
    assert outcome["tasks_running"] == 0 and not outcome["left_running"], (
        f"when run_all returned, {outcome['tasks_running']} task(s) were still running and "
        f"these threads were left: {outcome['left_running']!r}. Wait for the running tasks "
        "to finish (leave the pool's with block, or shutdown(wait=True)) before raising."
    )
    assert 0 in tracker.saw_stop and not tracker.completed, (
        f"long tasks that ran to their end: {sorted(tracker.completed)}; that saw stop: "
        f"{sorted(tracker.saw_stop)}. Task 0 was running when task 3 failed: set the stop "
        "event you passed to the tasks, so that it returns early."
    )
    assert outcome["elapsed"] < 1.0, (
        f"run_all took {outcome['elapsed']:.2f} s; task 3 failed after about 0.1 s and the "
        "running tasks stop within 0.15 s of seeing stop (task 0 alone takes 1.5 s if nobody "
        "stops it)"
    )


def test_the_first_error_wins_over_a_later_one():
    tracker = Tracker()
    boom = ValueError("task 3 failed first")
    later = Interrupted("task 0 saw stop and gave up")
    tasks = first_failure_batch(tracker, boom)
    tasks[0] = tracker.long(0, error_on_stop=later)
    outcome = call_with_deadline(lambda: run_all(tasks, 2), tracker)
    if outcome.get("error") is later:
        raise AssertionError(
            f"run_all raised {later!r}, which task 0 raised only because stop was set after "
            f"task 3 failed with {boom!r}. Raise the first exception to happen, not the last."
        )
    expect_raised(outcome, boom)
    assert outcome["tasks_running"] == 0, (
        f"{outcome['tasks_running']} task(s) were still running when run_all returned"
    )


def test_results_in_submission_order():
    tracker = Tracker()
    durations = [0.3, 0.25, 0.2, 0.15, 0.1, 0.05]  # later tasks finish first
    tasks = [
        tracker.long(index, seconds, value=f"result-{index}")
        for index, seconds in enumerate(durations)
    ]
    outcome = call_with_deadline(lambda: run_all(tasks, 3), tracker)
    assert "error" not in outcome, f"run_all raised {outcome['error']!r}"
    expected = [f"result-{index}" for index in range(6)]
    assert outcome["value"] == expected, (
        f"run_all returned {outcome['value']!r}, expected {expected!r}: the results must be in "
        "the order of the tasks, not the order they finished in"
    )
    assert not tracker.saw_stop, f"tasks {sorted(tracker.saw_stop)} saw stop, yet none failed"
    assert tracker.peak == 3, (
        f"{tracker.peak} task(s) ran at the same time with workers=3: submit every task to a "
        "ThreadPoolExecutor(max_workers=workers) before waiting for any"
    )
    assert threading.main_thread() not in tracker.threads, "tasks ran in the main thread"
    events = tracker.events
    assert all(isinstance(stop, threading.Event) for stop in events), (
        f"the tasks were called with {events[0]!r}: call each task with a threading.Event"
    )
    assert len({id(stop) for stop in events}) == 1, (
        "the tasks of one call got different events: pass the same stop event to all of them"
    )
    assert not outcome["left_running"], f"threads left running: {outcome['left_running']!r}"
