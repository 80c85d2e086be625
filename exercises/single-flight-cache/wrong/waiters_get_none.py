# Wrong: when fn raises, the thread that called it wakes the waiters but does not hand them
# the exception. They find no error and return the value, which was never set: None.
import threading


class _Call:
    def __init__(self):
        self.done = threading.Event()
        self.value = None


class SingleFlight:
    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()
        self._values = {}
        self._calls = {}

    def get(self, key):
        with self._lock:
            if key in self._values:
                return self._values[key]
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = _Call()
        if not leader:
            call.done.wait()
            return call.value
        try:
            call.value = self._fn(key)
        finally:
            with self._lock:
                if call.value is not None:
                    self._values[key] = call.value
                del self._calls[key]
            call.done.set()
        return call.value
