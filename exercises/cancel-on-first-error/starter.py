import threading
from concurrent.futures import ThreadPoolExecutor


def run_all(tasks, workers):
    """Run every task on a pool of `workers` threads; return their results in order.

    Each task is called as task(stop), where stop is a threading.Event.

    This version is right when every task succeeds. When one fails, result() re-raises its
    exception only once the loop reaches it, and leaving the with block then waits for every
    task still queued: nothing is cancelled and stop is never set.
    """
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        return [future.result() for future in futures]
