import multiprocessing


def scale_all(numbers, factor, method="fork"):
    """Return [n * factor for n in numbers], computed by two processes started with the
    given start method ("fork", "spawn" or "forkserver").

    This version works under fork only: the worker is a nested function that uses
    variables of scale_all, and only fork can hand such a function to a child.
    """
    ctx = multiprocessing.get_context(method)
    results = ctx.Queue()

    def work(index, chunk):
        results.put((index, [n * factor for n in chunk]))

    half = len(numbers) // 2
    chunks = [list(numbers[:half]), list(numbers[half:])]
    processes = [ctx.Process(target=work, args=(i, chunk)) for i, chunk in enumerate(chunks)]
    for process in processes:
        process.start()
    parts = dict(results.get() for _ in processes)
    for process in processes:
        process.join()
    return parts[0] + parts[1]
