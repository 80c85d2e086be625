# Wrong: a claimed task is never handed out again, so a worker that crashes loses it for good.
import threading


class TaskBoard:
    def __init__(self, tasks, lease_seconds=1.0):
        self._tasks = dict(tasks)
        self._lease_seconds = lease_seconds
        self._claimed = set()
        self._results = {}
        self._lock = threading.Lock()

    def claim(self):
        with self._lock:
            for task_id, payload in self._tasks.items():
                if task_id not in self._claimed and task_id not in self._results:
                    self._claimed.add(task_id)
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
