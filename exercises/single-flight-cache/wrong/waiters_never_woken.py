# Wrong: the event is set only when fn returns. When fn raises, the exception goes back to
# the thread that called it, and the threads waiting for that call wait for ever.
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
        except Exception:
            with self._lock:
                del self._calls[key]
            raise
        with self._lock:
            self._values[key] = call.value
            del self._calls[key]
        call.done.set()
        return call.value
