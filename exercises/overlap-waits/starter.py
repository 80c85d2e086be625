def fetch_all(ids, fetch):
    """Return [fetch(id) for id in ids], with all the calls running at the same time.

    This version is correct but sequential: each fetch waits for the previous one.
    Make the waits overlap by using threads.
    """
    results = []
    for item_id in ids:
        results.append(fetch(item_id))
    return results
