# Wrong: it cancels, sets stop and raises the first error, but does not wait for the running
# tasks: shutdown(wait=False) returns at once, and the pool's threads are still busy.
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(tasks, workers):
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=workers)
    futures = [pool.submit(task, stop) for task in tasks]
    for future in as_completed(futures):
        if future.exception() is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            stop.set()
            raise future.exception()
    pool.shutdown()
    return [future.result() for future in futures]
