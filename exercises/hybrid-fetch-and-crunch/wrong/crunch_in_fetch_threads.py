# Wrong: the pool is started, but each fetch thread calls crunch itself, so the CPU work
# runs in this process (under the GIL on 3.13) instead of in the worker processes.
import os
import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor

STOP = object()  # the sentinel: one per consumer of a queue


def run_pipeline(keys, fetch, crunch, write, *, fetchers=4, crunchers=2):
    """fetch(key) in `fetchers` threads, crunch(data) in `crunchers` worker processes, and
    write(key, result) in one writer thread, in the order of keys.

    Returns the number of results written. If a stage raises, every stage stops and that
    exception is raised here.
    """
    pool = ProcessPoolExecutor(max_workers=crunchers)
    # Start the worker processes now, before any thread exists: with the fork start method,
    # forking a process that runs threads can copy a lock that some thread holds.
    for future in [pool.submit(os.getpid) for _ in range(crunchers)]:
        future.result()

    to_fetch = queue.Queue(maxsize=2 * fetchers)  # (index, key), then one STOP per fetcher
    to_write = queue.Queue(maxsize=2 * fetchers)  # (index, key, future), then STOP
    failures = []  # the first exception is raised
    lock = threading.Lock()
    written = 0

    def fail(error):
        with lock:
            if not failures:
                failures.append(error)
        to_fetch.shutdown(immediate=True)  # every blocked put() and get() raises ShutDown
        to_write.shutdown(immediate=True)

    def feeder():
        try:
            for index, key in enumerate(keys):  # lazily: put() waits while the queue is full
                to_fetch.put((index, key))
        except queue.ShutDown:
            return
        except Exception as error:  # the keys iterable itself failed
            fail(error)
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
                fail(error)
                return
            future = Future()  # crunch right here, in the fetch thread
            try:
                future.set_result(crunch(data))
            except Exception as error:
                future.set_exception(error)
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
                    fail(error)
                    return
                try:
                    write(key, result)
                except Exception as error:
                    fail(error)
                    return
                written += 1
                next_index += 1

    feeder_thread = threading.Thread(target=feeder, name="feeder")
    fetch_threads = [threading.Thread(target=fetcher, name=f"fetch-{n}") for n in range(fetchers)]
    writer_thread = threading.Thread(target=writer, name="writer")
    try:
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
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # no worker outlives the call
    if failures:
        raise failures[0]
    return written
