"""Further tests: one shared deadline, other processes in parallel, many errors, their types."""

import os
import time

from test_visible import call_guarded, nap


def nap_and_pid(seconds):
    time.sleep(seconds)
    return os.getpid()


def picky(x):
    if x % 3 == 0:
        raise KeyError(x)
    if x % 3 == 1:
        return 100 // (x - 1) if x > 1 else 0
    return x


def divide(pair):
    numerator, denominator = pair
    return numerator / denominator


def test_stuck_items_share_one_deadline():
    results, elapsed = call_guarded(nap, [30, 30, 0.05], timeout=0.8, workers=3)
    assert results[2] == 0.05, f"returned {results!r}"
    assert all(isinstance(result, TimeoutError) for result in results[:2]), (
        f"returned {results!r}; both stuck items should be TimeoutError instances"
    )
    assert elapsed < 1.45, (
        f"two stuck items with timeout=0.8 took {elapsed:.2f} s; the deadline is shared, so the "
        "call should take a little over 0.8 s, not 0.8 s per stuck item (the test allows 1.45 s)"
    )


def test_work_runs_in_other_processes_in_parallel():
    results, elapsed = call_guarded(nap_and_pid, [0.25] * 6, timeout=5.0)
    assert all(isinstance(pid, int) for pid in results), f"returned {results!r}"
    assert os.getpid() not in results, "func ran in the calling process; use worker processes"
    assert len(set(results)) >= 2, f"all items ran in one process: {set(results)}"
    assert elapsed < 1.25, (
        f"6 items of 0.25 s on 2 workers took {elapsed:.2f} s; running 2 at a time takes about "
        "0.75 s plus the pool's start-up (the test allows 1.25 s, one at a time needs 1.5 s)"
    )


def test_many_errors_and_their_types():
    items = list(range(10))
    results, _ = call_guarded(picky, items, timeout=5.0)
    assert len(results) == 10, f"returned {len(results)} elements for 10 items: {results!r}"
    for item, result in zip(items, results):
        if item % 3 == 0:
            assert isinstance(result, KeyError) and result.args == (item,), (
                f"item {item}: expected KeyError({item}), got {result!r}"
            )
        else:
            assert result == picky(item), f"item {item}: expected {picky(item)!r}, got {result!r}"


def test_each_exception_keeps_its_own_type():
    results, _ = call_guarded(divide, [(1, 2), (1, 0), (4, 2)], timeout=5.0)
    assert results[0] == 0.5 and results[2] == 2.0, f"returned {results!r}"
    assert isinstance(results[1], ZeroDivisionError), (
        f"element 1 is {results[1]!r}, expected the ZeroDivisionError raised by the function"
    )
