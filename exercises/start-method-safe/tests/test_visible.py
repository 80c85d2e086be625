"""Tests you can see: the same call under fork and under spawn."""

import threading

from solution import scale_all


def call_with_timeout(numbers, factor, method, timeout=15.0):
    """Run scale_all in a daemon thread, so that a stuck worker cannot hang the tests."""
    outcome = {}

    def target():
        try:
            outcome["result"] = scale_all(numbers, factor, method)
        except BaseException as error:  # reported below
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), (
        f"scale_all(..., method={method!r}) did not return within {timeout:.0f} s: a worker "
        "probably failed to start or to send its result"
    )
    if "error" in outcome:
        error = outcome["error"]
        raise AssertionError(
            f"scale_all(..., method={method!r}) raised {type(error).__name__}: {error}. "
            "Under spawn and forkserver the target and its arguments are pickled: use a "
            "module-level worker function and pass it everything it needs as arguments."
        )
    return outcome["result"]


def test_works_under_fork():
    got = call_with_timeout([1, 2, 3, 4, 5], 3, "fork")
    assert got == [3, 6, 9, 12, 15], f"under fork: got {got!r}, expected [3, 6, 9, 12, 15]"


def test_works_under_spawn():
    got = call_with_timeout([1, 2, 3, 4, 5], 3, "spawn")
    assert got == [3, 6, 9, 12, 15], (
        f"under spawn: got {got!r}, expected [3, 6, 9, 12, 15]. A spawned child imports "
        "your module afresh: values the parent stored in globals at run time are not there."
    )
