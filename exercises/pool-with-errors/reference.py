import multiprocessing
import time


def process_all(func, items, timeout, workers=2):
    """Apply func to every item in worker processes; return results and errors in order."""
    items = list(items)
    if not items:
        return []
    deadline = time.monotonic() + timeout  # one deadline shared by every wait
    pool = multiprocessing.Pool(workers)
    try:
        pending = [pool.apply_async(func, (item,)) for item in items]
        results = []
        for async_result in pending:
            try:
                results.append(async_result.get(max(0.0, deadline - time.monotonic())))
            except multiprocessing.TimeoutError:
                # multiprocessing's TimeoutError is not the built-in one the caller expects.
                results.append(TimeoutError(f"no result within {timeout} s"))
            except Exception as error:  # the worker's exception, re-raised here
                results.append(error)
        return results
    finally:
        pool.terminate()  # also stops the workers that are stuck in an item
        pool.join()
