# Wrong: the for loop pulls the next item before the window is checked, so one item more
# than max_in_flight is held at a time: pulled minus yielded reaches max_in_flight + 1.
from collections import deque
from concurrent.futures import ThreadPoolExecutor


def bounded_map(fn, items, *, max_in_flight, max_workers=2):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        pending = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) > max_in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
