# Wrong: stops reading at the first sentinel, one sentinel too few for several workers.
# The results of every worker that finishes later are never collected.
import multiprocessing


def worker(chunk, work, results, progress):
    for item in chunk:
        results.put((item, work(item)))
        with progress.get_lock():
            progress.value += 1
    results.put(None)


def run_workers(chunks, work, progress):
    if not chunks:
        return {}
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(chunk, work, results, progress))
        for chunk in chunks
    ]
    for process in processes:
        process.start()

    collected = {}
    while (message := results.get()) is not None:  # the first worker to finish ends this
        item, result = message
        collected[item] = result

    for process in processes:
        process.join()
    return collected
