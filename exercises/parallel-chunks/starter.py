def split(items, parts):
    """Cut items into at most `parts` contiguous chunks whose sizes differ by at most one."""
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
    """Run work(chunk) for every chunk of split(items, threads) at the same time, each in its
    own thread, and return combine(results), with results in chunk order.

    This version runs the chunks one after another in the calling thread. Run them all at
    once, one thread per chunk.
    """
    results = [work(chunk) for chunk in split(items, threads)]
    return combine(results)
