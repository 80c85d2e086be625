# Wrong: the queue has no maxsize, so there is no back-pressure. The producer reads the whole
# input into the queue while the consumers are still on the first items.
import queue
import threading

_STOP = object()


def run_pipeline(items, process, consumers=3, maxsize=4):
    tasks = queue.Queue()
    results = {}
    count = 0

    def producer():
        nonlocal count
        for index, item in enumerate(items):
            tasks.put((index, item))
            count = index + 1
        for _ in range(consumers):
            tasks.put(_STOP)

    def consumer():
        while True:
            task = tasks.get()
            if task is _STOP:
                return
            index, item = task
            results[index] = process(item)

    threads = [threading.Thread(target=consumer) for _ in range(consumers)]
    threads.append(threading.Thread(target=producer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[index] for index in range(count)]
