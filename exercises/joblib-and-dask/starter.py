def map_in_processes(func, items, n_jobs=2):
    """Return [func(item) for item in items], computed by n_jobs worker processes.

    This version is correct but sequential: every call runs in this process, one after
    another. Use joblib's Parallel and delayed (loky backend) to spread the calls over
    n_jobs worker processes.
    """
    return [func(item) for item in items]


def total_with_dask(load, items):
    """Return sum(load(item) for item in items), with the loads running at the same time.

    This version is correct but sequential. Build a dask.delayed graph (one task per load,
    and one that adds them up) and compute it once, with the threaded scheduler and four
    worker threads.
    """
    return sum(load(item) for item in items)
