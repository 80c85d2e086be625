# Wrong: n_jobs=1 makes joblib run a plain for loop in this process: no worker process is used.
from dask import delayed
from joblib import Parallel
from joblib import delayed as joblib_delayed


def map_in_processes(func, items, n_jobs=2):
    return Parallel(n_jobs=1)(joblib_delayed(func)(item) for item in items)


def total_with_dask(load, items):
    parts = [delayed(load)(item) for item in items]
    return delayed(sum)(parts).compute(scheduler="threads", num_workers=4)
