# Wrong: no condition at all. A waiting thread takes the lock, looks, lets it go and sleeps a
# millisecond, over and over. It gives the right answers, but a thread that waits long keeps
# waking up a thousand times a second to look at a buffer that has not changed.
import collections
import threading
import time


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

    def put(self, item, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                if self._closed:
                    raise Closed("put() on a closed buffer")
                if len(self._items) < self.capacity:
                    self._items.append(item)
                    return
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"put() found no room in the buffer within {timeout} s")
            time.sleep(0.001)

    def get(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                if self._items:
                    return self._items.popleft()
                if self._closed:
                    raise Closed("get() on a closed buffer that is empty")
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"get() found no item in the buffer within {timeout} s")
            time.sleep(0.001)

    def close(self):
        with self._lock:
            self._closed = True
