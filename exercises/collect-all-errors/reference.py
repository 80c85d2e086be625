from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, *, max_workers=2, fail_fast=False):
    """Run every task in a pool of max_workers threads and report every failure."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {task_id: pool.submit(task) for task_id, task in tasks.items()}
        if fail_fast:
            for future in as_completed(futures.values()):
                if future.exception() is not None:
                    # Cancel every task that has not started; the running ones finish.
                    pool.shutdown(wait=False, cancel_futures=True)
                    # as_completed() never yields futures cancelled by shutdown(), so stop
                    # waiting here and let the with block wait for the running tasks.
                    break
    # Every future is now finished or cancelled: nothing below blocks.
    results = {}
    errors = []
    for task_id, future in futures.items():
        if future.cancelled():
            continue
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
