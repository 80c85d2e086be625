# Wrong: the pool is used in a with block. Leaving it calls shutdown(wait=True), so the
# function returns only when the running tasks have finished, long after the deadline.
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_with_deadline(tasks, timeout, max_workers=4):
    results = {}
    failed = None
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(task): index for index, task in enumerate(tasks)}
        try:
            for future in as_completed(futures, timeout=timeout):
                if future.exception() is not None:
                    failed = future
                    break
                results[futures[future]] = future.result()
        except TimeoutError:
            pass
        cancelled = sorted(index for future, index in futures.items() if future.cancel())
    if failed is not None:
        raise failed.exception()
    return results, cancelled
