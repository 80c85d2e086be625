import threading
import time


class JobFailed(Exception):
    """Raised by run_all() when a job raised: `name` says which one, __cause__ holds its error."""

    def __init__(self, name):
        super().__init__(f"job {name!r} failed")
        self.name = name


def run_all(jobs, timeout=None):
    """Run every job of `jobs` (a dict: name -> function without arguments) in its own thread."""
    results = {}
    errors = {}

    def run_job(name, job):
        # Runs in the new thread. Each thread writes only its own key of each dict.
        try:
            results[name] = job()
        except Exception as error:  # keep it for the caller instead of losing it
            errors[name] = error

    threads = [
        threading.Thread(target=run_job, args=(name, job), name=name, daemon=True)
        for name, job in jobs.items()
    ]
    for thread in threads:
        thread.start()  # start them all first...

    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in threads:  # ...then wait, sharing one deadline between all the joins
        if deadline is None:
            thread.join()
        else:
            thread.join(max(0.0, deadline - time.monotonic()))

    unfinished = [thread.name for thread in threads if thread.is_alive()]
    if unfinished:
        raise TimeoutError(f"still running after {timeout} s: {', '.join(unfinished)}")
    for name in jobs:  # the first failure in the order of the jobs
        if name in errors:
            raise JobFailed(name) from errors[name]
    return {name: results[name] for name in jobs}
