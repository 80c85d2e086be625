# Wrong: each task is computed on its own, one after another, so no two loads ever overlap.
from dask import delayed
from joblib import Parallel
from joblib import delayed as joblib_delayed


def map_in_processes(func, items, n_jobs=2):
    return Parallel(n_jobs=n_jobs)(joblib_delayed(func)(item) for item in items)


def total_with_dask(load, items):
    parts = [delayed(load)(item) for item in items]
    return sum(part.compute(scheduler="threads", num_workers=4) for part in parts)
