def fetch_and_crunch(ids, fetch, crunch, process_pool):
    """Return [crunch(fetch(id)) for id in ids]: fetch in threads, crunch in process_pool.

    This version is correct but sequential: it waits for each fetch and each crunch in turn.
    Fetch every id at the same time in threads, and submit each item to process_pool as
    soon as it has been fetched.
    """
    results = []
    for item_id in ids:
        data = fetch(item_id)
        results.append(process_pool.submit(crunch, data).result())
    return results
