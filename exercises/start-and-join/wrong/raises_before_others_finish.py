# Wrong: it raises as soon as it joins a failed job, while later jobs are still running.
# The caller gets the error with threads still working behind its back.
import threading
import time


class JobFailed(Exception):
    def __init__(self, name):
        super().__init__(f"job {name!r} failed")
        self.name = name


def run_all(jobs, timeout=None):
    results, errors = {}, {}

    def run_job(name, job):
        try:
            results[name] = job()
        except Exception as error:
            errors[name] = error

    threads = [
        threading.Thread(target=run_job, args=(name, job), name=name, daemon=True)
        for name, job in jobs.items()
    ]
    for thread in threads:
        thread.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise TimeoutError(f"still running: {thread.name}")
        if thread.name in errors:
            raise JobFailed(thread.name) from errors[thread.name]
    return results
