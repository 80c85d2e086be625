# Wrong: close() sets the flag but wakes nobody. Threads already waiting in get() or put() do
# not see it until something else wakes them, which may be never.
import collections
import threading


class Closed(Exception):
    pass


class BoundedBuffer:
    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity!r}")
        self.capacity = capacity
        self._items = collections.deque()
        self._closed = False
        self._lock = threading.Lock()
        self._not_full = threading.Condition(self._lock)
        self._not_empty = threading.Condition(self._lock)

    def put(self, item, timeout=None):
        with self._lock:
            if not self._not_full.wait_for(
                lambda: self._closed or len(self._items) < self.capacity, timeout
            ):
                raise TimeoutError(f"put() found no room in the buffer within {timeout} s")
            if self._closed:
                raise Closed("put() on a closed buffer")
            self._items.append(item)
            self._not_empty.notify()

    def get(self, timeout=None):
        with self._lock:
            if not self._not_empty.wait_for(lambda: self._closed or len(self._items) > 0, timeout):
                raise TimeoutError(f"get() found no item in the buffer within {timeout} s")
            if not self._items:
                raise Closed("get() on a closed buffer that is empty")
            item = self._items.popleft()
            self._not_full.notify()
            return item

    def close(self):
        with self._lock:
            self._closed = True
