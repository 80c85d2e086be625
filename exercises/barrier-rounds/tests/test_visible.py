"""Tests you can see: results, round order, on_round_end between rounds, steps in parallel."""

import threading
import time

from solution import run_rounds


def call_with_deadline(function, seconds=3.0):
    """Run function() in a daemon thread; fail if it has not finished after `seconds`."""
    outcome = {}

    def runner():
        started = time.perf_counter()
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
        outcome["elapsed"] = time.perf_counter() - started

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), (
        f"run_rounds did not return within {seconds} s: are threads waiting for each other "
        "for ever?"
    )
    if "error" in outcome:
        raise outcome["error"]
    return outcome


class Recorder:
    """A step function that logs when each step starts and ends; steps take uneven times."""

    def __init__(self, workers, base_delay=0.02, round_end_delay=0.0):
        self.workers = workers
        self.base_delay = base_delay
        self.round_end_delay = round_end_delay
        self.log = []  # list.append is atomic: the order of the log is the order of events

    def step(self, worker, round_number):
        self.log.append(("start", round_number, worker))
        # A different worker is the slowest in each round.
        time.sleep(self.base_delay * ((worker + round_number) % self.workers))
        self.log.append(("end", round_number, worker))
        return f"w{worker}r{round_number}"

    def on_round_end(self, round_number):
        self.log.append(("round end", round_number, None))
        time.sleep(self.round_end_delay)  # gives early starters of the next round time to show


def test_results_by_round_and_worker():
    recorder = Recorder(workers=3, base_delay=0.01)
    outcome = call_with_deadline(lambda: run_rounds(3, 4, recorder.step))
    expected = [[f"w{w}r{r}" for w in range(3)] for r in range(4)]
    assert outcome["value"] == expected, f"run_rounds returned {outcome['value']!r}"


def test_no_worker_starts_a_round_before_all_finished_the_previous_one():
    recorder = Recorder(workers=4)
    call_with_deadline(lambda: run_rounds(4, 4, recorder.step))
    log = recorder.log
    for r in range(3):
        last_end = max(i for i, (kind, rnd, _) in enumerate(log) if kind == "end" and rnd == r)
        first_next = min(
            i for i, (kind, rnd, _) in enumerate(log) if kind == "start" and rnd == r + 1
        )
        assert last_end < first_next, (
            f"a worker started round {r + 1} before every worker had finished round {r}: "
            f"{log[first_next]!r} came before {log[last_end]!r}. Make the threads wait for "
            "each other at the end of every round."
        )


def test_on_round_end_is_called_once_between_rounds():
    recorder = Recorder(workers=3, base_delay=0.01, round_end_delay=0.05)
    call_with_deadline(lambda: run_rounds(3, 3, recorder.step, recorder.on_round_end))
    log = recorder.log
    calls = [rnd for kind, rnd, _ in log if kind == "round end"]
    assert calls == [0, 1, 2], f"on_round_end was called with {calls!r}, expected [0, 1, 2]"
    for r in range(3):
        at = log.index(("round end", r, None))
        before, after = log[:at], log[at + 1 :]
        ends = sum(1 for kind, rnd, _ in before if kind == "end" and rnd == r)
        assert ends == 3, (
            f"on_round_end({r}) was called when only {ends} of 3 steps of round {r} had ended"
        )
        early = [entry for entry in before if entry[0] == "start" and entry[1] > r]
        assert not early, (
            f"step {early[0]!r} started before on_round_end({r}) was called. Call it after "
            f"every step of round {r} and before any step of round {r + 1}, for example as the "
            "action of a Barrier."
        )
        late = [entry for entry in after if entry[0] == "end" and entry[1] == r]
        assert not late, f"steps of round {r} ended after on_round_end({r}): {late!r}"


def test_the_steps_of_a_round_run_at_the_same_time():
    def step(worker, round_number):
        time.sleep(0.1)
        return worker

    outcome = call_with_deadline(lambda: run_rounds(4, 3, step))
    assert outcome["value"] == [[0, 1, 2, 3]] * 3, f"run_rounds returned {outcome['value']!r}"
    assert outcome["elapsed"] < 0.75, (
        f"4 workers x 3 rounds of 0.1 s steps took {outcome['elapsed']:.2f} s. The steps of one "
        "round should run at the same time: about 0.3 s in all (the test allows 0.75 s; one "
        "step after another needs 1.2 s)."
    )
