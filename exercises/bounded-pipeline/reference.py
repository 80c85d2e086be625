import queue
import threading

_STOP = object()  # the sentinel: no item of the input can be this object


def run_pipeline(items, process, consumers=3, maxsize=4):
    """Process every item with `process` in `consumers` threads; return results in input order."""
    tasks = queue.Queue(maxsize=maxsize)  # bounded: put() waits while it is full
    results = {}
    count = 0

    def producer():
        nonlocal count
        for index, item in enumerate(items):  # read lazily, one item at a time
            tasks.put((index, item))
            count = index + 1
        for _ in range(consumers):  # one sentinel per consumer, after the last item
            tasks.put(_STOP)

    def consumer():
        while True:
            task = tasks.get()
            if task is _STOP:
                return
            index, item = task
            results[index] = process(item)  # each index is written by one thread only

    threads = [threading.Thread(target=consumer, name=f"consumer-{n}") for n in range(consumers)]
    threads.append(threading.Thread(target=producer, name="producer"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()  # every thread has ended when we return
    return [results[index] for index in range(count)]
