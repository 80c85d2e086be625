# Wrong: fail_fast is ignored. Every failure is collected correctly, but after the first
# failure the remaining tasks still all run, so the call does not stop early.
from concurrent.futures import ThreadPoolExecutor


def run_all(tasks, *, max_workers=2, fail_fast=False):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {task_id: pool.submit(task) for task_id, task in tasks.items()}
    results = {}
    errors = []
    for task_id, future in futures.items():
        error = future.exception()
        if error is None:
            results[task_id] = future.result()
        else:
            error.task_id = task_id
            errors.append(error)
    if errors:
        group = ExceptionGroup(f"{len(errors)} of {len(tasks)} tasks failed", errors)
        group.results = results
        raise group
    return results
