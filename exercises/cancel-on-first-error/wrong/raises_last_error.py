# Wrong: it cancels and stops at the first failure, but keeps looping and overwrites the error
# with each later one. A task that gives up on seeing stop replaces the real cause.
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, workers):
    stop = threading.Event()
    error = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        for future in as_completed(futures):
            if future.cancelled() or future.exception() is None:
                continue
            error = future.exception()
            for other in futures:
                other.cancel()
            stop.set()
    if error is not None:
        raise error
    return [future.result() for future in futures]
