def ordered_pipeline(items, transform, emit, *, workers=3, maxsize=4):
    """Read items, transform them in `workers` threads, emit the results in input order.

    This version is correct but runs every stage in the calling thread, one item at a time:
    it ignores `workers` and `maxsize`. Turn it into a reader thread, `workers` worker
    threads and a writer thread connected by bounded queues.
    """
    emitted = 0
    for item in items:
        emit(transform(item))
        emitted += 1
    return emitted
