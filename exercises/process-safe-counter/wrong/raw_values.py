# Wrong: Value(..., lock=False) is a bare C integer in shared memory, with no lock at all.
# It is faster, and right when each process writes only its own slot, but here all the
# workers add to the same counters, and concurrent increments overwrite each other.
import multiprocessing


def count_share(events, categories, classify, counters):
    position = {category: index for index, category in enumerate(categories)}
    for event in events:
        counters[position[classify(event)]].value += 1


def count_in_processes(events, categories, classify, workers):
    categories = list(categories)
    counters = [multiprocessing.Value("q", 0, lock=False) for _ in categories]
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
