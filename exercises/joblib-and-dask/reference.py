from dask import delayed
from joblib import Parallel
from joblib import delayed as joblib_delayed


def map_in_processes(func, items, n_jobs=2):
    """Return [func(item) for item in items], computed by n_jobs worker processes."""
    # joblib's default backend, loky, runs the calls in a pool of worker processes and
    # returns the results as a list in the order of the inputs.
    return Parallel(n_jobs=n_jobs, backend="loky")(joblib_delayed(func)(item) for item in items)


def total_with_dask(load, items):
    """Return sum(load(item) for item in items), with the loads running at the same time."""
    # Building the graph runs nothing: each delayed call only records a task.
    parts = [delayed(load)(item) for item in items]
    total = delayed(sum)(parts)
    # One compute() for the whole graph, so that the scheduler can run the independent
    # loads at the same time in its thread pool.
    return total.compute(scheduler="threads", num_workers=4)
