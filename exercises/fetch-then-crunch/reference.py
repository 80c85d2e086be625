from concurrent.futures import ThreadPoolExecutor


def fetch_and_crunch(ids, fetch, crunch, process_pool):
    """Return [crunch(fetch(id)) for id in ids]: fetch in threads, crunch in process_pool."""
    ids = list(ids)
    if not ids:
        return []

    def fetch_then_submit(item_id):
        data = fetch(item_id)  # runs in an I/O thread: the waits overlap
        # Hand the CPU work to a process as soon as this item has arrived, without
        # waiting for the other fetches.
        return process_pool.submit(crunch, data)

    with ThreadPoolExecutor(max_workers=len(ids)) as io_pool:
        fetching = [io_pool.submit(fetch_then_submit, item_id) for item_id in ids]
        crunching = [future.result() for future in fetching]  # futures of the process pool
    return [future.result() for future in crunching]  # in input order
