import multiprocessing


def count_share(events, categories, classify, counts):
    """Run in a worker process: add 1 to the count of each event's category."""
    for event in events:
        counts[classify(event)] += 1


def count_in_processes(events, categories, classify, workers):
    """Count events per category in `workers` processes; return {category: count}.

    This first draft starts the workers and splits the events between them, but it counts
    into a plain dict. Each worker process gets its own copy of that dict, so the counts it
    makes never reach the caller, whose dict stays at 0. Count into shared memory instead,
    and make sure that no increment is lost when several workers update the same counter.
    """
    counts = {category: 0 for category in categories}
    processes = [
        multiprocessing.Process(
            target=count_share, args=(events[start::workers], categories, classify, counts)
        )
        for start in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return counts
