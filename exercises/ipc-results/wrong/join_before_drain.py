# Wrong: joins the workers before reading the queue. A worker cannot exit while its feeder
# thread still has results to write into the pipe, so with large results both sides wait.
import multiprocessing


def worker(chunk, work, results, progress):
    for item in chunk:
        results.put((item, work(item)))
        with progress.get_lock():
            progress.value += 1
    results.put(None)


def run_workers(chunks, work, progress):
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(chunk, work, results, progress))
        for chunk in chunks
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()  # too early: nobody is reading the results yet

    collected = {}
    finished = 0
    while finished < len(processes):
        message = results.get()
        if message is None:
            finished += 1
        else:
            item, result = message
            collected[item] = result
    return collected
