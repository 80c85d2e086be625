import math
from concurrent.futures import ProcessPoolExecutor


def process_in_chunks(items, func, workers=2):
    """Return [func(item) for item in items], computed by a pool of `workers`
    processes that each receive contiguous chunks of the items."""
    items = list(items)
    if not items:
        return []
    # About four chunks per worker: few enough that the per-task pickling overhead is
    # small, enough that a slow chunk does not leave the other workers idle.
    chunksize = max(1, math.ceil(len(items) / (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # map() sends each chunk as one task and yields the results in input order.
        return list(pool.map(func, items, chunksize=chunksize))
