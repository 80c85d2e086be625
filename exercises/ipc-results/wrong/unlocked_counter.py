# Wrong: progress.value += 1 without progress.get_lock(). Each read and each write is locked,
# but another process can write between them, so increments are lost.
import multiprocessing


def worker(chunk, work, results, progress):
    for item in chunk:
        results.put((item, work(item)))
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
    finished = 0
    while finished < len(processes):
        message = results.get()
        if message is None:
            finished += 1
        else:
            item, result = message
            collected[item] = result

    for process in processes:
        process.join()
    return collected
