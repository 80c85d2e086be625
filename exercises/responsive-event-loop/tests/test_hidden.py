"""Further tests: the given executor, errors, an empty list, heartbeats while timing out."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from solution import run_blocking_jobs


async def heartbeat(gaps, interval=0.01):
    last = time.perf_counter()
    while True:
        await asyncio.sleep(interval)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


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


def test_the_given_executor_is_used():
    seen = []

    def work(job):
        seen.append(threading.current_thread().name)
        time.sleep(0.05)
        return job + 1

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="given-pool") as pool:
        got = run_with_deadline(
            lambda: run_blocking_jobs([1, 2, 3], work, timeout=3, executor=pool)
        )
    assert got == [2, 3, 4], f"run_blocking_jobs returned {got!r}, expected [2, 3, 4]"
    assert seen and all(name.startswith("given-pool") for name in seen), (
        f"work() ran in threads {seen!r}, not in the executor passed in. With an executor, "
        "use loop.run_in_executor(executor, work, job)."
    )


def test_an_error_in_work_reaches_the_caller():
    def work(job):
        time.sleep(0.02)
        if job == 2:
            raise ValueError("job 2 is broken")
        return job

    async def scenario():
        try:
            return await run_blocking_jobs([1, 2, 3], work, timeout=3)
        except Exception as error:
            return error

    outcome = run_with_deadline(scenario)
    errors = [outcome]
    if isinstance(outcome, ExceptionGroup):  # a TaskGroup wraps the errors: also fine
        errors = list(outcome.exceptions)
    assert any(isinstance(e, ValueError) and "job 2" in str(e) for e in errors), (
        f"work() raised ValueError for job 2, but run_blocking_jobs gave {outcome!r}"
    )


def test_empty_list_of_jobs():
    got = run_with_deadline(lambda: run_blocking_jobs([], lambda job: job, timeout=1))
    assert got == [], f"for no jobs run_blocking_jobs returned {got!r}, expected []"


def test_the_loop_keeps_ticking_until_the_timeout():
    release = threading.Event()

    def stuck(job):
        release.wait(1.2)
        return job

    async def scenario():
        asyncio.get_running_loop().call_later(0.8, release.set)
        gaps = []
        ticker = asyncio.create_task(heartbeat(gaps))
        await asyncio.sleep(0.02)
        try:
            outcome = await run_blocking_jobs([1, 2, 3], stuck, timeout=0.4)
        except Exception as error:
            outcome = error
        await asyncio.sleep(0.03)
        ticker.cancel()
        return outcome, max(gaps)

    try:
        outcome, largest_gap = run_with_deadline(scenario)
    finally:
        release.set()
    assert isinstance(outcome, TimeoutError), f"expected TimeoutError, got {outcome!r}"
    assert largest_gap < 0.25, (
        f"the heartbeat stalled for {largest_gap * 1000:.0f} ms while the jobs were running"
    )


def test_a_generous_timeout_does_not_fire():
    def work(job):
        time.sleep(0.2)
        return job * job

    got = run_with_deadline(lambda: run_blocking_jobs(range(5), work, timeout=2.5))
    assert got == [0, 1, 4, 9, 16], f"run_blocking_jobs returned {got!r}"
    assert isinstance(got, list), f"return a list, not {type(got).__name__}"
