"""Tests you can see: results in order, a responsive loop, overlapping calls, the timeout."""

import asyncio
import threading
import time

from solution import run_blocking_jobs


def slow_double(job):
    """Blocking work: time.sleep() stands for a blocking library call (a driver, a file)."""
    time.sleep(0.4)
    return job * 2


async def heartbeat(gaps, interval=0.01):
    """Tick every `interval` seconds and record the time between ticks."""
    last = time.perf_counter()
    while True:
        await asyncio.sleep(interval)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


async def with_heartbeat(coroutine):
    """Await coroutine while a heartbeat ticks; return (result or exception, largest gap)."""
    gaps = []
    ticker = asyncio.create_task(heartbeat(gaps))
    await asyncio.sleep(0.02)
    try:
        outcome = await coroutine
    except Exception as error:  # handed to the test
        outcome = error
    await asyncio.sleep(0.03)  # let the heartbeat record a gap that has just ended
    ticker.cancel()
    return outcome, max(gaps)


def run_with_deadline(make_coroutine, seconds=5.0):
    """asyncio.run(make_coroutine()) in a daemon thread; fail if it takes over `seconds`."""
    outcome = {}

    def runner():
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the event loop did not finish within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_results_in_job_order():
    def work(job):
        time.sleep(0.05 * (4 - job))  # later jobs finish first
        return f"done {job}"

    got = run_with_deadline(lambda: run_blocking_jobs([0, 1, 2, 3], work, timeout=3))
    expected = ["done 0", "done 1", "done 2", "done 3"]
    assert got == expected, f"run_blocking_jobs returned {got!r}, expected {expected!r}"


def test_the_event_loop_stays_responsive():
    async def scenario():
        return await with_heartbeat(run_blocking_jobs([1, 2, 3], slow_double, timeout=3))

    outcome, largest_gap = run_with_deadline(scenario)
    assert outcome == [2, 4, 6], f"run_blocking_jobs returned {outcome!r}, expected [2, 4, 6]"
    assert largest_gap < 0.25, (
        f"a task that should tick every 10 ms was held up for {largest_gap * 1000:.0f} ms. "
        "work() blocks (it calls time.sleep(0.4)); called inside a coroutine it stops the "
        "whole event loop. Run it in a worker thread: asyncio.to_thread() or "
        "loop.run_in_executor()."
    )


def test_the_calls_overlap():
    async def scenario():
        start = time.perf_counter()
        result = await run_blocking_jobs([1, 2, 3, 4], slow_double, timeout=3)
        return result, time.perf_counter() - start

    result, elapsed = run_with_deadline(scenario)
    assert result == [2, 4, 6, 8], f"run_blocking_jobs returned {result!r}"
    assert elapsed < 1.0, (
        f"4 calls of 0.4 s took {elapsed:.2f} s; running at the same time they take a little "
        "over 0.4 s (the test allows 1.0 s), one after another 1.6 s. Start every call "
        "before awaiting any of them, for example with asyncio.gather()."
    )


def test_the_timeout_is_applied():
    release = threading.Event()

    def stuck(job):
        release.wait(1.2)  # a call that does not come back in time
        return job

    async def scenario():
        # Let the stuck calls go after 0.8 s, so that the threads end whatever happens.
        asyncio.get_running_loop().call_later(0.8, release.set)
        start = time.perf_counter()
        try:
            outcome = await run_blocking_jobs([1, 2], stuck, timeout=0.3)
        except Exception as error:
            outcome = error
        return outcome, time.perf_counter() - start

    try:
        outcome, elapsed = run_with_deadline(scenario)
    finally:
        release.set()
    assert isinstance(outcome, TimeoutError), (
        f"the calls could not finish within timeout=0.3 s, so run_blocking_jobs must raise "
        f"TimeoutError; it gave {outcome!r} after {elapsed:.2f} s. Wrap the waiting in "
        "`async with asyncio.timeout(timeout):` (or use asyncio.wait_for)."
    )
    assert elapsed < 1.0, (
        f"TimeoutError came after {elapsed:.2f} s; with timeout=0.3 it should come after "
        "about 0.3 s (the test allows 1.0 s)"
    )
