# Wrong: the tasks not finished at the deadline are reported as cancelled, but nothing cancels
# them. Running tasks are counted too, and the queued ones still run after the call returns.
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_with_deadline(tasks, timeout, max_workers=4):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = {pool.submit(task): index for index, task in enumerate(tasks)}
    results = {}
    failed = None
    try:
        for future in as_completed(futures, timeout=timeout):
            if future.exception() is not None:
                failed = future
                break
            results[futures[future]] = future.result()
    except TimeoutError:
        pass
    pool.shutdown(wait=False)
    if failed is not None:
        raise failed.exception()
    cancelled = sorted(index for future, index in futures.items() if not future.done())
    return results, cancelled
