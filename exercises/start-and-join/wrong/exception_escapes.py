# Wrong: exceptions are not caught inside the threads. They go to threading.excepthook (and
# get printed), and the caller only learns that a result is missing, not what went wrong.
import threading
import time


class JobFailed(Exception):
    def __init__(self, name):
        super().__init__(f"job {name!r} failed")
        self.name = name


def run_all(jobs, timeout=None):
    results = {}

    def run_job(name, job):
        results[name] = job()

    threads = [
        threading.Thread(target=run_job, args=(name, job), name=name, daemon=True)
        for name, job in jobs.items()
    ]
    for thread in threads:
        thread.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    unfinished = [thread.name for thread in threads if thread.is_alive()]
    if unfinished:
        raise TimeoutError(f"still running: {', '.join(unfinished)}")
    for name in jobs:
        if name not in results:
            raise JobFailed(name)
    return results
