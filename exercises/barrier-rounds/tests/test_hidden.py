"""Further tests: one thread per worker, failures that must not hang, edge cases."""

import threading
import time

from solution import run_rounds


def call_with_deadline(function, seconds=3.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`."""
    outcome = {}

    def runner():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), (
        f"run_rounds did not return within {seconds} s after a failure. Are the other threads "
        "still waiting for the one that failed? A thread that gives up must break the barrier "
        "(barrier.abort()) so that the others are released with BrokenBarrierError."
    )
    return outcome


def test_each_worker_is_one_thread_for_the_whole_run():
    seen = {}
    lock = threading.Lock()

    def step(worker, round_number):
        with lock:
            seen.setdefault(worker, []).append(threading.current_thread())
        time.sleep(0.01)

    outcome = call_with_deadline(lambda: run_rounds(3, 4, step))
    assert "error" not in outcome, f"run_rounds raised {outcome.get('error')!r}"
    for worker, threads in sorted(seen.items()):
        assert len(threads) == 4, f"worker {worker} ran {len(threads)} steps, expected 4"
        assert all(thread is threads[0] for thread in threads), (
            f"worker {worker} ran its rounds in {len(set(map(id, threads)))} different threads. "
            "Each worker must be one thread that runs all its rounds, waiting for the others "
            "between rounds, not a new thread per round."
        )
    firsts = [threads[0] for _, threads in sorted(seen.items())]
    assert len(set(map(id, firsts))) == 3, "two workers ran in the same thread"
    assert threading.main_thread() not in firsts, "a worker ran in the main thread"


def test_a_failing_step_stops_the_run_without_hanging():
    error = ValueError("worker 2 failed in round 1")
    started, ended_rounds, threads = [], [], set()

    def step(worker, round_number):
        threads.add(threading.current_thread())
        started.append((round_number, worker))
        if (worker, round_number) == (2, 1):
            raise error
        time.sleep(0.05)

    outcome = call_with_deadline(lambda: run_rounds(4, 5, step, ended_rounds.append))
    assert outcome.get("error") is error, (
        f"run_rounds must raise the step's own exception; it gave {outcome!r}"
    )
    later = sorted(entry for entry in started if entry[0] > 1)
    assert not later, f"steps of later rounds started after the failure: {later!r}"
    assert ended_rounds == [0], (
        f"on_round_end was called for rounds {ended_rounds!r}; only round 0 completed"
    )
    alive = [thread.name for thread in threads if thread.is_alive()]
    assert not alive, f"threads still running after run_rounds raised: {alive!r}"


def test_a_failing_on_round_end_stops_the_run():
    error = RuntimeError("could not save round 1")
    started = []

    def step(worker, round_number):
        started.append((round_number, worker))
        time.sleep(0.01)

    def on_round_end(round_number):
        if round_number == 1:
            raise error

    outcome = call_with_deadline(lambda: run_rounds(3, 4, step, on_round_end))
    assert outcome.get("error") is error, (
        f"run_rounds must raise the exception from on_round_end; it gave {outcome!r}"
    )
    later = sorted(entry for entry in started if entry[0] > 1)
    assert not later, f"steps of later rounds started after on_round_end failed: {later!r}"


def test_failure_in_the_first_round_of_the_first_worker():
    error = KeyError("missing")

    def step(worker, round_number):
        if worker == 0:
            raise error
        time.sleep(0.02)

    outcome = call_with_deadline(lambda: run_rounds(3, 3, step))
    assert outcome.get("error") is error, f"expected the step's KeyError, got {outcome!r}"


def test_one_worker():
    ends = []
    outcome = call_with_deadline(lambda: run_rounds(1, 3, lambda w, r: r * 10, ends.append))
    assert outcome.get("value") == [[0], [10], [20]], f"got {outcome!r}"
    assert ends == [0, 1, 2], f"on_round_end was called with {ends!r}"


def test_no_rounds():
    calls = []
    outcome = call_with_deadline(
        lambda: run_rounds(3, 0, lambda w, r: calls.append((w, r)), calls.append)
    )
    assert outcome.get("value") == [], f"run_rounds(3, 0, ...) gave {outcome!r}, expected []"
    assert calls == [], f"nothing should be called for 0 rounds, got {calls!r}"
