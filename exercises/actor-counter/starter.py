from concurrent.futures import Future


class CounterActor:
    """Counters owned by one thread; other threads talk to it through a mailbox.

    This version is not an actor yet: every method changes the dict directly, in the
    thread of whoever calls it, so concurrent increments of the same key lose updates.
    Give the dict to one thread of its own, send it messages through a queue, and
    answer each message through its Future.
    """

    def __init__(self, store=None):
        self._counts = {} if store is None else store

    def _done(self, value):
        future = Future()
        future.set_result(value)
        return future

    def increment(self, key, amount=1):
        value = self._counts.get(key, 0) + amount
        self._counts[key] = value
        return self._done(value)

    def get(self, key):
        return self._done(self._counts.get(key, 0))

    def snapshot(self):
        return self._done(dict(self._counts))

    def stop(self, timeout=5.0):
        pass
