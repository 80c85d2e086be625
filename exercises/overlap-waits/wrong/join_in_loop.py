# Wrong: each thread is joined right after it starts, so the fetches still run one by one.
# The code uses threads, but every fetch finishes before the next one begins.
import threading


def fetch_all(ids, fetch):
    results = [None] * len(ids)

    def fetch_into_slot(index, item_id):
        results[index] = fetch(item_id)

    for index, item_id in enumerate(ids):
        thread = threading.Thread(target=fetch_into_slot, args=(index, item_id))
        thread.start()
        thread.join()
    return results
