# Wrong: the factor is stored in a module global at run time. A forked child has a copy of
# the parent's memory and sees it; a spawn or forkserver child re-imports the module and sees
# the default value 1 instead.
import multiprocessing

FACTOR = 1


def work(results, index, chunk):
    results.put((index, [n * FACTOR for n in chunk]))


def scale_all(numbers, factor, method="fork"):
    global FACTOR
    FACTOR = factor
    ctx = multiprocessing.get_context(method)
    results = ctx.Queue()
    half = len(numbers) // 2
    chunks = [list(numbers[:half]), list(numbers[half:])]
    processes = [
        ctx.Process(target=work, args=(results, i, chunk)) for i, chunk in enumerate(chunks)
    ]
    for process in processes:
        process.start()
    parts = dict(results.get() for _ in processes)
    for process in processes:
        process.join()
    return parts[0] + parts[1]
