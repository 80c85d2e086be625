def run_pipeline(keys, fetch, crunch, write, *, fetchers=4, crunchers=2):
    """fetch(key) in `fetchers` threads, crunch(data) in `crunchers` worker processes, and
    write(key, result) in one writer thread, in the order of keys.

    This version is correct but does everything in the calling thread, one key at a time:
    the fetches do not overlap, crunch runs in this process, and `fetchers` and `crunchers`
    are ignored. Turn it into fetch threads, a ProcessPoolExecutor and a writer thread.
    """
    written = 0
    for key in keys:
        write(key, crunch(fetch(key)))
        written += 1
    return written
