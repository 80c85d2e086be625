"""Further tests: woken threads re-check, close() wakes both sides, items survive close()."""

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


def exchange(capacity, producers, consumers, per_producer, timeout=None):
    """Many producers and consumers at once, all started together; checks what came through."""
    buffer, items = watched_buffer(capacity)
    start = threading.Barrier(producers + consumers)
    received = [[] for _ in range(consumers)]

    def produce(p):
        start.wait()
        for i in range(per_producer):
            buffer.put((p, i), timeout)

    def consume(c):
        start.wait()
        while True:
            try:
                item = buffer.get(timeout)
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


def test_capacity_must_be_at_least_one():
    try:
        BoundedBuffer(0)
    except ValueError:
        pass
    else:
        raise AssertionError("BoundedBuffer(0) must raise ValueError: it could never hold an item")
    buffer = BoundedBuffer(1)
    assert buffer.capacity == 1, f"BoundedBuffer(1).capacity is {buffer.capacity!r}"


def test_woken_producers_never_overfill():
    buffer, items = watched_buffer(1)
    buffer.put("first")
    looks = items.looks
    producers = [Worker(lambda n=n: buffer.put(f"p{n}"), f"producer-{n}") for n in range(4)]
    wait_until_blocked(items, looks, 4)
    assert buffer.get(timeout=1) == "first", "the first item out must be the first one put"
    wait_until(lambda: any(p.done.is_set() for p in producers))
    time.sleep(0.2)  # time for any producer that wrongly went ahead to append its item
    errors = [repr(p.error) for p in producers if p.error is not None]
    assert not errors, f"put() raised {errors}"
    assert items.longest <= 1, (
        f"4 producers waited on a full buffer of capacity 1; one item was taken, and then the "
        f"buffer held {items.longest} items. Every woken producer appended without checking "
        "again that there was room: wait in a `while` loop or with wait_for(), never after a "
        "single `if`."
    )
    finished = sum(p.done.is_set() for p in producers)
    assert finished == 1, f"one item was taken from a full buffer and {finished} puts finished"
    got = {buffer.get(timeout=2) for _ in range(4)}
    assert got == {"p0", "p1", "p2", "p3"}, f"got {got!r} from the four producers"
    deadline = time.monotonic() + 2.0
    assert all(p.finishes(deadline) for p in producers), "a producer was never woken"


def test_woken_consumers_never_take_from_an_empty_buffer():
    buffer, items = watched_buffer(4)
    looks = items.looks
    consumers = [Worker(buffer.get, f"consumer-{n}") for n in range(4)]
    wait_until_blocked(items, looks, 4)
    buffer.put("only")
    wait_until(lambda: any(c.done.is_set() for c in consumers))
    time.sleep(0.2)  # time for any consumer that wrongly went ahead to take from the buffer
    errors = [repr(c.error) for c in consumers if c.error is not None]
    assert not errors, (
        f"4 consumers waited on an empty buffer and one item was put; then get() raised "
        f"{errors}. A woken consumer must check again that there is an item before it takes "
        "one: another consumer may have been first. Use a `while` loop or wait_for()."
    )
    finished = [c.result for c in consumers if c.done.is_set()]
    assert finished == ["only"], f"one item was put and these gets returned: {finished!r}"
    for item in ("a", "b", "c"):
        buffer.put(item, timeout=1)
    deadline = time.monotonic() + 2.0
    assert all(c.finishes(deadline) for c in consumers), (
        "4 items were put for 4 waiting consumers, and a consumer was still waiting 2 s later"
    )
    got = sorted(c.result for c in consumers)
    assert got == ["a", "b", "c", "only"], f"the four consumers got {got!r}"


def test_a_waiting_put_sleeps_instead_of_polling():
    buffer, items = watched_buffer(1)
    buffer.put("full")

    def put_for_half_a_second():
        cpu, wall = time.thread_time(), time.monotonic()
        try:
            buffer.put("more", timeout=0.5)
        except TimeoutError:
            pass
        return time.thread_time() - cpu, time.monotonic() - wall

    looks = items.looks
    waiter = Worker(put_for_half_a_second, "waiter")
    assert waiter.finishes(time.monotonic() + 3.0), "put(timeout=0.5) did not return in 3 s"
    assert waiter.error is None, f"put(item, timeout=0.5) raised {waiter.error!r}"
    cpu, wall = waiter.result
    looked = items.looks - looks
    assert wall >= 0.45, f"put(item, timeout=0.5) on a full buffer returned after {wall:.2f} s"
    assert cpu < 0.05 and looked <= 5, (
        f"while put() waited {wall:.2f} s for room that never came, its thread used "
        f"{cpu * 1000:.1f} ms of CPU and looked at the buffer {looked} times: it is polling. "
        "Wait on a threading.Condition, which sleeps until notify() or the timeout."
    )


def test_close_wakes_every_waiter():
    empty, empty_items = watched_buffer(2)
    full, full_items = watched_buffer(1)
    full.put("kept")
    looks = empty_items.looks, full_items.looks
    consumers = [Worker(empty.get, f"consumer-{n}") for n in range(3)]
    producers = [Worker(lambda n=n: full.put(f"p{n}"), f"producer-{n}") for n in range(3)]
    wait_until_blocked(empty_items, looks[0], 3)
    wait_until_blocked(full_items, looks[1], 3)
    empty.close()
    full.close()
    deadline = time.monotonic() + 2.0
    waiting_consumers = sum(not c.finishes(deadline) for c in consumers)
    waiting_producers = sum(not p.finishes(deadline) for p in producers)
    assert not waiting_consumers and not waiting_producers, (
        f"2 s after close(), {waiting_consumers} of 3 consumers were still waiting in get() on "
        f"an empty buffer and {waiting_producers} of 3 producers in put() on a full one. "
        "close() must wake the waiters on both sides (notify_all on each condition)."
    )
    wrong = [repr(w.error) for w in consumers + producers if not isinstance(w.error, Closed)]
    assert not wrong, (
        f"waiting put() and get() calls must raise Closed when the buffer is closed; these "
        f"did something else: {wrong}"
    )
    assert full_items.longest == 1, "a put() woken by close() added its item"
    assert full.get(timeout=1) == "kept", "the item already in the buffer was lost at close()"


def test_items_left_at_close_are_still_delivered():
    buffer = BoundedBuffer(3)
    buffer.put(1)
    buffer.put(2)
    buffer.close()
    buffer.close()  # closing twice is harmless
    try:
        buffer.put(3, timeout=1)
    except Closed:
        pass
    else:
        raise AssertionError("put() on a closed buffer must raise Closed")
    got = [buffer.get(timeout=1), buffer.get(timeout=1)]
    assert got == [1, 2], f"the items put before close() came out as {got!r}"
    drained = Worker(buffer.get, "consumer")  # no timeout: it must not wait at all
    assert drained.finishes(time.monotonic() + 2.0), (
        "get() on a closed buffer that is empty waited (2 s and counting): it must raise "
        "Closed at once"
    )
    assert isinstance(drained.error, Closed), (
        f"get() on a closed, empty buffer must raise Closed, not {drained.error!r} / return "
        f"{drained.result!r}"
    )


def test_more_shapes_with_timeouts():
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    interval = sys.getswitchinterval()
    if gil:
        sys.setswitchinterval(1e-6)  # switch threads as often as possible, so that races show
    try:
        for capacity, producers, consumers in ((1, 6, 2), (5, 2, 6), (2, 4, 4)):
            exchange(capacity, producers, consumers, per_producer=80, timeout=10.0)
    finally:
        sys.setswitchinterval(interval)
