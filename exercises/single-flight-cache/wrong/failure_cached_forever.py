# Wrong: when fn raises, the finished call stays in the table with its exception. Its waiters
# get the exception, but so does every later get() for that key: the failure is cached, and
# fn is never tried again.
import threading


class _Call:
    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error = None


class SingleFlight:
    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()
        self._calls = {}

    def get(self, key):
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = _Call()
        if leader:
            try:
                call.value = self._fn(key)
            except Exception as error:
                call.error = error
            call.done.set()
        call.done.wait()
        if call.error is not None:
            raise call.error
        return call.value
