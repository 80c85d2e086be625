# Wrong: it cancels and stops at the first failure, then returns what it has, with None for
# the failed and cancelled tasks. The caller never learns that the batch failed.
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait


def run_all(tasks, workers):
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        if any(future.exception() is not None for future in done):
            pool.shutdown(wait=False, cancel_futures=True)
            stop.set()
    results = []
    for future in futures:
        try:
            results.append(future.result())
        except Exception:
            results.append(None)
    return results
