# Wrong: the lock is held while reading the counter, then released before the new value is
# written. Two workers can read the same value and both write value + 1: one increment lost.
import multiprocessing


def count_share(events, categories, classify, counters):
    position = {category: index for index, category in enumerate(categories)}
    for event in events:
        counter = counters[position[classify(event)]]
        with counter.get_lock():
            current = counter.value
        counter.value = current + 1


def count_in_processes(events, categories, classify, workers):
    categories = list(categories)
    counters = [multiprocessing.Value("q", 0) for _ in categories]
    processes = [
        multiprocessing.Process(
            target=count_share, args=(events[start::workers], categories, classify, counters)
        )
        for start in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return {category: counter.value for category, counter in zip(categories, counters)}
