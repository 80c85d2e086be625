"""Tests you can see: one connection per thread, the same one on every call, close_all()."""

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


def run_threads(target, count, name):
    threads = [
        threading.Thread(target=target, name=f"{name}-{i}", daemon=True) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5.0)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads {stuck} did not finish within 5 s"


def test_same_connection_every_time_in_one_thread():
    connect = Connector()
    helper = ConnectionPerThread(connect)
    first = helper.get()
    second = helper.get()
    assert first is second, f"two get() calls in one thread returned {first!r} and {second!r}"
    assert connect.opened == [first], (
        f"connect() was called {len(connect.opened)} times for one thread, expected once"
    )
    assert first.owner is threading.current_thread(), (
        f"{first!r} was opened in another thread; call connect() in the thread that asks"
    )


def test_each_thread_gets_its_own_connection():
    connect = Connector()
    helper = ConnectionPerThread(connect)
    all_started = threading.Barrier(4, timeout=5)
    seen = {}

    def worker():
        first = helper.get()
        all_started.wait()  # the four threads are alive at the same time
        second = helper.get()
        seen[threading.current_thread().name] = (first, second)

    run_threads(worker, 4, "worker")
    for name, (first, second) in sorted(seen.items()):
        assert first is second, f"{name} got {first!r}, then {second!r}"
        assert first.owner.name == name, (
            f"{name} was given {first!r}: each thread must get a connection opened in that "
            "thread, not one shared with others"
        )
    distinct = {id(first) for first, _ in seen.values()}
    assert len(distinct) == 4, f"4 threads got {len(distinct)} different connection(s)"
    assert len(connect.opened) == 4, (
        f"connect() was called {len(connect.opened)} times for 4 threads, expected 4"
    )


def test_close_all_closes_every_connection():
    connect = Connector()
    helper = ConnectionPerThread(connect)
    run_threads(helper.get, 3, "short-lived")  # these threads end after opening
    mine = helper.get()
    helper.close_all()
    calls = {repr(connection): connection.close_calls for connection in connect.opened}
    assert len(calls) == 4, f"expected 4 connections to have been opened, got {len(calls)}"
    assert all(count == 1 for count in calls.values()), (
        f"close_all() must call close() once on every connection, including those opened by "
        f"threads that have ended; close() calls were {calls}"
    )
    fresh = helper.get()
    assert fresh is not mine and fresh.close_calls == 0, (
        f"after close_all(), get() returned {fresh!r} (closed {fresh.close_calls} time(s)); "
        "it must open a new connection"
    )
