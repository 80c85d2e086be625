# Wrong: the chunk results are collected with as_completed(), i.e. in the order the chunks
# finish, so a slow early chunk ends up after quicker later ones.
import math
from concurrent.futures import ProcessPoolExecutor, as_completed


def run_chunk(func, chunk):
    return [func(item) for item in chunk]


def process_in_chunks(items, func, workers=2):
    items = list(items)
    size = max(1, math.ceil(len(items) / (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(run_chunk, func, items[start : start + size])
            for start in range(0, len(items), size)
        ]
        results = []
        for future in as_completed(futures):
            results.extend(future.result())
        return results
