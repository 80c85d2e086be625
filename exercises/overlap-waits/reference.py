import threading


def fetch_all(ids, fetch):
    """Return [fetch(id) for id in ids], with all the calls running at the same time."""
    ids = list(ids)
    results = [None] * len(ids)

    def fetch_into_slot(index, item_id):
        # Each thread writes only its own slot, so the order of the input is kept
        # whatever order the threads finish in.
        results[index] = fetch(item_id)

    threads = [
        threading.Thread(target=fetch_into_slot, args=(index, item_id))
        for index, item_id in enumerate(ids)
    ]
    for thread in threads:
        thread.start()  # start them all first, so that the waits overlap...
    for thread in threads:
        thread.join()  # ...and only then wait for every one of them
    return results
