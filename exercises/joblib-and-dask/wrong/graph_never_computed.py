# Wrong: total_with_dask returns the lazy Delayed object; the graph is built but never computed.
from dask import delayed
from joblib import Parallel
from joblib import delayed as joblib_delayed


def map_in_processes(func, items, n_jobs=2):
    return Parallel(n_jobs=n_jobs)(joblib_delayed(func)(item) for item in items)


def total_with_dask(load, items):
    parts = [delayed(load)(item) for item in items]
    return delayed(sum)(parts)
