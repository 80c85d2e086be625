# Wrong: the reader puts a single sentinel for three workers. The first worker to get it
# stops; the others wait in get() for ever, so joining them never returns.
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
        tasks.put(STOP)  # only one worker will ever see this

    def worker():
        while (task := tasks.get()) is not STOP:
            index, item = task
            try:
                results.put((index, transform(item)))
            except Exception as error:
                errors.append(error)

    def writer():
        nonlocal emitted
        pending, next_index = {}, 0
        while (entry := results.get()) is not STOP:
            pending[entry[0]] = entry[1]
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
    results.put(STOP)
    sink.join()
    if errors:
        raise errors[0]
    return emitted
