import collections
import threading


class Closed(Exception):
    """Raised by put() on a closed buffer, and by get() on a closed buffer that is empty."""


class BoundedBuffer:
    """A first-in first-out buffer of at most `capacity` items, shared by many threads."""

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity!r}")
        self.capacity = capacity
        self._items = collections.deque()
        self._closed = False
        # Two conditions over one lock, as queue.Queue does: producers wait on one, consumers
        # on the other, so that notify() always wakes a thread that can use the change.
        self._lock = threading.Lock()
        self._not_full = threading.Condition(self._lock)
        self._not_empty = threading.Condition(self._lock)

    def put(self, item, timeout=None):
        with self._lock:
            # wait_for re-checks after every wake-up, and counts the timeout as a total.
            if not self._not_full.wait_for(
                lambda: self._closed or len(self._items) < self.capacity, timeout
            ):
                raise TimeoutError(f"put() found no room in the buffer within {timeout} s")
            if self._closed:
                raise Closed("put() on a closed buffer")
            self._items.append(item)
            self._not_empty.notify()  # one new item: one consumer can use it

    def get(self, timeout=None):
        with self._lock:
            if not self._not_empty.wait_for(lambda: self._closed or len(self._items) > 0, timeout):
                raise TimeoutError(f"get() found no item in the buffer within {timeout} s")
            if not self._items:
                raise Closed("get() on a closed buffer that is empty")
            item = self._items.popleft()
            self._not_full.notify()  # one free place: one producer can use it
            return item

    def close(self):
        with self._lock:
            self._closed = True
            # Every waiter, on both sides, must wake up to see that the buffer is closed.
            self._not_full.notify_all()
            self._not_empty.notify_all()
