from concurrent.futures import ThreadPoolExecutor, as_completed


def run_with_deadline(tasks, timeout, max_workers=4):
    """Run tasks in a pool of max_workers threads for at most timeout seconds.

    Return (results, cancelled): results maps the index of every task that finished in time
    to its value; cancelled is the sorted list of indices of the tasks that never started.
    """
    tasks = list(tasks)
    if not tasks:
        return {}, []
    # No with block: leaving it would wait for the tasks that are still running.
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = {pool.submit(task): index for index, task in enumerate(tasks)}
    results = {}
    failed = None
    try:
        for future in as_completed(futures, timeout=timeout):
            if future.exception() is not None:
                failed = future  # the first task to fail, in completion order
                break
            results[futures[future]] = future.result()
    except TimeoutError:
        pass  # the deadline: as_completed gave up waiting (tasks' own errors stay in futures)
    cancelled = sorted(index for future, index in futures.items() if future.cancel())
    pool.shutdown(wait=False)  # let running tasks finish in the background
    if failed is not None:
        raise failed.exception()
    return results, cancelled
