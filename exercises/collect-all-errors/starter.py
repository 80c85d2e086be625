def run_all(tasks, *, max_workers=2, fail_fast=False):
    """Run every task in a pool of max_workers threads and report every failure.

    This version runs the tasks one after another, and the first exception escapes
    on its own: the other failures and all the results are lost. Use a thread pool,
    collect every failure and raise them together in an ExceptionGroup.
    """
    results = {}
    for task_id, task in tasks.items():
        results[task_id] = task()
    return results
