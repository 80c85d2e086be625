def run_with_deadline(tasks, timeout, max_workers=4):
    """Run tasks in a pool of max_workers threads for at most timeout seconds.

    Return (results, cancelled): results maps the index of every task that finished in time
    to its value; cancelled is the sorted list of indices of the tasks that never started.

    This version runs the tasks one by one and ignores the deadline. Use a
    ThreadPoolExecutor, collect the results as they complete, and stop at the deadline.
    """
    results = {}
    for index, task in enumerate(tasks):
        results[index] = task()
    return results, []
