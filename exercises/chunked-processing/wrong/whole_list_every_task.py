# Wrong: each task receives the WHOLE list plus the bounds of its chunk, so the full input is
# pickled once per chunk instead of once in total.
import math
from concurrent.futures import ProcessPoolExecutor


def run_range(func, items, start, stop):
    return [func(item) for item in items[start:stop]]


def process_in_chunks(items, func, workers=2):
    items = list(items)
    size = max(1, math.ceil(len(items) / (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(run_range, func, items, start, start + size)
            for start in range(0, len(items), size)
        ]
        return [result for future in futures for result in future.result()]
