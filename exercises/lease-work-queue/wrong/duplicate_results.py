# Wrong: leases expire, but every completion is recorded: a task done twice gives two results.
import threading
import time


class TaskBoard:
    def __init__(self, tasks, lease_seconds=1.0):
        self._tasks = dict(tasks)
        self._lease_seconds = lease_seconds
        self._lease_ends = {}
        self._finished = set()
        self._results = []
        self._lock = threading.Lock()

    def claim(self):
        now = time.monotonic()
        with self._lock:
            for task_id, payload in self._tasks.items():
                if task_id in self._finished:
                    continue
                lease_end = self._lease_ends.get(task_id)
                if lease_end is not None and lease_end > now:
                    continue
                self._lease_ends[task_id] = now + self._lease_seconds
                return task_id, payload
            return None

    def complete(self, task_id, result):
        with self._lock:
            self._finished.add(task_id)
            self._results.append((task_id, result))
            return True

    def results(self):
        with self._lock:
            return list(self._results)

    def done(self):
        with self._lock:
            return len(self._finished) == len(self._tasks)
