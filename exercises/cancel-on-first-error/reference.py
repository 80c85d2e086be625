import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, workers):
    """Run every task on a pool of `workers` threads; return their results in order.

    Each task is called as task(stop), where stop is a threading.Event. At the first task
    that raises, the tasks not started are cancelled, stop is set so that the running ones
    return early, and once they have, the first exception is raised.
    """
    stop = threading.Event()
    failed = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(task, stop) for task in tasks]
        for future in as_completed(futures):  # in the order the tasks finish
            if future.exception() is not None:
                failed = future  # the first failure; later ones are its consequences
                break
        if failed is not None:
            # Cancel before setting stop: a task that returns early frees its worker, which
            # would otherwise pick up the next queued task.
            pool.shutdown(wait=False, cancel_futures=True)
            stop.set()
    # Leaving the with block waited for the running tasks, which stop early now.
    if failed is not None:
        raise failed.exception()  # the task's own exception object, with its traceback
    return [future.result() for future in futures]
