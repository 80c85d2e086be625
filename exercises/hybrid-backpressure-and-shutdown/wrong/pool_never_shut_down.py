# Wrong: every stage is stopped and joined, but the executor is never shut down, so its
# worker processes (or threads) and its management thread are still alive afterwards.
import os
import queue
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

STOP = object()  # the sentinel: one per consumer of a queue


class StageError(Exception):
    """A stage of the pipeline failed for one key; the original exception is its __cause__."""

    def __init__(self, stage, key):
        super().__init__(f"{stage} failed for key {key!r}")
        self.stage = stage
        self.key = key


def run_pipeline(
    keys, fetch, crunch, write, *, fetchers=4, crunchers=2, max_in_flight=4, cpu="processes"
):
    """fetch(key) in `fetchers` threads, crunch(data) in `crunchers` processes (or threads,
    with cpu="threads"), write(key, result) in one writer thread, in the order of keys.

    At most `max_in_flight` keys are between the start of their fetch and the end of their
    write. Returns the number of results written. The first failure stops every stage and is
    raised as StageError(stage, key) from the original exception.
    """
    if cpu == "processes":
        pool = ProcessPoolExecutor(max_workers=crunchers)
        # Start the worker processes now, before any thread exists: with the fork start
        # method, forking a process that runs threads can copy a lock some thread holds.
        for future in [pool.submit(os.getpid) for _ in range(crunchers)]:
            future.result()
    elif cpu == "threads":
        pool = ThreadPoolExecutor(max_workers=crunchers, thread_name_prefix="crunch")
    else:
        raise ValueError(f"cpu must be 'processes' or 'threads', not {cpu!r}")

    to_fetch = queue.Queue(maxsize=max_in_flight)  # (index, key), then one STOP per fetcher
    to_write = queue.Queue()  # (index, key, future), then STOP; the semaphore bounds it
    room = threading.Semaphore(max_in_flight)  # taken before a fetch, given back after a write
    stop = threading.Event()
    failures = []  # (stage, key, exception): the first one is raised
    lock = threading.Lock()
    written = 0

    def fail(stage, key, error):
        with lock:
            if not failures:
                failures.append((stage, key, error))
        stop.set()
        to_fetch.shutdown(immediate=True)  # every blocked put() and get() raises ShutDown
        to_write.shutdown(immediate=True)

    def feeder():
        try:
            for index, key in enumerate(keys):  # lazily: one key per free place
                while not room.acquire(timeout=0.05):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                to_fetch.put((index, key))
        except queue.ShutDown:
            return
        except Exception as error:  # the keys iterable itself failed
            fail("read", None, error)
            return
        try:
            for _ in range(fetchers):
                to_fetch.put(STOP)  # one sentinel per fetcher: each stops at its own
        except queue.ShutDown:
            return

    def fetcher():
        while True:
            try:
                item = to_fetch.get()
            except queue.ShutDown:  # another stage failed
                return
            if item is STOP:
                return
            index, key = item
            try:
                data = fetch(key)
            except Exception as error:
                fail("fetch", key, error)
                return
            future = pool.submit(crunch, data)  # crunching starts while others still fetch
            try:
                to_write.put((index, key, future))
            except queue.ShutDown:
                future.cancel()
                return

    def writer():
        nonlocal written
        pending = {}  # reorder buffer: index -> (key, future)
        next_index = 0
        while True:
            try:
                item = to_write.get()
            except queue.ShutDown:  # another stage failed
                return
            if item is STOP:
                return
            index, key, future = item
            pending[index] = (key, future)
            while next_index in pending:
                key, future = pending.pop(next_index)
                try:
                    result = future.result()  # a worker's exception is re-raised here
                except Exception as error:
                    fail("crunch", key, error)
                    return
                try:
                    write(key, result)
                except Exception as error:
                    fail("write", key, error)
                    return
                written += 1
                next_index += 1
                room.release()

    feeder_thread = threading.Thread(target=feeder, name="feeder")
    fetch_threads = [threading.Thread(target=fetcher, name=f"fetch-{n}") for n in range(fetchers)]
    writer_thread = threading.Thread(target=writer, name="writer")
    for thread in [feeder_thread, *fetch_threads, writer_thread]:
        thread.start()
    feeder_thread.join()
    for thread in fetch_threads:
        thread.join()
    try:
        to_write.put(STOP)  # only now: every fetcher has queued its last future
    except queue.ShutDown:
        pass
    writer_thread.join()
    # The pool is never shut down: its worker processes and threads outlive the call.
    if failures:
        stage, key, error = failures[0]
        raise StageError(stage, key) from error
    return written
