# Wrong: ProcessPoolExecutor.map() defaults to chunksize=1, so every item is a separate task
# with its own round trip through the pipes: the per-task overhead is paid for every item.
from concurrent.futures import ProcessPoolExecutor


def process_in_chunks(items, func, workers=2):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items))
