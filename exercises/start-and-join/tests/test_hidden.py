"""Further tests: all threads end before an error, job order, excepthook, one deadline."""

import threading
import time

from solution import JobFailed, run_all


def call_with_deadline(function, seconds):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`."""
    outcome = {}

    def runner():
        started = time.perf_counter()
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test below
            outcome["error"] = error
        outcome["elapsed"] = time.perf_counter() - started

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"run_all did not return within {seconds} s"
    return outcome


def blocked_until(event, seconds=5.0):
    def job():
        event.wait(seconds)
        return "late"

    return job


def test_waits_for_every_job_before_raising():
    finished = threading.Event()

    def fails_at_once():
        raise RuntimeError("boom")

    def slow():
        time.sleep(0.3)
        finished.set()
        return "slow"

    outcome = call_with_deadline(lambda: run_all({"first": fails_at_once, "slow": slow}), 3)
    assert isinstance(outcome.get("error"), JobFailed), f"expected JobFailed, got {outcome!r}"
    assert finished.is_set(), (
        "run_all raised while the job 'slow' was still running; join every thread before you raise"
    )


def test_reports_the_first_failure_in_job_order():
    late_error = KeyError("late")
    early_error = ValueError("early")

    def fails_late():
        time.sleep(0.2)
        raise late_error

    def fails_early():
        raise early_error

    try:
        run_all({"a": fails_late, "b": fails_early})
    except JobFailed as raised:
        assert raised.name == "a" and raised.__cause__ is late_error, (
            f"got JobFailed({raised.name!r}) caused by {raised.__cause__!r}; report the first "
            "failed job in the order of `jobs` ('a'), not the first to fail in time ('b')"
        )
    else:
        raise AssertionError("run_all returned normally although two jobs raised")


def test_exceptions_do_not_reach_threading_excepthook():
    reported = []
    original = threading.excepthook
    threading.excepthook = lambda args: reported.append(args.thread.name)
    try:

        def failing():
            raise OSError("disk full")

        try:
            run_all({"ok": lambda: 1, "save": failing})
        except JobFailed:
            pass
    finally:
        threading.excepthook = original
    assert not reported, (
        f"an exception escaped the thread(s) {reported!r} and went to threading.excepthook; "
        "catch it inside the thread and keep it for the caller"
    )


def test_timeout_is_one_deadline_for_all_the_jobs():
    release = threading.Event()
    names = ["north", "east", "south", "west"]
    try:
        outcome = call_with_deadline(
            lambda: run_all({name: blocked_until(release) for name in names}, timeout=0.3), 2
        )
    finally:
        release.set()  # let the stuck jobs end
    error = outcome.get("error")
    assert isinstance(error, TimeoutError), f"expected TimeoutError, got {outcome!r}"
    for name in names:
        assert name in str(error), f"the TimeoutError message {str(error)!r} does not name {name!r}"
    elapsed = outcome["elapsed"]
    assert elapsed >= 0.25, f"run_all gave up after {elapsed:.2f} s; wait for up to `timeout`"
    assert elapsed < 0.85, (
        f"with timeout=0.3 run_all took {elapsed:.2f} s to give up on 4 stuck jobs. Use one "
        "deadline for all the joins: join(timeout) for each thread in turn can wait 4 x 0.3 s."
    )


def test_timeout_message_names_only_the_unfinished_jobs():
    release = threading.Event()
    jobs = {"quick-job": lambda: 1, "stuck-job": blocked_until(release), "fast-job": lambda: 2}
    try:
        outcome = call_with_deadline(lambda: run_all(jobs, timeout=0.2), 2)
    finally:
        release.set()
    error = outcome.get("error")
    assert isinstance(error, TimeoutError), f"expected TimeoutError, got {outcome!r}"
    message = str(error)
    assert "stuck-job" in message, f"the message {message!r} does not name 'stuck-job'"
    assert "quick-job" not in message and "fast-job" not in message, (
        f"the message {message!r} names jobs that had finished"
    )


def test_a_generous_timeout_does_not_slow_anything_down():
    outcome = call_with_deadline(lambda: run_all({"a": lambda: "A", "b": lambda: "B"}, 2.0), 3)
    assert outcome.get("value") == {"a": "A", "b": "B"}, f"got {outcome!r}"
    assert outcome["elapsed"] < 1.0, (
        f"two instant jobs with timeout=2.0 took {outcome['elapsed']:.2f} s; return as soon "
        "as every thread has finished"
    )


def test_no_jobs():
    before = threading.active_count()
    assert run_all({}) == {}, "run_all({}) must return {}"
    assert threading.active_count() == before, "run_all({}) left threads behind"
