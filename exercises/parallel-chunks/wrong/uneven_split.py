# Wrong: every chunk but the last gets len(items) // parts items and the last one takes the
# whole remainder, so chunk sizes can differ by much more than one (10 items in 4 parts: 2,2,2,4).
from concurrent.futures import ThreadPoolExecutor


def split(items, parts):
    parts = min(parts, len(items))
    if parts == 0:
        return []
    size = len(items) // parts
    chunks = [items[i * size : (i + 1) * size] for i in range(parts - 1)]
    chunks.append(items[(parts - 1) * size :])
    return chunks


def run_in_chunks(items, work, combine, threads):
    chunks = split(items, threads)
    if not chunks:
        return combine([])
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        futures = [pool.submit(work, chunk) for chunk in chunks]
        return combine([future.result() for future in futures])
