"""Tests you can see: results in order, a failing item, a stuck item, no input."""

import gc
import multiprocessing
import multiprocessing.pool
import threading
import time

from solution import process_all

# The functions given to the pool live at the top level of this module, so that the worker
# processes can find them by name with every start method.


def square(x):
    return x * x


def checked_square(x):
    if x < 0:
        raise ValueError(f"negative input: {x}")
    return x * x


def nap(seconds):
    time.sleep(seconds)  # 30 s means "stuck" as far as these tests are concerned
    return seconds


def stop_children():
    """Kill and reap every child process still alive; return the ones that were."""
    alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
    for child in alive:
        child.join(1.0)
    return alive


def call_guarded(func, items, timeout, workers=2):
    """Call process_all in a watched thread; return (results, seconds) or fail clearly.

    It also checks that no worker process is left alive, and kills any that is, so that one
    failing test cannot leave processes behind for the next.
    """
    box = {}

    def call():
        try:
            box["results"] = process_all(func, items, timeout, workers)
        except BaseException as error:  # reported below, in the test's own thread
            box["error"] = error

    limit = timeout + 2.0
    caller = threading.Thread(target=call, daemon=True)
    start = time.perf_counter()
    caller.start()
    caller.join(limit)
    elapsed = time.perf_counter() - start
    if caller.is_alive():
        # A Pool replaces killed workers, so stop every pool first, then any other child.
        for thing in gc.get_objects():
            if isinstance(thing, multiprocessing.pool.Pool):
                thing.terminate()
        stop_children()
        raise AssertionError(
            f"process_all(..., timeout={timeout}) had not returned after {limit:g} s, so the "
            "test killed the pool's processes. Never wait for a result without a time limit: "
            "give every wait only the time left until one shared deadline."
        )
    alive = stop_children()
    if "error" in box:
        raise AssertionError(
            f"process_all raised {box['error']!r}; an exception from one item must be returned "
            "in that item's place, not stop the whole call"
        ) from box["error"]
    assert not alive, (
        f"{len(alive)} worker process(es) still alive after process_all returned: {alive!r}. "
        "Stop the pool's workers (terminate, then join) before returning."
    )
    return box["results"], elapsed


def test_results_come_back_in_input_order():
    items = [3, 1, 4, 1, 5, 9, 2, 6]
    results, _ = call_guarded(square, items, timeout=5.0)
    expected = [x * x for x in items]
    assert results == expected, f"process_all(square, {items}) returned {results!r}"


def test_a_failing_item_does_not_lose_the_others():
    results, _ = call_guarded(checked_square, [2, -3, 4], timeout=5.0)
    assert isinstance(results, list) and len(results) == 3, f"returned {results!r}"
    assert results[0] == 4 and results[2] == 16, (
        f"returned {results!r}: the items that succeed must keep their results"
    )
    assert isinstance(results[1], ValueError), (
        f"element 1 is {results[1]!r}; it should be the ValueError the function raised"
    )
    assert "negative input: -3" in str(results[1]), f"the message was lost: {results[1]!r}"


def test_a_stuck_item_times_out():
    results, elapsed = call_guarded(nap, [0.05, 30, 0.1], timeout=1.0)
    assert results[0] == 0.05 and results[2] == 0.1, f"returned {results!r}"
    assert isinstance(results[1], TimeoutError), (
        f"element 1 is {results[1]!r}; an item without a result in time must be reported as "
        "an instance of the built-in TimeoutError"
    )
    assert 0.9 <= elapsed < 2.2, (
        f"the call took {elapsed:.2f} s with timeout=1.0; expected a little over 1 s"
    )


def test_no_items():
    results, _ = call_guarded(square, [], timeout=1.0)
    assert results == [], f"process_all(square, []) returned {results!r}"
