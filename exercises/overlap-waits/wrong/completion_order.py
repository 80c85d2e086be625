# Wrong: results are appended as the threads finish, so they come back in completion order.
# The task asks for input order; a fetch that is quicker than an earlier one jumps ahead.
import threading


def fetch_all(ids, fetch):
    results = []

    def fetch_and_append(item_id):
        results.append(fetch(item_id))

    threads = [threading.Thread(target=fetch_and_append, args=(item_id,)) for item_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
