"""Tests you can see: order, timeouts, waking up, no polling, many threads at once, close().

Each buffer's `_items` is replaced by a deque that records the most items it ever held and how
often its length was looked at. Every thread a test starts is given a deadline: a thread that
is never woken fails the test instead of hanging it.
"""

import collections
import sys
import threading
import time
from collections import Counter

from solution import BoundedBuffer, Closed


class WatchedItems(collections.deque):
    """Stands in for a buffer's `_items`: records its longest length and each look at its length."""

    def __init__(self):
        super().__init__()
        self._guard = threading.Lock()
        self.longest = 0
        self.looks = 0  # len(items), `if items`, `not items`: each one counts

    def __len__(self):
        with self._guard:
            self.looks += 1
        return super().__len__()

    def append(self, item):
        super().append(item)
        size = super().__len__()
        with self._guard:
            self.longest = max(self.longest, size)


def watched_buffer(capacity):
    buffer = BoundedBuffer(capacity)
    items = buffer._items = WatchedItems()
    return buffer, items


class Worker:
    """Runs function() in a daemon thread and keeps what it returned or raised."""

    def __init__(self, function, name="worker"):
        self.function = function
        self.result = None
        self.error = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.result = self.function()
        except BaseException as error:  # handed to the test
            self.error = error
        finally:
            self.done.set()

    def finishes(self, deadline):
        return self.done.wait(max(0.0, deadline - time.monotonic()))


def wait_until(condition, seconds=2.0):
    """Poll condition() until it is true or `seconds` have passed; return its last value."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)
    return condition()


def wait_until_blocked(items, looks_before, threads):
    # A waiting thread looks at the length once, under the lock, before it waits; once the main
    # thread holds the lock after that, the waiter is registered with the condition.
    wait_until(lambda: items.looks >= looks_before + threads)


def exchange(capacity, producers, consumers, per_producer):
    """Many producers and consumers at once, all started together; checks what came through."""
    buffer, items = watched_buffer(capacity)
    start = threading.Barrier(producers + consumers)
    received = [[] for _ in range(consumers)]

    def produce(p):
        start.wait()
        for i in range(per_producer):
            buffer.put((p, i))

    def consume(c):
        start.wait()
        while True:
            try:
                item = buffer.get()
            except Closed:
                return
            received[c].append(item)

    producing = [Worker(lambda p=p: produce(p), f"producer-{p}") for p in range(producers)]
    consuming = [Worker(lambda c=c: consume(c), f"consumer-{c}") for c in range(consumers)]
    shape = f"capacity {capacity}, {producers} producers, {consumers} consumers"
    deadline = time.monotonic() + 3.0
    stuck = sum(not worker.finishes(deadline) for worker in producing)
    assert not stuck, (
        f"{shape}: {stuck} producers were still blocked in put() after 3 s, with consumers "
        "taking items all along. Does get() wake a waiting producer every time it takes an "
        "item? With two conditions, notify the one producers wait on; with a single "
        "Condition for both sides, notify() may wake another consumer instead: use "
        "notify_all()."
    )
    errors = [repr(w.error) for w in producing + consuming if w.error is not None]
    assert not errors, f"{shape}: put() or get() raised {errors}"
    assert items.longest <= capacity, (
        f"{shape}: the buffer held {items.longest} items at one point. A woken producer must "
        "check again that there is room before it appends: wait in a `while` loop or with "
        "wait_for(), never after a single `if`."
    )
    buffer.close()
    deadline = time.monotonic() + 3.0
    stuck = sum(not worker.finishes(deadline) for worker in consuming)
    assert not stuck, (
        f"{shape}: after every item was put and close() was called, {stuck} consumers were "
        "still blocked in get() 3 s later. Does get() wake when an item arrives, and does "
        "close() wake every waiting consumer?"
    )
    errors = [repr(w.error) for w in consuming if w.error is not None]
    assert not errors, f"{shape}: get() raised {errors}"
    counts = Counter(item for got in received for item in got)
    expected = {(p, i) for p in range(producers) for i in range(per_producer)}
    missing = expected - counts.keys()
    twice = [item for item, count in counts.items() if count > 1]
    assert not missing and not twice, (
        f"{shape}: {len(missing)} items never delivered (e.g. {sorted(missing)[:3]}), "
        f"{len(twice)} delivered more than once (e.g. {twice[:3]})"
    )
    for got in received:
        for p in range(producers):
            order = [i for q, i in got if q == p]
            assert order == sorted(order), (
                f"{shape}: one consumer got producer {p}'s items in the order {order[:10]}: "
                "the buffer must hand items out first in, first out"
            )
    assert items.longest <= capacity, f"{shape}: the buffer held {items.longest} items"


def test_one_thread_first_in_first_out():
    buffer, items = watched_buffer(3)
    for item in ("a", "b", "c"):
        buffer.put(item)
    got = [buffer.get(timeout=1), buffer.get(timeout=1), buffer.get(timeout=1)]
    assert got == ["a", "b", "c"], f"put a, b, c and got back {got!r}"
    assert items.longest == 3, f"after 3 puts, the buffer of capacity 3 held {items.longest}"
    buffer.put(None)
    assert buffer.get(timeout=1) is None, "None is an item like any other"


def test_get_on_an_empty_buffer_times_out():
    buffer = BoundedBuffer(2)
    started = time.monotonic()
    try:
        buffer.get(timeout=0.3)
    except TimeoutError:
        pass
    else:
        raise AssertionError("get(timeout=0.3) on an empty buffer must raise TimeoutError")
    elapsed = time.monotonic() - started
    assert 0.27 <= elapsed < 3.0, (
        f"get(timeout=0.3) raised TimeoutError after {elapsed:.2f} s; it must wait the whole "
        "0.3 s for an item first"
    )
    try:
        buffer.get(timeout=0)
    except TimeoutError:
        pass
    else:
        raise AssertionError("get(timeout=0) on an empty buffer must raise TimeoutError")


def test_put_on_a_full_buffer_times_out_and_adds_nothing():
    buffer, items = watched_buffer(2)
    buffer.put("a")
    buffer.put("b")
    started = time.monotonic()
    try:
        buffer.put("c", timeout=0.3)
    except TimeoutError:
        pass
    else:
        raise AssertionError("put(item, timeout=0.3) on a full buffer must raise TimeoutError")
    elapsed = time.monotonic() - started
    assert 0.27 <= elapsed < 3.0, (
        f"put(item, timeout=0.3) raised TimeoutError after {elapsed:.2f} s; it must wait the "
        "whole 0.3 s for room first"
    )
    assert items.longest == 2, f"a buffer of capacity 2 held {items.longest} items"
    got = [buffer.get(timeout=1), buffer.get(timeout=1)]
    assert got == ["a", "b"], f"got {got!r} back, expected ['a', 'b']"
    try:
        buffer.get(timeout=0)
    except TimeoutError:
        pass
    else:
        raise AssertionError("the item of a put() that timed out was added to the buffer")


def test_a_waiting_get_wakes_when_an_item_arrives():
    buffer, items = watched_buffer(2)
    looks = items.looks
    consumer = Worker(buffer.get, "consumer")
    wait_until_blocked(items, looks, 1)
    buffer.put("x")
    assert consumer.finishes(time.monotonic() + 2.0), (
        "a thread waiting in get() on an empty buffer was still waiting 2 s after put() added "
        "an item: put() must notify the condition that consumers wait on"
    )
    assert consumer.error is None, f"get() raised {consumer.error!r} instead of waiting"
    assert consumer.result == "x", f"get() returned {consumer.result!r}, expected 'x'"


def test_a_waiting_put_wakes_when_an_item_is_taken():
    buffer, items = watched_buffer(1)
    buffer.put("a")
    looks = items.looks
    producer = Worker(lambda: buffer.put("b"), "producer")
    wait_until_blocked(items, looks, 1)
    assert buffer.get(timeout=1) == "a", "the first item out must be the first one put"
    assert producer.finishes(time.monotonic() + 2.0), (
        "a thread waiting in put() on a full buffer was still waiting 2 s after get() took an "
        "item: get() must notify the condition that producers wait on"
    )
    assert producer.error is None, f"put() raised {producer.error!r} instead of waiting"
    assert buffer.get(timeout=1) == "b", "the waiting put() did not add its item"


def test_a_waiting_thread_sleeps_instead_of_polling():
    buffer, items = watched_buffer(1)

    def get_for_half_a_second():
        cpu, wall = time.thread_time(), time.monotonic()
        try:
            buffer.get(timeout=0.5)
        except TimeoutError:
            pass
        return time.thread_time() - cpu, time.monotonic() - wall

    looks = items.looks
    waiter = Worker(get_for_half_a_second, "waiter")
    assert waiter.finishes(time.monotonic() + 3.0), "get(timeout=0.5) did not return in 3 s"
    assert waiter.error is None, f"get(timeout=0.5) raised {waiter.error!r}"
    cpu, wall = waiter.result
    looked = items.looks - looks
    assert wall >= 0.45, f"get(timeout=0.5) on an empty buffer returned after {wall:.2f} s"
    assert cpu < 0.05 and looked <= 5, (
        f"while get() waited {wall:.2f} s for an item that never came, its thread used "
        f"{cpu * 1000:.1f} ms of CPU and looked at the buffer {looked} times: it is polling. "
        "Wait on a threading.Condition, which sleeps until notify() or the timeout."
    )


def test_many_producers_and_consumers():
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    interval = sys.getswitchinterval()
    if gil:
        sys.setswitchinterval(1e-6)  # switch threads as often as possible, so that races show
    try:
        for capacity, producers, consumers in ((2, 4, 4), (1, 3, 3), (3, 5, 2)):
            exchange(capacity, producers, consumers, per_producer=120)
    finally:
        sys.setswitchinterval(interval)


def test_close_wakes_a_waiting_consumer():
    buffer, items = watched_buffer(2)
    looks = items.looks
    consumer = Worker(buffer.get, "consumer")
    wait_until_blocked(items, looks, 1)
    buffer.close()
    assert consumer.finishes(time.monotonic() + 2.0), (
        "a thread waiting in get() on an empty buffer was still waiting 2 s after close(): "
        "close() must wake every waiting thread (notify_all)"
    )
    assert isinstance(consumer.error, Closed), (
        f"get() on a closed, empty buffer must raise Closed; it gave {consumer.error!r} / "
        f"returned {consumer.result!r}"
    )
