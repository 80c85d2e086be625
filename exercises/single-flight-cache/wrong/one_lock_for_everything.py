# Wrong: one lock is held for the whole of get(), fn included. fn runs once per key, but
# only one key can be computed at a time, and even a cached key waits for a slow one.
import threading


class SingleFlight:
    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()
        self._values = {}

    def get(self, key):
        with self._lock:
            if key not in self._values:
                self._values[key] = self._fn(key)
            return self._values[key]
