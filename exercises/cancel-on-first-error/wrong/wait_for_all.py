# Wrong: the first error is remembered, but the loop goes on until every task has finished.
# Nothing is cancelled and stop is never set, so all twenty tasks start and run to their end.
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, workers):
    stop = threading.Event()
    first_error = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        for future in as_completed(futures):
            if future.exception() is not None and first_error is None:
                first_error = future.exception()
    if first_error is not None:
        raise first_error
    return [future.result() for future in futures]
