import threading
from collections import deque


class TaskBoard:
    """Hands out tasks to workers and collects their results.

    This version hands every task out exactly once and records every completion. A worker
    that crashes after claim() loses its task for good, and a task that is completed twice
    shows up twice in results(). Add leases and keep one result per task.
    """

    def __init__(self, tasks, lease_seconds=1.0):
        self._waiting = deque(dict(tasks).items())
        self._count = len(self._waiting)
        self._lease_seconds = lease_seconds
        self._results = []
        self._lock = threading.Lock()

    def claim(self):
        with self._lock:
            if self._waiting:
                return self._waiting.popleft()
            return None

    def complete(self, task_id, result):
        with self._lock:
            self._results.append((task_id, result))
            return True

    def results(self):
        with self._lock:
            return list(self._results)

    def done(self):
        with self._lock:
            return len(self._results) >= self._count
