# Wrong: the queue comes from the default context (fork on Linux in 3.13) while the processes
# come from the requested one. A queue's lock made for fork cannot be handed to a spawn or
# forkserver child: Process.start() raises RuntimeError.
import multiprocessing


def work(results, index, chunk, factor):
    results.put((index, [n * factor for n in chunk]))


def scale_all(numbers, factor, method="fork"):
    ctx = multiprocessing.get_context(method)
    results = multiprocessing.Queue()
    half = len(numbers) // 2
    chunks = [list(numbers[:half]), list(numbers[half:])]
    processes = [
        ctx.Process(target=work, args=(results, i, chunk, factor)) for i, chunk in enumerate(chunks)
    ]
    for process in processes:
        process.start()
    parts = dict(results.get() for _ in processes)
    for process in processes:
        process.join()
    return parts[0] + parts[1]
