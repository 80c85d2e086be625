# Wrong: an expired lease hands the task out again even after it was completed, so finished
# tasks keep coming back (and claim() never returns None once the leases run out).
import threading
import time


class TaskBoard:
    def __init__(self, tasks, lease_seconds=1.0):
        self._tasks = dict(tasks)
        self._lease_seconds = lease_seconds
        self._lease_ends = {}
        self._results = {}
        self._lock = threading.Lock()

    def claim(self):
        now = time.monotonic()
        with self._lock:
            for task_id, payload in self._tasks.items():
                lease_end = self._lease_ends.get(task_id)
                if lease_end is not None and lease_end > now:
                    continue
                self._lease_ends[task_id] = now + self._lease_seconds
                return task_id, payload
            return None

    def complete(self, task_id, result):
        with self._lock:
            if task_id in self._results:
                return False
            self._results[task_id] = result
            return True

    def results(self):
        with self._lock:
            return list(self._results.items())

    def done(self):
        with self._lock:
            return len(self._results) == len(self._tasks)
