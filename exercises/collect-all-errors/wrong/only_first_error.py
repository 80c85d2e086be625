# Wrong: result() re-raises the first failure and the loop stops there: the other failures
# and the results of the successes are lost, and no ExceptionGroup is raised.
from concurrent.futures import ThreadPoolExecutor


def run_all(tasks, *, max_workers=2, fail_fast=False):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {task_id: pool.submit(task) for task_id, task in tasks.items()}
        return {task_id: future.result() for task_id, future in futures.items()}
