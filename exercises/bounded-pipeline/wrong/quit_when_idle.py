# Wrong: a consumer stops when it has waited 0.1 s without getting an item. A producer that
# pauses longer than that (a slow file, a slow network) makes every consumer quit; then the
# producer blocks for ever on a full queue, or the remaining items are never processed.
import queue
import threading


def run_pipeline(items, process, consumers=3, maxsize=4):
    tasks = queue.Queue(maxsize=maxsize)
    results = {}
    count = 0

    def producer():
        nonlocal count
        for index, item in enumerate(items):
            tasks.put((index, item))
            count = index + 1

    def consumer():
        while True:
            try:
                index, item = tasks.get(timeout=0.1)
            except queue.Empty:
                return
            results[index] = process(item)

    threads = [threading.Thread(target=consumer) for _ in range(consumers)]
    threads.append(threading.Thread(target=producer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results.get(index) for index in range(count)]
