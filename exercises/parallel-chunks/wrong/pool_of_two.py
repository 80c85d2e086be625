# Wrong: the pool has two workers whatever the number of chunks, so with four chunks only two
# run at a time and the other two wait: the work is not really split across four threads.
from concurrent.futures import ThreadPoolExecutor


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
    with ThreadPoolExecutor(max_workers=2) as pool:
        return combine(list(pool.map(work, chunks)))
