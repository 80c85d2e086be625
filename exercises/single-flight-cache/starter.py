class SingleFlight:
    """A memoizing cache: get(key) returns fn(key), computing it only the first time.

    This version is correct with one thread. With several, it checks and then computes with
    nothing in between to stop another thread doing the same: when many threads ask for the
    same missing key at once, every one of them calls fn.
    """

    def __init__(self, fn):
        self._fn = fn
        self._values = {}

    def get(self, key):
        if key in self._values:
            return self._values[key]
        value = self._fn(key)
        self._values[key] = value
        return value
