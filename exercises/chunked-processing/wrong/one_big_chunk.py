# Wrong: the whole list goes to the pool as a single chunk, so one worker does all the work
# and the other process has nothing to do.
from multiprocessing import Pool


def process_in_chunks(items, func, workers=2):
    items = list(items)
    with Pool(workers) as pool:
        return pool.map(func, items, chunksize=max(1, len(items)))
