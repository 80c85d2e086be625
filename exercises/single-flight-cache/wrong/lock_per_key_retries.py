# Wrong: a lock per key, held while fn runs, makes the other threads asking for that key wait,
# and fn runs once when it succeeds. But when it raises, the waiters do not get the exception:
# each in turn takes the lock, finds nothing cached and calls fn again, one after another.
import threading


class SingleFlight:
    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()
        self._key_locks = {}
        self._values = {}

    def get(self, key):
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._values:
                self._values[key] = self._fn(key)
            return self._values[key]
