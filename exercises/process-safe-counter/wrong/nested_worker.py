# Wrong: the worker function is defined inside count_in_processes. Under fork the child
# simply inherits it, but spawn (and forkserver) must pickle the target, and a nested
# function cannot be pickled: the processes never start.
import multiprocessing


def count_in_processes(events, categories, classify, workers):
    categories = list(categories)
    counters = [multiprocessing.Value("q", 0) for _ in categories]
    position = {category: index for index, category in enumerate(categories)}

    def count_share(share):
        for event in share:
            counter = counters[position[classify(event)]]
            with counter.get_lock():
                counter.value += 1

    processes = [
        multiprocessing.Process(target=count_share, args=(events[start::workers],))
        for start in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return {category: counter.value for category, counter in zip(categories, counters)}
