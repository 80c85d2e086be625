# Wrong: the actor thread exists, but increment() changes the dict in the caller's thread
# and only get()/snapshot() go through the mailbox: concurrent increments lose updates.
import queue
import threading
from concurrent.futures import Future


class CounterActor:
    def __init__(self, store=None):
        self._counts = {} if store is None else store
        self._mailbox = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def increment(self, key, amount=1):
        value = self._counts.get(key, 0) + amount  # runs in the client's thread
        self._counts[key] = value
        future = Future()
        future.set_result(value)
        return future

    def get(self, key):
        return self._send(lambda: self._counts.get(key, 0))

    def snapshot(self):
        return self._send(lambda: dict(self._counts))

    def stop(self, timeout=5.0):
        self._mailbox.shutdown()
        self._thread.join(timeout)

    def _send(self, handler):
        future = Future()
        try:
            self._mailbox.put((future, handler))
        except queue.ShutDown:
            raise RuntimeError("the actor has been stopped") from None
        return future

    def _run(self):
        while True:
            try:
                future, handler = self._mailbox.get()
            except queue.ShutDown:
                return
            try:
                future.set_result(handler())
            except Exception as error:
                future.set_exception(error)
