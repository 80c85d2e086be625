# Wrong: after shutdown(cancel_futures=True) it keeps iterating as_completed(), which never
# yields futures cancelled that way, so with fail_fast=True the call hangs forever.
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, *, max_workers=2, fail_fast=False):
    results = {}
    errors = {}
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(task): task_id for task_id, task in tasks.items()}
        for future in as_completed(futures):
            if future.cancelled():
                continue
            task_id = futures[future]
            error = future.exception()
            if error is None:
                results[task_id] = future.result()
            else:
                error.task_id = task_id
                errors[task_id] = error
                if fail_fast:
                    pool.shutdown(wait=False, cancel_futures=True)
    results = {task_id: results[task_id] for task_id in tasks if task_id in results}
    if errors:
        ordered = [errors[task_id] for task_id in tasks if task_id in errors]
        group = ExceptionGroup(f"{len(ordered)} of {len(tasks)} tasks failed", ordered)
        group.results = results
        raise group
    return results
