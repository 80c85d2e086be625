"""Further tests: stop() finishes the work already sent, errors, isolation, reads."""

import threading
import time
from concurrent.futures import Future, TimeoutError

from solution import CounterActor


class RecordingStore(dict):
    """A dict that records which threads touch it, and reads slowly."""

    def __init__(self):
        super().__init__()
        self.threads = set()
        self._lock = threading.Lock()

    def _record(self):
        with self._lock:
            self.threads.add(threading.get_ident())

    def get(self, key, default=None):
        self._record()
        value = super().get(key, default)
        time.sleep(0.0005)
        return value

    def __getitem__(self, key):
        self._record()
        value = super().__getitem__(key)
        time.sleep(0.0005)
        return value

    def __setitem__(self, key, value):
        self._record()
        super().__setitem__(key, value)


def wait(future, what, seconds=3):
    assert isinstance(future, Future), (
        f"{what} must return a concurrent.futures.Future, got {future!r}"
    )
    try:
        return future.result(timeout=seconds)
    except TimeoutError:
        raise AssertionError(
            f"the Future returned by {what} was not completed within {seconds} s"
        ) from None


def stop_within(actor, seconds=5):
    stopper = threading.Thread(target=actor.stop, daemon=True)
    stopper.start()
    stopper.join(timeout=seconds)
    assert not stopper.is_alive(), f"stop() did not return within {seconds} s"


def test_stop_handles_the_messages_already_sent():
    before = set(threading.enumerate())
    actor = CounterActor(RecordingStore())  # slow reads: messages are still queued at stop()
    started = [thread for thread in threading.enumerate() if thread not in before]
    futures = [actor.increment("n") for _ in range(300)]  # sent, not yet waited for
    stop_within(actor)
    done = sum(future.done() for future in futures)
    assert done == 300, (
        f"only {done} of the 300 increments sent before stop() were answered when stop() "
        "returned; stop() must let the actor handle what is already in its mailbox"
    )
    values = [wait(future, "increment('n')") for future in futures]
    assert values == list(range(1, 301)), (
        "the increments must be handled in the order they were sent, giving 1, 2, ..., 300"
    )
    for thread in started:
        thread.join(timeout=2)
    assert not any(thread.is_alive() for thread in started), "the actor thread is still alive"


def test_calls_after_stop_raise_runtime_error():
    actor = CounterActor()
    wait(actor.increment("a"), "increment('a')")
    stop_within(actor)
    for name, call in (
        ("increment('a')", lambda: actor.increment("a")),
        ("get('a')", lambda: actor.get("a")),
        ("snapshot()", actor.snapshot),
    ):
        try:
            result = call()
        except RuntimeError:
            continue
        raise AssertionError(
            f"{name} after stop() returned {result!r}; it must raise RuntimeError, because "
            "nobody will ever answer the message"
        )
    stop_within(actor)  # stopping twice is harmless


def test_a_failing_message_fails_only_its_future():
    actor = CounterActor()
    try:
        wait(actor.increment("a", 2), "increment('a', 2)")
        bad = actor.increment("a", "three")  # int + str raises TypeError in the actor
        try:
            error = bad.exception(timeout=3)
        except TimeoutError:
            raise AssertionError(
                "the Future of a message that raised was never completed: catch the "
                "exception in the actor thread and put it in the future (set_exception)"
            ) from None
        assert isinstance(error, TypeError), (
            f"increment('a', 'three') must fail its future with TypeError, got {error!r}"
        )
        value = wait(actor.increment("a", 1), "increment('a', 1) after the failure")
        assert value == 3, (
            f"after a failed message the actor must keep working: 2 + 1 gave {value!r}"
        )
    finally:
        stop_within(actor)


def test_readers_and_writers_only_through_the_actor():
    store = RecordingStore()
    actor = CounterActor(store)
    errors = []
    seen = []

    def writer():
        try:
            for _ in range(30):
                wait(actor.increment("w"), "increment('w')")
        except BaseException as error:
            errors.append(error)

    def reader():
        try:
            for _ in range(30):
                seen.append(wait(actor.get("w"), "get('w')"))
                wait(actor.snapshot(), "snapshot()")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    try:
        assert not errors, f"a client failed: {errors[0]!r}"
        total = wait(actor.get("w"), "get('w')")
        assert total == 120, f"4 writers x 30 increments must give 120, got {total}"
        assert all(0 <= value <= 120 for value in seen), "get() returned an impossible value"
        assert len(store.threads) == 1, (
            f"{len(store.threads)} threads touched the dict; only the actor thread may"
        )
    finally:
        stop_within(actor)


def test_two_actors_are_independent():
    first, second = CounterActor(), CounterActor()
    try:
        wait(first.increment("k", 10), "first.increment('k', 10)")
        wait(second.increment("k", 1), "second.increment('k', 1)")
        assert wait(first.get("k"), "first.get('k')") == 10, "actors must not share state"
        assert wait(second.get("k"), "second.get('k')") == 1, "actors must not share state"
    finally:
        stop_within(first)
        stop_within(second)
