# Wrong: the queues have no maxsize, so the reader never waits: it reads the whole input
# at once and the backlog piles up in memory (no back-pressure).
import queue
import threading


def ordered_pipeline(items, transform, emit, *, workers=3, maxsize=4):
    tasks = queue.Queue()  # maxsize ignored: unbounded
    results = queue.Queue()
    errors = []
    emitted = 0

    def fail(error):
        if not errors:
            errors.append(error)
        tasks.shutdown(immediate=True)
        results.shutdown(immediate=True)

    def reader():
        try:
            for index, item in enumerate(items):
                tasks.put((index, item))
        except queue.ShutDown:
            return
        tasks.shutdown()

    def worker():
        while True:
            try:
                index, item = tasks.get()
            except queue.ShutDown:
                return
            try:
                results.put((index, transform(item)))
            except queue.ShutDown:
                return
            except Exception as error:
                fail(error)
                return

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
                try:
                    emit(pending.pop(next_index))
                except Exception as error:
                    fail(error)
                    return
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
    if errors:
        raise errors[0]
    return emitted
