# Wrong: stop() only sets a flag. The actor thread is blocked in mailbox.get() waiting for
# the next message, never sees the flag, and stays alive after stop() returns.
import queue
import threading
from concurrent.futures import Future


class CounterActor:
    def __init__(self, store=None):
        self._counts = {} if store is None else store
        self._mailbox = queue.Queue()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def increment(self, key, amount=1):
        return self._send(self._increment, key, amount)

    def get(self, key):
        return self._send(lambda: self._counts.get(key, 0))

    def snapshot(self):
        return self._send(lambda: dict(self._counts))

    def stop(self, timeout=5.0):
        self._stopping = True

    def _send(self, handler, *args):
        if self._stopping:
            raise RuntimeError("the actor has been stopped")
        future = Future()
        self._mailbox.put((future, handler, args))
        return future

    def _run(self):
        while not self._stopping:
            future, handler, args = self._mailbox.get()
            try:
                future.set_result(handler(*args))
            except Exception as error:
                future.set_exception(error)

    def _increment(self, key, amount):
        value = self._counts.get(key, 0) + amount
        self._counts[key] = value
        return value
