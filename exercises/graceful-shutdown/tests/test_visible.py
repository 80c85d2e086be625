"""Tests you can see: SIGTERM stops the service cleanly, nothing is lost, nothing is left."""

import os
import queue
import signal
import threading
import time

from solution import run_service


class SigtermNotHandled(Exception):
    """Raised by the test's own SIGTERM handler: run_service did not install one."""


def fallback_handler(signum, frame):
    raise SigtermNotHandled()


class Recorder:
    """The `handle` function given to the service: records each item's start and finish."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.started, self.finished = [], []
        self._lock = threading.Lock()

    def __call__(self, item):
        with self._lock:
            self.started.append(item)
        time.sleep(self.seconds)  # the work: it must not be cut short
        with self._lock:
            self.finished.append(item)


def end_leftover_threads(source, threads_before):
    """Shut the queue down so that worker threads left behind end, and wait for them quietly."""
    old_hook = threading.excepthook

    def quiet_hook(args):
        if not issubclass(args.exc_type, queue.ShutDown):
            old_hook(args)

    threading.excepthook = quiet_hook
    try:
        source.shutdown(immediate=True)  # get() now raises queue.ShutDown in every thread
        for thread in set(threading.enumerate()) - threads_before:
            thread.join(1.0)
    finally:
        threading.excepthook = old_hook


def run_scenario(items, item_seconds, signal_after, workers=2, send="kill"):
    """Run the service on `items`, send SIGTERM after `signal_after` s; return what happened."""
    source = queue.Queue()
    for item in items:
        source.put(item)
    record = Recorder(item_seconds)
    threads_before = set(threading.enumerate())
    previous = signal.signal(signal.SIGTERM, fallback_handler)
    sent = {}

    def send_sigterm():
        sent["at"] = time.perf_counter()
        if send == "kill":
            os.kill(os.getpid(), signal.SIGTERM)
        else:
            signal.raise_signal(signal.SIGTERM)

    timer = threading.Timer(signal_after, send_sigterm)
    started_at = time.perf_counter()
    timer.start()
    try:
        try:
            result = run_service(source, record, workers)
        except SigtermNotHandled:
            raise AssertionError(
                "SIGTERM reached the handler the test had installed before calling "
                "run_service, so the service never saw it. Install your own handler with "
                "signal.signal(signal.SIGTERM, ...) at the start of run_service (without one, "
                "SIGTERM's default action kills the whole process)."
            ) from None
        returned_at = time.perf_counter()
        with record._lock:
            started, finished = list(record.started), list(record.finished)
        timer.cancel()
        try:
            timer.join()
            time.sleep(0.01)  # a SIGTERM sent after the return is handled here
        except SigtermNotHandled:
            pass
        assert sent.get("at", returned_at) < returned_at, (
            f"run_service returned after {returned_at - started_at:.2f} s, before SIGTERM was "
            "sent: keep serving until SIGTERM arrives, even while the queue is empty"
        )
        leftover = [
            thread.name
            for thread in threading.enumerate()
            if thread not in threads_before and thread is not timer and thread.is_alive()
        ]
        handler_after = signal.getsignal(signal.SIGTERM)
        remaining = []
        while True:
            try:
                remaining.append(source.get_nowait())
            except queue.Empty:
                break
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
        end_leftover_threads(source, threads_before | {timer})
    return {
        "result": result,
        "started": started,
        "finished": finished,
        "remaining": remaining,
        "leftover": leftover,
        "handler_after": handler_after,
        "stop_delay": returned_at - sent["at"],
    }


def check_nothing_lost(items, outcome):
    result, finished = outcome["result"], outcome["finished"]
    in_flight = sorted(set(outcome["started"]) - set(finished))
    assert not in_flight, (
        f"items {in_flight} were being handled when run_service returned: finish every item "
        "a worker has taken before returning (join the worker threads)"
    )
    assert isinstance(result, list), f"run_service must return a list, got {type(result)}"
    assert sorted(result) == sorted(finished), (
        f"run_service returned {sorted(result)}, but the items handled were {sorted(finished)}"
    )
    assert len(set(finished)) == len(finished), f"some items were handled twice: {finished}"
    lost = sorted(set(items) - set(finished) - set(outcome["remaining"]))
    assert not lost, (
        f"items {lost} were taken from the source queue but never handled: once an item is "
        "accepted it must be handled, even after SIGTERM. Take an item only when a worker is "
        "ready to handle it, or handle everything you have already taken."
    )


def test_finishes_in_flight_items_and_keeps_the_rest():
    items = list(range(40))
    outcome = run_scenario(items, item_seconds=0.05, signal_after=0.3)
    check_nothing_lost(items, outcome)
    assert outcome["finished"], "no item was handled in the 0.3 s before SIGTERM"
    assert len(outcome["remaining"]) >= 10, (
        f"only {len(outcome['remaining'])} of 40 items were left in the source queue: the "
        "service went on taking new items after SIGTERM. Stop taking items once it arrives."
    )
    assert outcome["stop_delay"] < 1.0, (
        f"run_service returned {outcome['stop_delay']:.2f} s after SIGTERM; with items of "
        "0.05 s it should stop within a fraction of a second"
    )


def test_restores_the_previous_handler():
    outcome = run_scenario(list(range(10)), item_seconds=0.02, signal_after=0.15)
    check_nothing_lost(list(range(10)), outcome)
    assert outcome["handler_after"] is fallback_handler, (
        "after run_service returned, the SIGTERM handler was "
        f"{outcome['handler_after']!r} instead of the one installed before the call: save what "
        "signal.signal() returns and install it again before returning"
    )


def test_no_thread_left_running():
    outcome = run_scenario(list(range(30)), item_seconds=0.05, signal_after=0.25)
    assert not outcome["leftover"], (
        f"threads {outcome['leftover']} were still running after run_service returned: stop "
        "the workers and join them before returning"
    )
    check_nothing_lost(list(range(30)), outcome)
