import threading
import time


class TaskBoard:
    """Hands out tasks with a lease and keeps exactly one result per task."""

    def __init__(self, tasks, lease_seconds=1.0):
        self._tasks = dict(tasks)  # task id -> payload, in insertion order
        self._lease_seconds = lease_seconds
        self._lease_ends = {}  # task id -> time.monotonic() when its lease runs out
        self._results = {}  # task id -> result; a dict keeps the first-completion order
        # A manager's server runs each client connection in its own thread, so every method
        # reads and changes the shared state under one lock.
        self._lock = threading.Lock()

    def claim(self):
        now = time.monotonic()
        with self._lock:
            for task_id, payload in self._tasks.items():
                if task_id in self._results:
                    continue  # finished: never handed out again
                lease_end = self._lease_ends.get(task_id)
                if lease_end is not None and lease_end > now:
                    continue  # a worker holds it right now
                # Never claimed, or its worker let the lease run out (it crashed, hangs
                # or is just slow): hand it out (again). That is at-least-once delivery.
                self._lease_ends[task_id] = now + self._lease_seconds
                return task_id, payload
            return None

    def complete(self, task_id, result):
        with self._lock:
            if task_id in self._results:
                return False  # a duplicate completion: keep the first result only
            self._results[task_id] = result
            self._lease_ends.pop(task_id, None)
            return True

    def results(self):
        with self._lock:
            return list(self._results.items())

    def done(self):
        with self._lock:
            return len(self._results) == len(self._tasks)
