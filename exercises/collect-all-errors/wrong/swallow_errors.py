# Wrong: each failure is caught and dropped, so the caller gets the successes only and
# never learns that some tasks failed.
from concurrent.futures import ThreadPoolExecutor


def run_all(tasks, *, max_workers=2, fail_fast=False):
    def guarded(task):
        try:
            return True, task()
        except Exception:
            return False, None

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {task_id: pool.submit(guarded, task) for task_id, task in tasks.items()}
    results = {}
    for task_id, future in futures.items():
        ok, value = future.result()
        if ok:
            results[task_id] = value
    return results
