import queue
import threading


def run_pipeline(items, process, consumers=3, maxsize=4):
    """Process every item with `process` in `consumers` threads; return results in input order.

    This version has the right shape but three problems: its queue has no bound, so the
    producer runs as far ahead as it likes; its consumers stop as soon as the queue looks
    empty, which can be before the producer has finished; and it does not wait for them.
    """
    tasks = queue.Queue()
    results = {}

    def producer():
        for index, item in enumerate(items):
            tasks.put((index, item))

    def consumer():
        while not tasks.empty():
            index, item = tasks.get()
            results[index] = process(item)

    feeder = threading.Thread(target=producer)
    feeder.start()
    for _ in range(consumers):
        threading.Thread(target=consumer).start()
    feeder.join()
    return [results.get(index) for index in range(len(results))]
