# Wrong: the counts are module-level ints. Every worker process has its own copy of the
# module's globals (inherited under fork, imported afresh under spawn), so each one counts
# into its own copy, and the caller's counts stay at 0.
import multiprocessing
import threading

COUNTS = {}
LOCK = threading.Lock()


def count_share(events, classify):
    for event in events:
        category = classify(event)
        with LOCK:
            COUNTS[category] = COUNTS.get(category, 0) + 1


def count_in_processes(events, categories, classify, workers):
    for category in categories:
        COUNTS[category] = 0
    processes = [
        multiprocessing.Process(target=count_share, args=(events[start::workers], classify))
        for start in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return dict(COUNTS)
