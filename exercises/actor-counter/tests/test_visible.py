"""Tests you can see: the messages, many concurrent clients, and a clean stop."""

import threading
import time
from concurrent.futures import Future, TimeoutError

from solution import CounterActor


class RecordingStore(dict):
    """A dict that records which threads touch it, and reads slowly.

    The pause after each read leaves time for another thread to read the same old value,
    so if two threads ever update it at the same time, an update is lost every time.
    """

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


def wait(future, what):
    assert isinstance(future, Future), (
        f"{what} must return a concurrent.futures.Future, got {future!r}"
    )
    try:
        return future.result(timeout=3)
    except TimeoutError:
        raise AssertionError(
            f"the Future returned by {what} was not completed within 3 s: is the actor "
            "thread running and answering every message?"
        ) from None


def new_threads(before):
    return [thread for thread in threading.enumerate() if thread not in before]


def test_basic_messages():
    actor = CounterActor()
    try:
        assert wait(actor.increment("a"), "increment('a')") == 1, "the first increment gives 1"
        assert wait(actor.increment("a", 5), "increment('a', 5)") == 6, "1 + 5 must give 6"
        assert wait(actor.increment("b", 2), "increment('b', 2)") == 2
        assert wait(actor.get("a"), "get('a')") == 6, "get('a') must give 6"
        assert wait(actor.get("missing"), "get('missing')") == 0, "an unknown key counts 0"
        snapshot = wait(actor.snapshot(), "snapshot()")
        assert snapshot == {"a": 6, "b": 2}, f"snapshot() returned {snapshot!r}"
    finally:
        actor.stop()


def test_many_clients_lose_no_updates():
    store = RecordingStore()
    before = set(threading.enumerate())
    actor = CounterActor(store)
    actor_threads = new_threads(before)
    clients = []
    errors = []

    def client(number):
        try:
            for _ in range(40):
                wait(actor.increment("shared"), "increment('shared')")
                wait(actor.increment(f"own-{number}"), "increment(own key)")
        except BaseException as error:
            errors.append(error)

    for number in range(8):
        clients.append(threading.Thread(target=client, args=(number,)))
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=20)
    try:
        assert not errors, f"a client failed: {errors[0]!r}"
        shared = wait(actor.get("shared"), "get('shared')")
        assert shared == 320, (
            f"8 clients each incremented 'shared' 40 times, but it counts {shared}, not 320: "
            "updates were lost because several threads changed the dict at the same time"
        )
        snapshot = wait(actor.snapshot(), "snapshot()")
        own = {key: value for key, value in snapshot.items() if key.startswith("own-")}
        assert own == {f"own-{number}": 40 for number in range(8)}, f"own counters: {own!r}"
        assert store.threads, (
            "the store passed to CounterActor(store) was never used; keep it as the state "
            "(careful: an empty dict is falsy, so test `store is None`, not `store or {}`)"
        )
        assert len(store.threads) == 1, (
            f"{len(store.threads)} different threads touched the dict; only the actor's own "
            "thread may read or change it (the callers must send messages instead)"
        )
        client_ids = {thread.ident for thread in clients} | {threading.get_ident()}
        assert not store.threads & client_ids, (
            "a client thread (or the test's thread) touched the dict directly"
        )
        actor_ids = {thread.ident for thread in actor_threads}
        assert store.threads <= actor_ids, (
            "the dict was touched by a thread that CounterActor() did not start"
        )
    finally:
        actor.stop()


def test_stop_ends_the_actor_thread():
    before = set(threading.enumerate())
    actor = CounterActor()
    started = new_threads(before)
    assert started, "CounterActor() must start its own thread"
    wait(actor.increment("x"), "increment('x')")
    time.sleep(0.1)  # let the actor go back to waiting for its next message
    stopper = threading.Thread(target=actor.stop, daemon=True)
    stopper.start()
    stopper.join(timeout=5)
    assert not stopper.is_alive(), "stop() did not return within 5 s"
    for thread in started:
        thread.join(timeout=2)
    alive = [thread.name for thread in started if thread.is_alive()]
    assert not alive, (
        f"after stop() returned, the actor's thread is still alive: {alive!r}. A thread "
        "blocked in queue.get() never sees a flag; wake it with a message (a sentinel) or "
        "queue.Queue.shutdown() (3.13), and join it in stop()"
    )
