# Wrong: everything is stopped correctly, but the error is wrapped in a new exception. The
# caller can no longer catch the task's own exception type, nor compare it.
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


class BatchFailed(Exception):
    pass


def run_all(tasks, workers):
    stop = threading.Event()
    failed = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        for future in as_completed(futures):
            if future.exception() is not None:
                failed = future
                break
        if failed is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            stop.set()
    if failed is not None:
        raise BatchFailed(f"a task failed: {failed.exception()!r}") from failed.exception()
    return [future.result() for future in futures]
