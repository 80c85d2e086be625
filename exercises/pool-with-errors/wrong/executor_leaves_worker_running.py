# Wrong: shutdown(wait=False, cancel_futures=True) returns at once but cannot stop a worker that
# is running a task, so a stuck item leaves its worker process alive after the call returns.
import time
from concurrent.futures import ProcessPoolExecutor


def process_all(func, items, timeout, workers=2):
    deadline = time.monotonic() + timeout
    executor = ProcessPoolExecutor(max_workers=workers)
    futures = [executor.submit(func, item) for item in items]
    results = []
    for future in futures:
        try:
            results.append(future.result(max(0.0, deadline - time.monotonic())))
        except TimeoutError as error:
            results.append(error)
        except Exception as error:
            results.append(error)
    executor.shutdown(wait=False, cancel_futures=True)
    return results
