# Wrong: each thread appends its result to a shared list when it finishes, so the results
# reach combine() in completion order, not chunk order.
import threading


def split(items, parts):
    parts = min(parts, len(items))
    if parts == 0:
        return []
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for index in range(parts):
        stop = start + size + (1 if index < extra else 0)
        chunks.append(items[start:stop])
        start = stop
    return chunks


def run_in_chunks(items, work, combine, threads):
    results = []

    def run(chunk):
        results.append(work(chunk))

    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in split(items, threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return combine(results)
