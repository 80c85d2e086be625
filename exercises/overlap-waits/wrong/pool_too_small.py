# Wrong: a pool of two worker threads overlaps only two fetches at a time.
# Five fetches need three rounds of waiting instead of one.
from concurrent.futures import ThreadPoolExecutor


def fetch_all(ids, fetch):
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(fetch, ids))
