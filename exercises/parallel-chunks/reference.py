from concurrent.futures import ThreadPoolExecutor


def split(items, parts):
    """Cut items into at most `parts` contiguous chunks whose sizes differ by at most one."""
    parts = min(parts, len(items))
    if parts == 0:
        return []
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for index in range(parts):
        stop = start + size + (1 if index < extra else 0)  # the first `extra` get one more
        chunks.append(items[start:stop])
        start = stop
    return chunks


def run_in_chunks(items, work, combine, threads):
    """Run work(chunk) for every chunk of split(items, threads) at the same time, each in its
    own thread, and return combine(results), with results in chunk order."""
    chunks = split(items, threads)
    if not chunks:
        return combine([])
    # One worker per chunk, so that every chunk is in progress at the same time.
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        futures = [pool.submit(work, chunk) for chunk in chunks]
        # Reading the futures in submission order keeps chunk order; result() re-raises.
        return combine([future.result() for future in futures])
