import collections
import threading


class Closed(Exception):
    """Raised by put() on a closed buffer, and by get() on a closed buffer that is empty."""


class BoundedBuffer:
    """A first-in first-out buffer of at most `capacity` items, shared by many threads.

    This version never waits: put() on a full buffer and get() on an empty one give up at once,
    whatever the timeout, and close() wakes nobody. Make them wait with a Condition.
    """

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity!r}")
        self.capacity = capacity
        self._items = collections.deque()
        self._closed = False
        self._lock = threading.Lock()

    def put(self, item, timeout=None):
        with self._lock:
            if self._closed:
                raise Closed("put() on a closed buffer")
            if len(self._items) >= self.capacity:
                # TODO: wait (up to `timeout`) until there is room or the buffer is closed.
                raise TimeoutError("put() found no room in the buffer")
            self._items.append(item)

    def get(self, timeout=None):
        with self._lock:
            if not self._items:
                if self._closed:
                    raise Closed("get() on a closed buffer that is empty")
                # TODO: wait (up to `timeout`) until there is an item or the buffer is closed.
                raise TimeoutError("get() found no item in the buffer")
            return self._items.popleft()

    def close(self):
        with self._lock:
            self._closed = True
            # TODO: wake every thread waiting in put() or get().
