"""Further tests: forkserver, other inputs, and real worker processes for every method."""

import threading
from multiprocessing.process import BaseProcess

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
        f"scale_all(..., method={method!r}) did not return within {timeout:.0f} s"
    )
    if "error" in outcome:
        error = outcome["error"]
        raise AssertionError(
            f"scale_all(..., method={method!r}) raised {type(error).__name__}: {error}"
        )
    return outcome["result"]


def test_works_under_forkserver():
    got = call_with_timeout([10, -4, 7], 2, "forkserver")
    assert got == [20, -8, 14], (
        f"under forkserver: got {got!r}, expected [20, -8, 14]. Create the queue from the "
        "same context as the processes: ctx = multiprocessing.get_context(method); ctx.Queue()"
    )


def test_odd_length_and_float_factor_under_spawn():
    numbers = list(range(11))
    got = call_with_timeout(numbers, 0.5, "spawn")
    expected = [n * 0.5 for n in numbers]
    assert got == expected, f"under spawn: got {got!r}, expected {expected!r}"


def test_two_worker_processes_for_every_method():
    original = BaseProcess.start
    started = []

    def counting_start(process):
        started.append(process)
        return original(process)

    BaseProcess.start = counting_start
    try:
        for method in ("fork", "spawn", "forkserver"):
            started.clear()
            got = call_with_timeout([1, 2, 3, 4], 5, method)
            assert got == [5, 10, 15, 20], f"under {method}: got {got!r}"
            assert len(started) >= 2, (
                f"under {method}, scale_all started {len(started)} process(es); it should "
                "start two worker processes"
            )
    finally:
        BaseProcess.start = original
