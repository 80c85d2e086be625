# Wrong: an exception in transform ends that worker thread (threading prints it) but is
# never handed to the caller: the pipeline carries on without the item and returns normally.
import queue
import threading


def ordered_pipeline(items, transform, emit, *, workers=3, maxsize=4):
    tasks = queue.Queue(maxsize=maxsize)
    results = queue.Queue(maxsize=maxsize)
    emitted = 0

    def reader():
        for index, item in enumerate(items):
            tasks.put((index, item))
        tasks.shutdown()

    def worker():
        while True:
            try:
                index, item = tasks.get()
            except queue.ShutDown:
                return
            results.put((index, transform(item)))  # an exception here kills only this thread

    def writer():
        nonlocal emitted
        pending, next_index = {}, 0
        while True:
            try:
                index, result = results.get()
            except queue.ShutDown:
                return
            pending[index] = result
            while next_index in pending:
                emit(pending.pop(next_index))
                next_index += 1
                emitted += 1

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    feeder = threading.Thread(target=reader)
    sink = threading.Thread(target=writer)
    for thread in [feeder, *threads, sink]:
        thread.start()
    feeder.join()
    for thread in threads:
        thread.join()
    results.shutdown()
    sink.join()
    return emitted
