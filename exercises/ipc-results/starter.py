import multiprocessing


def worker(chunk, work, results, progress):
    """Run in a child process: send (item, result) for each item, then one sentinel."""
    for item in chunk:
        results.put((item, work(item)))
        progress.value += 1
    results.put(None)


def run_workers(chunks, work, progress):
    """Run each chunk in its own process; return {item: work(item)} for every item.

    This first draft works for small results, but it waits for the processes before reading
    what they sent, and it updates the shared counter without its lock. Fix both.
    """
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(chunk, work, results, progress))
        for chunk in chunks
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()

    collected = {}
    while not results.empty():
        message = results.get()
        if message is not None:
            item, result = message
            collected[item] = result
    return collected
