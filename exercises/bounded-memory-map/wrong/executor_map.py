# Wrong: ThreadPoolExecutor.map() in 3.13 submits every item of the input before it returns,
# so the whole stream is pulled (and its futures kept) at once: memory is not bounded.
from concurrent.futures import ThreadPoolExecutor


def bounded_map(fn, items, *, max_in_flight, max_workers=2):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        yield from pool.map(fn, items)
