def process_in_chunks(items, func, workers=2):
    """Return [func(item) for item in items], computed by a pool of `workers`
    processes that each receive contiguous chunks of the items.

    This version is correct but runs everything in the calling process.
    Use a process pool, and send the items in chunks.
    """
    return [func(item) for item in items]
