import threading


class _Call:
    """One computation of fn(key): the thread running it hands its outcome to the waiters."""

    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error = None


class SingleFlight:
    """A thread-safe memoizing cache: fn runs once per key, however many threads ask at once."""

    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()  # guards the two dicts; never held while fn runs
        self._values = {}  # key -> value, for calls that succeeded
        self._calls = {}  # key -> _Call, for calls still running

    def get(self, key):
        with self._lock:  # look up and claim in one step, so two threads cannot both claim
            if key in self._values:
                return self._values[key]
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = _Call()
        if not leader:
            call.done.wait()  # the leader always sets it, whether fn returned or raised
            if call.error is not None:
                raise call.error
            return call.value
        try:
            value = self._fn(key)  # outside the lock: other keys go on meanwhile
        except BaseException as error:
            call.error = error
            with self._lock:
                del self._calls[key]  # nothing cached: the next get() tries again
            call.done.set()
            raise
        call.value = value
        with self._lock:
            self._values[key] = value
            del self._calls[key]
        call.done.set()
        return value
