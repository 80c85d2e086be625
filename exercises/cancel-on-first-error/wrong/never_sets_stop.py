# Wrong: the queued tasks are cancelled and the first error is raised, but stop is never set.
# The tasks already running cannot be interrupted, so the call waits for them to run to the end.
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, workers):
    stop = threading.Event()
    failed = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        for future in as_completed(futures):
            if future.exception() is not None:
                failed = future
                pool.shutdown(wait=False, cancel_futures=True)
                break
    if failed is not None:
        raise failed.exception()
    return [future.result() for future in futures]
