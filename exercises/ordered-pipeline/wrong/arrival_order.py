# Wrong: the writer emits results in the order they arrive from the workers (no reorder
# buffer), so a quick item overtakes a slow one that was read before it.
import queue
import threading

STOP = object()


def ordered_pipeline(items, transform, emit, *, workers=3, maxsize=4):
    tasks = queue.Queue(maxsize=maxsize)
    results = queue.Queue(maxsize=maxsize)
    errors = []
    emitted = 0

    def reader():
        for index, item in enumerate(items):
            tasks.put((index, item))
        for _ in range(workers):
            tasks.put(STOP)  # one sentinel per worker

    def worker():
        while (task := tasks.get()) is not STOP:
            index, item = task
            try:
                results.put((index, transform(item)))
            except Exception as error:
                errors.append(error)

    def writer():
        nonlocal emitted
        while (entry := results.get()) is not STOP:
            emit(entry[1])  # whatever finished first goes out first
            emitted += 1

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    feeder = threading.Thread(target=reader)
    sink = threading.Thread(target=writer)
    for thread in [feeder, *threads, sink]:
        thread.start()
    feeder.join()
    for thread in threads:
        thread.join()
    results.put(STOP)
    sink.join()
    if errors:
        raise errors[0]
    return emitted
