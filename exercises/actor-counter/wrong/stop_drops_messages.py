# Wrong: stop() uses shutdown(immediate=True), which throws away the messages still in the
# mailbox: their futures never complete, and callers waiting on them hang.
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
        return self._send(self._increment, key, amount)

    def get(self, key):
        return self._send(lambda: self._counts.get(key, 0))

    def snapshot(self):
        return self._send(lambda: dict(self._counts))

    def stop(self, timeout=5.0):
        self._mailbox.shutdown(immediate=True)
        self._thread.join(timeout)

    def _send(self, handler, *args):
        future = Future()
        try:
            self._mailbox.put((future, handler, args))
        except queue.ShutDown:
            raise RuntimeError("the actor has been stopped") from None
        return future

    def _run(self):
        while True:
            try:
                future, handler, args = self._mailbox.get()
            except queue.ShutDown:
                return
            try:
                future.set_result(handler(*args))
            except Exception as error:
                future.set_exception(error)

    def _increment(self, key, amount):
        value = self._counts.get(key, 0) + amount
        self._counts[key] = value
        return value
