# Wrong: one `except TimeoutError` covers both the deadline and the tasks' own errors, so a task
# that raises TimeoutError itself is mistaken for the deadline and its error is swallowed.
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_with_deadline(tasks, timeout, max_workers=4):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = {pool.submit(task): index for index, task in enumerate(tasks)}
    results = {}
    try:
        for future in as_completed(futures, timeout=timeout):
            results[futures[future]] = future.result()  # re-raises the task's exception
    except TimeoutError:
        pass  # ...but a task's own TimeoutError lands here too
    finally:
        cancelled = sorted(index for future, index in futures.items() if future.cancel())
        pool.shutdown(wait=False)
    return results, cancelled
