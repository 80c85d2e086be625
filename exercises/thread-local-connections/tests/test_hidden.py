"""Further tests: reused thread identifiers, independent helpers, many threads, close_all()."""

import threading
import time

from solution import ConnectionPerThread


class FakeConnection:
    """Remembers the thread that opened it and counts calls to close()."""

    def __init__(self, label):
        self.label = label
        self.owner = threading.current_thread()
        self.close_calls = 0

    def close(self):
        self.close_calls += 1

    def __repr__(self):
        return f"<connection {self.label} opened by {self.owner.name}>"


class Connector:
    """The connect() function handed to ConnectionPerThread; keeps every connection it opens."""

    def __init__(self, name="db", pause=0.0):
        self.name = name
        self.pause = pause
        self.opened = []
        self._lock = threading.Lock()

    def __call__(self):
        time.sleep(self.pause)  # opening a connection takes a moment
        with self._lock:
            connection = FakeConnection(f"{self.name}-{len(self.opened) + 1}")
            self.opened.append(connection)
        return connection


def in_thread(function, name):
    """Run function in a new thread, wait for it, and return what it returned."""
    box = {}
    thread = threading.Thread(target=lambda: box.update(value=function()), name=name, daemon=True)
    thread.start()
    thread.join(5.0)
    assert not thread.is_alive(), f"{name} did not finish within 5 s"
    return box.get("value")


def test_threads_started_one_after_another():
    connect = Connector()
    helper = ConnectionPerThread(connect)
    got = [in_thread(helper.get, f"sequential-{i}") for i in range(5)]
    for i, connection in enumerate(got):
        assert connection.owner.name == f"sequential-{i}", (
            f"thread sequential-{i} was given {connection!r}, which belongs to a thread that "
            "has ended. New threads often reuse the identifier of a finished thread, so a "
            "dictionary keyed by threading.get_ident() hands out stale connections; "
            "threading.local starts empty in every new thread."
        )
    assert len(connect.opened) == 5, f"connect() was called {len(connect.opened)} times, not 5"


def test_two_helpers_are_independent():
    users, orders = Connector("users"), Connector("orders")
    first, second = ConnectionPerThread(users), ConnectionPerThread(orders)
    for where in ("the main thread", "a worker thread"):

        def both():
            return first.get(), second.get()

        a, b = both() if where == "the main thread" else in_thread(both, "worker")
        assert a in users.opened and b in orders.opened, (
            f"in {where}, the two helpers returned {a!r} and {b!r}: each helper must use its "
            "own connect() and keep its own connections (one threading.local per helper)"
        )


def test_many_threads_ask_at_the_same_moment():
    connect = Connector(pause=0.02)
    helper = ConnectionPerThread(connect)
    start_line = threading.Barrier(8, timeout=5)
    got = {}

    def worker():
        start_line.wait()
        got[threading.current_thread().name] = helper.get()

    threads = [threading.Thread(target=worker, name=f"rush-{i}", daemon=True) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5.0)
    assert len(got) == 8, f"only {len(got)} of 8 threads got a connection within 5 s"
    for name, connection in got.items():
        assert connection.owner.name == name, f"{name} was given {connection!r}"
    assert len(connect.opened) == 8, (
        f"8 threads asking at once caused {len(connect.opened)} calls to connect(), expected 8"
    )


def test_close_all_from_another_thread_and_twice():
    connect = Connector()
    helper = ConnectionPerThread(connect)
    helper.get()
    in_thread(helper.get, "opener-1")
    in_thread(helper.get, "opener-2")
    in_thread(helper.close_all, "closer")
    helper.close_all()  # nothing is left to close
    calls = {repr(connection): connection.close_calls for connection in connect.opened}
    assert all(count == 1 for count in calls.values()), (
        f"each connection must be closed exactly once, whichever thread calls close_all() and "
        f"however often; close() calls were {calls}"
    )


def test_long_lived_threads_get_new_connections_after_close_all():
    connect = Connector()
    helper = ConnectionPerThread(connect)
    closed = threading.Event()
    seen = {}

    def worker():
        before = helper.get()
        closed.wait(5)
        seen[threading.current_thread().name] = (before, helper.get())

    threads = [threading.Thread(target=worker, name=f"long-{i}", daemon=True) for i in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(connect.opened) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    helper.close_all()
    closed.set()
    for thread in threads:
        thread.join(5.0)
    assert len(seen) == 3, f"only {len(seen)} of 3 worker threads finished"
    for name, (before, after) in sorted(seen.items()):
        assert before.close_calls == 1, f"{before!r} was closed {before.close_calls} time(s)"
        assert after is not before and after.close_calls == 0 and after.owner.name == name, (
            f"after close_all(), {name} got {after!r} from get(): it must open a new connection "
            "in every thread, not hand back the closed one"
        )
