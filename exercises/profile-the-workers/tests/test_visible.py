"""Tests you can see: each worker's hot function, per-thread CPU time, tasks overlap."""

import time

from solution import profile_threads


def square(n):
    return n * n


def cube(n):
    return n * n * n


def squares():
    for n in range(300):
        square(n)


def cubes():
    for n in range(120):
        cube(n)


def burn_cpu(seconds):
    """Compute until this thread has used `seconds` of CPU time."""
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        square(3)


def test_each_workers_hot_function_is_found_in_that_worker():
    report = profile_threads({"squares": squares, "cubes": cubes})
    assert set(report) == {"squares", "cubes"}, f"report keys are {sorted(report)!r}"
    squares_calls = report["squares"]["calls"]
    cubes_calls = report["cubes"]["calls"]
    assert squares_calls["square"] == 300, (
        f"the 'squares' worker called square() 300 times, its report counts "
        f"{squares_calls['square']}. Install the profile function inside each worker thread: "
        "sys.setprofile() only affects the thread that calls it."
    )
    assert cubes_calls["cube"] == 120, (
        f"the 'cubes' worker called cube() 120 times, its report counts {cubes_calls['cube']}"
    )
    assert squares_calls["cube"] == 0 and cubes_calls["square"] == 0, (
        "one worker's calls appear in another worker's report "
        f"(squares counted cube {squares_calls['cube']} times, cubes counted square "
        f"{cubes_calls['square']} times). Give every thread its own Counter."
    )
    for name in report:
        top = report[name]["calls"].most_common(1)
        assert top and top[0][0] == {"squares": "square", "cubes": "cube"}[name], (
            f"the most called function of worker {name!r} should be its hot function, got {top!r}"
        )


def test_cpu_time_is_per_thread():
    report = profile_threads({"busy": lambda: burn_cpu(0.2), "sleepy": lambda: time.sleep(0.6)})
    busy, sleepy = report["busy"], report["sleepy"]
    assert busy["cpu"] >= 0.18, (
        f"the busy worker used at least 0.2 s of CPU time, its report says {busy['cpu']:.3f} s. "
        "Read time.thread_time() inside the worker, before and after the task."
    )
    assert sleepy["wall"] >= 0.55, f"the sleepy worker's wall time is {sleepy['wall']:.3f} s"
    assert sleepy["cpu"] < 0.08, (
        f"the sleepy worker only slept, yet its report charges it {sleepy['cpu']:.3f} s of CPU "
        "time. time.process_time() counts every thread of the process; use time.thread_time()."
    )
    assert busy["calls"]["square"] > 0, "the busy worker's calls of square() were not counted"


def test_tasks_run_at_the_same_time():
    start = time.perf_counter()
    report = profile_threads({"a": lambda: time.sleep(0.4), "b": lambda: time.sleep(0.4)})
    elapsed = time.perf_counter() - start
    assert elapsed < 0.7, (
        f"two tasks that each sleep 0.4 s took {elapsed:.2f} s in all; run each in its own "
        "thread, start them all, then join them all"
    )
    for name in ("a", "b"):
        assert report[name]["wall"] >= 0.38, (
            f"task {name!r} slept 0.4 s but its wall time is {report[name]['wall']:.3f} s"
        )
