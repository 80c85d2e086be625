# Wrong: counter.value += 1 without counter.get_lock(). The read and the write are each
# locked, but another worker can write between them, and its increment is overwritten.
import multiprocessing


def count_share(events, categories, classify, counters):
    position = {category: index for index, category in enumerate(categories)}
    for event in events:
        counters[position[classify(event)]].value += 1


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
