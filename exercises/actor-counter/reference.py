import queue
import threading
from concurrent.futures import Future


class CounterActor:
    """Counters owned by one thread; other threads talk to it through a mailbox."""

    def __init__(self, store=None):
        # Only the actor thread touches self._counts after this line: no lock needed.
        self._counts = {} if store is None else store
        self._mailbox = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="counter-actor", daemon=True)
        self._thread.start()

    # --- called by clients, in their own threads -------------------------------------
    def increment(self, key, amount=1):
        return self._send(self._increment, key, amount)

    def get(self, key):
        return self._send(self._get, key)

    def snapshot(self):
        return self._send(self._snapshot)

    def stop(self, timeout=5.0):
        # Python 3.13: after shutdown(), put() raises queue.ShutDown, and get() still
        # returns what is queued, then raises queue.ShutDown once the queue is empty.
        self._mailbox.shutdown()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _send(self, handler, *args):
        future = Future()
        try:
            self._mailbox.put((future, handler, args))
        except queue.ShutDown:
            raise RuntimeError("the actor has been stopped") from None
        return future

    # --- run by the actor thread only ---------------------------------------------------
    def _run(self):
        while True:
            try:
                future, handler, args = self._mailbox.get()
            except queue.ShutDown:
                return  # stopped, and every message sent before stop() was handled
            if not future.set_running_or_notify_cancel():
                continue  # the client cancelled it
            try:
                result = handler(*args)
            except Exception as error:  # a bad message fails its future, not the actor
                future.set_exception(error)
            else:
                future.set_result(result)

    def _increment(self, key, amount):
        value = self._counts.get(key, 0) + amount
        self._counts[key] = value
        return value

    def _get(self, key):
        return self._counts.get(key, 0)

    def _snapshot(self):
        return dict(self._counts)
