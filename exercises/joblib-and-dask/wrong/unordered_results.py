# Wrong: return_as="generator_unordered" yields results as they finish, not in input order.
from dask import delayed
from joblib import Parallel
from joblib import delayed as joblib_delayed


def map_in_processes(func, items, n_jobs=2):
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    return list(parallel(joblib_delayed(func)(item) for item in items))


def total_with_dask(load, items):
    parts = [delayed(load)(item) for item in items]
    return delayed(sum)(parts).compute(scheduler="threads", num_workers=4)
