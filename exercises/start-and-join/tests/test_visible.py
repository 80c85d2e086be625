"""Tests you can see: results by name, named daemon threads, overlap, a failing job."""

import threading
import time

from solution import JobFailed, run_all


def sleeper(seconds, value):
    def job():
        time.sleep(seconds)
        return value

    return job


def test_results_are_returned_by_name():
    jobs = {"one": sleeper(0.05, 1), "two": sleeper(0.01, "II"), "three": sleeper(0.03, [3])}
    got = run_all(jobs)
    assert got == {"one": 1, "two": "II", "three": [3]}, f"run_all returned {got!r}"


def test_each_job_runs_in_its_own_named_daemon_thread():
    seen = {}

    def spy(name):
        def job():
            me = threading.current_thread()
            seen[name] = (me.name, me.daemon, me is threading.main_thread())
            time.sleep(0.05)
            return name

        return job

    names = ["reader", "parser", "writer"]
    run_all({name: spy(name) for name in names})
    assert sorted(seen) == sorted(names), f"these jobs ran: {sorted(seen)!r}"
    for name in names:
        thread_name, daemon, in_main = seen[name]
        assert not in_main, f"job {name!r} ran in the main thread; give each job its own thread"
        assert thread_name == name, (
            f"job {name!r} ran in a thread named {thread_name!r}; name each thread after its job"
        )
        assert daemon, f"the thread of job {name!r} is not a daemon thread"


def test_jobs_run_at_the_same_time():
    jobs = {f"job-{i}": sleeper(0.3, i) for i in range(5)}
    start = time.perf_counter()
    got = run_all(jobs)
    elapsed = time.perf_counter() - start
    assert got == {f"job-{i}": i for i in range(5)}, f"run_all returned {got!r}"
    assert elapsed < 0.9, (
        f"5 jobs of 0.3 s each took {elapsed:.2f} s; started together they take a little over "
        "0.3 s (the test allows 0.9 s). Start every thread before joining any of them."
    )


def test_an_exception_in_a_job_reaches_the_caller():
    error = ValueError("bad input")

    def failing():
        raise error

    try:
        run_all({"good": sleeper(0.01, "ok"), "bad": failing})
    except JobFailed as raised:
        assert raised.name == "bad", f"JobFailed.name is {raised.name!r}, expected 'bad'"
        assert raised.__cause__ is error, (
            f"JobFailed.__cause__ is {raised.__cause__!r}; raise it with "
            "`raise JobFailed(name) from error`, using the job's own exception"
        )
    except Exception as other:
        raise AssertionError(
            f"run_all raised {other!r}; a failing job must be reported as JobFailed"
        ) from None
    else:
        raise AssertionError("run_all returned normally although the job 'bad' raised")
