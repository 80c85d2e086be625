class JobFailed(Exception):
    """Raised by run_all() when a job raised: `name` says which one, __cause__ holds its error."""

    def __init__(self, name):
        super().__init__(f"job {name!r} failed")
        self.name = name


def run_all(jobs, timeout=None):
    """Run every job of `jobs` (a dict: name -> function without arguments) in its own thread.

    This version is sequential: it calls the jobs one after another in the current thread,
    lets their exceptions escape as they are, and ignores `timeout`.
    """
    results = {}
    for name, job in jobs.items():
        results[name] = job()
    return results
