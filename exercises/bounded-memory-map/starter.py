def bounded_map(fn, items, *, max_in_flight, max_workers=2):
    """Yield fn(item) for every item, in input order, with at most max_in_flight pending.

    This version is lazy and keeps the order, but it runs fn in the caller's thread,
    one item at a time. Use a pool of max_workers threads, and keep up to
    max_in_flight items in progress.
    """
    for item in items:
        yield fn(item)
