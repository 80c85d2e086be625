import asyncio
import inspect


def run_serial(task, items):
    """The baseline: one item after the other in the calling thread."""
    return [task(item) for item in items]


def run_threads(task, items, workers):
    """task(item) for every item in a pool of `workers` threads; results in input order."""
    return run_serial(task, items)  # not yet: use a ThreadPoolExecutor


def run_processes(task, items, workers):
    """task(item) for every item in a pool of `workers` processes; results in input order."""
    return run_serial(task, items)  # not yet: use a ProcessPoolExecutor


def run_asyncio(task, items, workers):
    """task(item) for every item under one event loop, at most `workers` at a time.

    A coroutine function runs as coroutines on the loop's thread; a plain function must be
    handed to a pool of `workers` threads so that it cannot block the loop.
    """

    async def main():
        results = []
        for item in items:  # one at a time: nothing overlaps yet
            if inspect.iscoroutinefunction(task):
                results.append(await task(item))
            else:
                results.append(task(item))
        return results

    return asyncio.run(main())
