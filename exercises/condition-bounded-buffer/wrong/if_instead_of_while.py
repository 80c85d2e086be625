# Wrong: each wait is guarded by an `if`, not a `while`, and every change wakes all waiters.
# When one item is taken from a full buffer, every waiting producer wakes up and appends, and
# the buffer overflows; when one item is put, every waiting consumer takes from the buffer,
# and all but the first find it empty.
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
        self._changed = threading.Condition()

    def put(self, item, timeout=None):
        with self._changed:
            if not self._closed and len(self._items) >= self.capacity:
                if not self._changed.wait(timeout):
                    raise TimeoutError(f"put() found no room in the buffer within {timeout} s")
            if self._closed:
                raise Closed("put() on a closed buffer")
            self._items.append(item)
            self._changed.notify_all()

    def get(self, timeout=None):
        with self._changed:
            if not self._closed and not self._items:
                if not self._changed.wait(timeout):
                    raise TimeoutError(f"get() found no item in the buffer within {timeout} s")
            if self._closed and not self._items:
                raise Closed("get() on a closed buffer that is empty")
            item = self._items.popleft()
            self._changed.notify_all()
            return item

    def close(self):
        with self._changed:
            self._closed = True
            self._changed.notify_all()
