# Wrong: the window is bounded, but results are yielded as they complete, not in input
# order: an item that finishes quickly overtakes an earlier, slower one.
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait


def bounded_map(fn, items, *, max_in_flight, max_workers=2):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        pending = set()
        for item in items:
            if len(pending) >= max_in_flight:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
            pending.add(pool.submit(fn, item))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
