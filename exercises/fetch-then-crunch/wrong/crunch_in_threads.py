# Wrong: the CPU work runs in the I/O threads of this process instead of in process_pool.
# With the GIL those crunches take turns; the tests see it in the process ids of the results.
from concurrent.futures import ThreadPoolExecutor


def fetch_and_crunch(ids, fetch, crunch, process_pool):
    ids = list(ids)
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=len(ids)) as io_pool:
        return list(io_pool.map(lambda item_id: crunch(fetch(item_id)), ids))
