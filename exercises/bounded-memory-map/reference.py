from collections import deque
from concurrent.futures import ThreadPoolExecutor


def bounded_map(fn, items, *, max_in_flight, max_workers=2):
    """Yield fn(item) for every item, in input order, with at most max_in_flight pending."""
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        pending = deque()  # futures in input order, oldest on the left
        iterator = iter(items)
        while True:
            if len(pending) >= max_in_flight:
                # Full: hand over the oldest result before pulling another item.
                yield pending.popleft().result()
                continue
            try:
                item = next(iterator)
            except StopIteration:
                break
            pending.append(pool.submit(fn, item))
        while pending:
            yield pending.popleft().result()
