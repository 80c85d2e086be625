import multiprocessing

SENTINEL = None  # never a real (item, result) pair


def worker(chunk, work, results, progress):
    """Run in a child process: send (item, result) for each item, then one sentinel."""
    for item in chunk:
        results.put((item, work(item)))
        with progress.get_lock():  # the read and the write must happen under one lock
            progress.value += 1
    results.put(SENTINEL)  # "this worker is done"


def run_workers(chunks, work, progress):
    """Run each chunk in its own process; return {item: work(item)} for every item."""
    if not chunks:
        return {}
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(chunk, work, results, progress))
        for chunk in chunks
    ]
    for process in processes:
        process.start()

    # Drain first: read until every worker has said it is done...
    collected = {}
    finished = 0
    while finished < len(processes):
        message = results.get()
        if message is SENTINEL:
            finished += 1
        else:
            item, result = message
            collected[item] = result

    # ...and only then join: every worker's feeder thread has flushed, so they can exit.
    for process in processes:
        process.join()
    return collected
