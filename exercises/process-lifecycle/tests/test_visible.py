"""Tests you can see: exit codes in order, a stuck task stopped at the deadline, no tasks."""

import multiprocessing
import sys
import threading
import time

from solution import run_with_timeout

# Task functions live at the top level of this module, so that child processes can find them
# by name with every start method.


def quick():
    pass


def fails():
    raise ValueError("this task fails on purpose (the traceback above is expected)")


def quits(code):
    sys.exit(code)


def hangs():
    while True:
        time.sleep(0.05)


def stop_children():
    """Kill and reap every child still alive; return the ones that were."""
    alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
    for child in alive:
        child.join(1.0)
    return alive


def call_guarded(tasks, timeout, grace=0.5):
    """Call run_with_timeout in a watched thread; return (codes, seconds) or fail clearly.

    It also checks that no child process is left alive, and kills any that is, so that one
    failing test cannot leave processes behind for the next.
    """
    box = {}

    def call():
        try:
            box["codes"] = run_with_timeout(tasks, timeout, grace)
        except BaseException as error:  # reported below, in the test's own thread
            box["error"] = error

    limit = timeout + grace + 1.5
    caller = threading.Thread(target=call, daemon=True)
    start = time.perf_counter()
    caller.start()
    caller.join(limit)
    elapsed = time.perf_counter() - start
    if caller.is_alive():
        stop_children()  # frees whatever the call is waiting for
        caller.join(2.0)
        raise AssertionError(
            f"run_with_timeout(..., timeout={timeout}, grace={grace}) had not returned after "
            f"{limit:g} s, so the test killed its children. A join() without a timeout waits "
            "forever for a task that never ends: wait only until the deadline, then terminate "
            "(and if needed kill) the processes that are still alive."
        )
    alive = stop_children()
    if "error" in box:
        raise box["error"]
    assert not alive, (
        f"{len(alive)} child process(es) still alive after run_with_timeout returned: "
        f"{alive!r}. Join every process you terminate or kill before returning."
    )
    return box["codes"], elapsed


def test_exit_codes_of_tasks_that_finish():
    tasks = [(quick, ()), (fails, ()), (quits, (4,)), (quits, (7,))]
    codes, elapsed = call_guarded(tasks, timeout=3.0)
    assert codes == [0, 1, 4, 7], (
        f"exit codes {codes!r}, expected [0, 1, 4, 7]: 0 for a return, 1 for an exception, "
        "the sys.exit() value otherwise, in the order of the tasks"
    )
    assert elapsed < 2.5, (
        f"four quick tasks took {elapsed:.2f} s: stop waiting as soon as all have finished, "
        "not at the deadline"
    )


def test_a_stuck_task_is_terminated_at_the_deadline():
    codes, elapsed = call_guarded([(quick, ()), (hangs, ())], timeout=0.5)
    assert codes == [0, -15], (
        f"exit codes {codes!r}, expected [0, -15]: the stuck task must be stopped with "
        "terminate() (SIGTERM, signal 15) and joined, so that its exitcode is set"
    )
    assert 0.45 <= elapsed < 2.0, (
        f"the call took {elapsed:.2f} s with timeout=0.5; expected a little over 0.5 s"
    )


def test_no_tasks():
    codes, _ = call_guarded([], timeout=0.5)
    assert codes == [], f"run_with_timeout([], 0.5) returned {codes!r}, expected []"
