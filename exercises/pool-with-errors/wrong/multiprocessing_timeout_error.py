# Wrong: puts multiprocessing.TimeoutError in the slot of a stuck item. Despite its name it is
# not the built-in TimeoutError (it derives from multiprocessing.ProcessError), as required.
import multiprocessing
import time


def process_all(func, items, timeout, workers=2):
    items = list(items)
    if not items:
        return []
    deadline = time.monotonic() + timeout
    with multiprocessing.Pool(workers) as pool:
        pending = [pool.apply_async(func, (item,)) for item in items]
        results = []
        for async_result in pending:
            try:
                results.append(async_result.get(max(0.0, deadline - time.monotonic())))
            except Exception as error:  # multiprocessing.TimeoutError lands here too
                results.append(error)
        pool.terminate()
        pool.join()
        return results
