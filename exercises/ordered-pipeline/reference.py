import queue
import threading


def ordered_pipeline(items, transform, emit, *, workers=3, maxsize=4):
    """Read items, transform them in `workers` threads, emit the results in input order.

    Returns the number of results emitted. If transform or emit raises, the pipeline stops,
    every thread ends, and the first exception is raised here.
    """
    tasks = queue.Queue(maxsize=maxsize)  # reader -> workers: (index, item)
    results = queue.Queue(maxsize=maxsize)  # workers -> writer: (index, result)
    errors = []  # the first exception raised in any stage
    errors_lock = threading.Lock()
    emitted = 0

    def fail(error):
        with errors_lock:
            if not errors:
                errors.append(error)
        # Stop every stage: blocked puts and gets raise queue.ShutDown at once.
        tasks.shutdown(immediate=True)
        results.shutdown(immediate=True)

    def reader():
        try:
            for index, item in enumerate(items):
                tasks.put((index, item))  # blocks while the queue is full: back-pressure
        except queue.ShutDown:
            return  # a later stage failed
        except Exception as error:  # the input itself failed
            fail(error)
            return
        tasks.shutdown()  # no more items: workers stop once the queue is empty

    def worker():
        while True:
            try:
                index, item = tasks.get()
            except queue.ShutDown:
                return
            try:
                result = transform(item)
            except Exception as error:
                fail(error)
                return
            try:
                results.put((index, result))
            except queue.ShutDown:
                return

    def writer():
        nonlocal emitted
        pending = {}  # the reorder buffer: index -> result, for results that came early
        next_index = 0
        while True:
            try:
                index, result = results.get()
            except queue.ShutDown:
                return
            pending[index] = result
            while next_index in pending:  # emit every result that is now in order
                try:
                    emit(pending.pop(next_index))
                except Exception as error:
                    fail(error)
                    return
                next_index += 1
                emitted += 1

    reader_thread = threading.Thread(target=reader, name="reader")
    worker_threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(workers)]
    writer_thread = threading.Thread(target=writer, name="writer")
    for thread in [reader_thread, *worker_threads, writer_thread]:
        thread.start()
    reader_thread.join()
    for thread in worker_threads:
        thread.join()
    results.shutdown()  # every worker has finished: the writer stops once it has drained
    writer_thread.join()
    if errors:
        raise errors[0]
    return emitted
