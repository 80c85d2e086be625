# Wrong: None is used as the sentinel, but None can be an ordinary item. The consumer that gets
# it stops early, and that item is never processed.
import queue
import threading


def run_pipeline(items, process, consumers=3, maxsize=4):
    tasks = queue.Queue(maxsize=maxsize)
    results = {}
    count = 0

    def producer():
        nonlocal count
        for index, item in enumerate(items):
            tasks.put(item if item is None else (index, item))
            count = index + 1
        for _ in range(consumers):
            tasks.put(None)

    def consumer():
        while True:
            task = tasks.get()
            if task is None:
                return
            index, item = task
            results[index] = process(item)

    threads = [threading.Thread(target=consumer) for _ in range(consumers)]
    threads.append(threading.Thread(target=producer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results.get(index) for index in range(count)]
