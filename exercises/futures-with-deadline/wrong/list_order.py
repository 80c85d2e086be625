# Wrong: results are collected in list order, each with the time left until the deadline.
# A slow task at the front hides a failure behind it: the caller gets the wrong exception, late.
import time
from concurrent.futures import ThreadPoolExecutor


def run_with_deadline(tasks, timeout, max_workers=4):
    deadline = time.monotonic() + timeout
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = [pool.submit(task) for task in tasks]
    results = {}
    failed = None
    for index, future in enumerate(futures):
        try:
            value = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            if future.done():  # the task itself raised TimeoutError
                failed = future
            break
        except Exception:
            failed = future
            break
        results[index] = value
    cancelled = sorted(index for index, future in enumerate(futures) if future.cancel())
    pool.shutdown(wait=False)
    if failed is not None:
        raise failed.exception()
    return results, cancelled
