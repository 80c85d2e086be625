# Wrong: the lock guards the lookup and the store, but is released in between while fn runs,
# and nothing records that the key is being computed. Every thread that looks while the first
# call is running finds the key missing, and calls fn itself.
import threading


class SingleFlight:
    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()
        self._values = {}

    def get(self, key):
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = self._fn(key)
        with self._lock:
            self._values[key] = value
        return value
