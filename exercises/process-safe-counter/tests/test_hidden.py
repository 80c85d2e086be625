"""Further tests: spawn, categories without events, uneven shares, no events, repeated calls.

The helpers are those of the visible tests: a `classify` that holds each worker at its first
event until all of them are there, and a watched call that leaves no process behind.
"""

import multiprocessing
import os
import random
import shutil
import tempfile
import threading
import time
from collections import Counter

from solution import count_in_processes

CATEGORIES = ["GET", "POST", "PUT", "DELETE"]
MEETING_SECONDS = 3.0  # how long a worker waits at its first event for the others

# Set in the test's own process at run time. A forked worker inherits this value; a spawned
# one imports this module afresh and sees None.
_caller = {"pid": None}
_never_met = []  # set once the workers of a call did not run together: later tests fail at once


class Classifier:
    """classify(event): the HTTP method of a request line; see the visible tests."""

    def __init__(self, folder, meet):
        self.folder = folder
        self.meet = meet
        self.pid = None

    def __call__(self, event):
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.arrive()
        return event.partition(" ")[0]

    def arrive(self):
        how = "inherited" if _caller["pid"] is not None else "fresh"
        with open(os.path.join(self.folder, f"pid-{self.pid}"), "w") as file:
            file.write(how)
        if self.pid == _caller["pid"]:
            return  # called in the test's own process: no worker to wait for
        deadline = time.monotonic() + MEETING_SECONDS
        while time.monotonic() < deadline:
            names = os.listdir(self.folder)
            if "gave-up" in names or sum(n.startswith("pid-") for n in names) >= self.meet:
                return
            time.sleep(0.002)
        with open(os.path.join(self.folder, "gave-up"), "w") as file:
            file.write(str(self.pid))


def make_events(count, seed):
    rng = random.Random(seed)
    return [f"{rng.choice(CATEGORIES)} /item/{n}" for n in range(count)]


def stop_children():
    alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
    for child in alive:
        child.join(1.0)
    return alive


class Run:
    def __init__(self, events, workers, limit=8.0):
        assert not _never_met, (
            "not run: in an earlier test the workers did not run at the same time (see the "
            "first failing test); fix that first"
        )
        folder = tempfile.mkdtemp(prefix="counter-")
        try:
            self.totals = self.call(events, workers, Classifier(folder, workers), limit)
            names = os.listdir(folder)
            self.pids = {}
            for name in names:
                if name.startswith("pid-"):
                    with open(os.path.join(folder, name)) as file:
                        self.pids[int(name[4:])] = file.read()
            self.met = "gave-up" not in names
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def call(events, workers, classify, limit):
        box = {}

        def call():
            try:
                box["totals"] = count_in_processes(events, CATEGORIES, classify, workers)
            except BaseException as error:  # re-raised below, in the test's own thread
                box["error"] = error

        _caller["pid"] = os.getpid()
        caller = threading.Thread(target=call, daemon=True)
        caller.start()
        caller.join(limit)
        if caller.is_alive():
            stop_children()
            raise AssertionError(
                f"count_in_processes had not returned after {limit:g} s, so the test killed "
                "its worker processes. Does it wait for a process that never ends?"
            )
        alive = stop_children()
        if "error" in box:
            raise box["error"]
        assert not alive, (
            f"{len(alive)} worker process(es) still alive after count_in_processes returned: "
            "join every process you start before returning"
        )
        return box["totals"]


def check_totals(run, events, attempt=None):
    expected = {category: 0 for category in CATEGORIES} | Counter(
        event.partition(" ")[0] for event in events
    )
    which = f"attempt {attempt}: " if attempt else ""
    assert isinstance(run.totals, dict), (
        f"count_in_processes must return a dict, got {type(run.totals).__name__}"
    )
    assert sorted(run.totals) == sorted(CATEGORIES), (
        f"{which}the result has the keys {sorted(run.totals)!r}; it must have one per "
        f"category, {CATEGORIES!r}, even for a category that no event has"
    )
    if run.totals == expected:
        return
    counted, total = sum(run.totals.values()), len(events)
    if counted == 0:
        raise AssertionError(
            f"{which}every total is 0 for {total:,} events. Each worker counted into its own "
            "copy of the counters (a process has its own memory: a plain int, list or dict, "
            "global or passed as an argument, is copied), and the caller's stayed at 0. "
            "Count into multiprocessing.Value or Array objects created before the workers "
            "start."
        )
    if counted < total:
        raise AssertionError(
            f"{which}{total:,} events but the totals add up to {counted:,}: "
            f"{total - counted:,} increments were lost ({run.totals!r}, expected "
            f"{expected!r}). counter.value += 1 is a read and a write, each locked on its "
            "own; another process can write in between. Hold counter.get_lock() around "
            "the whole update."
        )
    raise AssertionError(f"{which}the totals are {run.totals!r}, expected {expected!r}")


def check_workers(run, workers):
    caller = os.getpid()
    assert caller not in run.pids, (
        "classify() ran in the test's own process: the events must be counted in worker "
        "processes (multiprocessing.Process), not in the caller or in threads"
    )
    assert len(run.pids) == workers, (
        f"classify() ran in {len(run.pids)} process(es) for workers={workers}: start exactly "
        f"{workers} worker processes and give each of them a share of the events"
    )
    if not run.met:
        _never_met.append(True)
    assert run.met, (
        f"the {workers} workers never ran at the same time: one of them waited "
        f"{MEETING_SECONDS:g} s at its first event for the others. Start every process before "
        "you join any of them."
    )


def test_works_under_spawn():
    events = make_events(30_000, seed=11)
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        run = Run(events, workers=3)
    finally:
        multiprocessing.set_start_method(previous, force=True)
    check_workers(run, 3)
    assert set(run.pids.values()) == {"fresh"}, (
        "the caller chose the spawn start method, but the workers were forked. Use "
        "multiprocessing's default context (multiprocessing.Process, multiprocessing.Value), "
        "so that the caller's choice applies."
    )
    check_totals(run, events)


def test_three_workers_lose_nothing_either():
    events = make_events(60_000, seed=12)
    for attempt in range(1, 3):
        run = Run(events, workers=3)
        check_workers(run, 3)
        check_totals(run, events, attempt)


def test_a_category_without_events_counts_zero_and_shares_can_be_uneven():
    rng = random.Random(13)
    events = [f"{rng.choice(['GET', 'POST', 'PUT'])} /page/{n}" for n in range(1_001)]
    run = Run(events, workers=3)
    check_totals(run, events)
    check_workers(run, 3)


def test_one_worker():
    events = make_events(5_000, seed=14)
    run = Run(events, workers=1)
    check_totals(run, events)
    check_workers(run, 1)


def test_no_events():
    run = Run([], workers=2)
    assert run.totals == {category: 0 for category in CATEGORIES}, (
        f"count_in_processes([], ...) returned {run.totals!r}: every category must be there, with 0"
    )


def test_each_call_counts_afresh():
    first_events = make_events(2_000, seed=15)
    second_events = make_events(500, seed=16)
    first = Run(first_events, workers=2)
    check_totals(first, first_events)
    second = Run(second_events, workers=2)
    assert sum(second.totals.values()) != len(first_events) + len(second_events), (
        f"the second call returned {second.totals!r}: the first call's counts plus its own. "
        "Create new counters for every call, not once for the module."
    )
    check_totals(second, second_events)
