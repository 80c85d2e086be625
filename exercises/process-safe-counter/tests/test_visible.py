"""Tests you can see: exact totals from several processes, again and again, and real workers.

The events are counted by real processes on real cores, so an update made without the
counter's lock loses increments whenever two workers meet on the same counter. To make sure
they do meet, the `classify` these tests pass holds each worker at its first event until all
the workers have reached theirs: from then on they count at the same time.
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
    """classify(event) for the tests: the HTTP method at the start of a request line.

    It is picklable (a module-level class holding only a folder name and numbers), so it can
    be sent to processes started by any method. On its first call in a process it leaves a
    file named after that process in `folder`, and waits until `meet` processes have done so.
    """

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
    """Kill and reap every child process still alive; return the ones that were."""
    alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
    for child in alive:
        child.join(1.0)
    return alive


class Run:
    """One watched call of count_in_processes, and what its workers left behind."""

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


def test_two_workers_count_every_event():
    events = make_events(400, seed=1)
    run = Run(events, workers=2)
    check_totals(run, events)
    check_workers(run, 2)


def test_no_increment_is_lost_again_and_again():
    # 2 workers x 20,000 events at the same time: an unlocked update loses thousands.
    events = make_events(40_000, seed=2)
    for attempt in range(1, 4):
        run = Run(events, workers=2)
        check_workers(run, 2)
        check_totals(run, events, attempt)


def test_three_workers_share_the_work():
    events = make_events(3_000, seed=3)
    run = Run(events, workers=3)
    check_totals(run, events)
    check_workers(run, 3)


def test_four_workers_on_few_cores_lose_nothing():
    # More workers than the machine has cores: the system switches between them, and a
    # worker interrupted between its read and its write loses the others' increments.
    events = make_events(60_000, seed=4)
    for attempt in range(1, 3):
        run = Run(events, workers=4)
        check_workers(run, 4)
        check_totals(run, events, attempt)
