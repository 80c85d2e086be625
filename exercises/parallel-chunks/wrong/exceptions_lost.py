# Wrong: plain threads write their results into slots, but an exception raised by work() only
# ends its thread (and is printed); run_in_chunks carries on with None in that slot.
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
    chunks = split(items, threads)
    results = [None] * len(chunks)

    def run(index):
        results[index] = work(chunks[index])

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(chunks))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return combine(results)
