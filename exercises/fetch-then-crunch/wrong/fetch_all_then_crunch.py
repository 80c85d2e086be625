# Wrong: waits for every fetch before crunching anything. The processes sit idle during the
# slowest fetch, and all the CPU work is done after it, so nothing overlaps.
from concurrent.futures import ThreadPoolExecutor


def fetch_and_crunch(ids, fetch, crunch, process_pool):
    ids = list(ids)
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=len(ids)) as io_pool:
        fetched = list(io_pool.map(fetch, ids))
    return list(process_pool.map(crunch, fetched))
