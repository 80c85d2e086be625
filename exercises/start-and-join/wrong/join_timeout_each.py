# Wrong: every join() gets the whole timeout, so N stuck jobs make the caller wait N x timeout.
# The deadline must be computed once and shared between the joins.
import threading


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
    for thread in threads:
        thread.join(timeout)
    unfinished = [thread.name for thread in threads if thread.is_alive()]
    if unfinished:
        raise TimeoutError(f"still running: {', '.join(unfinished)}")
    for name in jobs:
        if name in errors:
            raise JobFailed(name) from errors[name]
    return {name: results[name] for name in jobs}
