# Wrong: everything runs in turn. Each fetch waits for the previous crunch, and each crunch
# for its own fetch, so the total is the sum of all the waits and all the work.
def fetch_and_crunch(ids, fetch, crunch, process_pool):
    return [process_pool.submit(crunch, fetch(item_id)).result() for item_id in ids]
