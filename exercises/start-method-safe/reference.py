import multiprocessing


def work(results, index, chunk, factor):
    """The worker: a module-level function, so every start method can find it by name."""
    results.put((index, [n * factor for n in chunk]))


def scale_all(numbers, factor, method="fork"):
    """Return [n * factor for n in numbers], computed by two processes started with the
    given start method ("fork", "spawn" or "forkserver")."""
    ctx = multiprocessing.get_context(method)
    results = ctx.Queue()  # from the same context as the processes
    half = len(numbers) // 2
    chunks = [list(numbers[:half]), list(numbers[half:])]
    processes = [
        # Everything the worker needs travels as a (picklable) argument.
        ctx.Process(target=work, args=(results, i, chunk, factor))
        for i, chunk in enumerate(chunks)
    ]
    for process in processes:
        process.start()
    parts = dict(results.get() for _ in processes)  # read before join: avoids a full pipe
    for process in processes:
        process.join()
    return parts[0] + parts[1]
