import multiprocessing


def count_share(events, categories, classify, counters):
    """Run in a worker process: add 1 to the shared counter of each event's category."""
    position = {category: index for index, category in enumerate(categories)}
    for event in events:
        counter = counters[position[classify(event)]]
        with counter.get_lock():  # one lock held across the read, the addition and the write
            counter.value += 1


def count_in_processes(events, categories, classify, workers):
    """Count events per category in `workers` processes; return {category: count}."""
    categories = list(categories)
    # One C integer in shared memory per category, created before the workers start, so that
    # every worker receives the same counters (by inheritance under fork, by handle under spawn).
    counters = [multiprocessing.Value("q", 0) for _ in categories]
    processes = [
        multiprocessing.Process(
            target=count_share, args=(events[start::workers], categories, classify, counters)
        )
        for start in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:  # every worker runs before any is waited for
        process.join()
    return {category: counter.value for category, counter in zip(categories, counters)}
