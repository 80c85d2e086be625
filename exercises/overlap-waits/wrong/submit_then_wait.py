# Wrong: .result() right after each submit() waits for that fetch before the next is submitted.
# The pool never has two fetches in flight, so this is sequential.
from concurrent.futures import ThreadPoolExecutor


def fetch_all(ids, fetch):
    results = []
    with ThreadPoolExecutor() as pool:
        for item_id in ids:
            future = pool.submit(fetch, item_id)
            results.append(future.result())
    return results
