# Wrong: the coroutines are all started at once with no semaphore, so asyncio waits on
# every item at the same time while the threads and processes get `workers`.
import asyncio
import inspect
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def run_serial(task, items):
    """The baseline: one item after the other in the calling thread."""
    return [task(item) for item in items]


def run_threads(task, items, workers):
    """task(item) for every item in a pool of `workers` threads; results in input order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, items))  # map keeps the order and re-raises errors


def run_processes(task, items, workers):
    """task(item) for every item in a pool of `workers` processes; results in input order.

    task must be picklable (a module-level function): it is sent to the workers by name.
    """
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, items))


def run_asyncio(task, items, workers):
    """task(item) for every item under one event loop, at most `workers` at a time.

    A coroutine function runs as coroutines on the loop's thread; a plain function is
    handed to a pool of `workers` threads with run_in_executor, so it cannot block the loop.
    """
    return asyncio.run(_gather(task, list(items), workers))


async def _gather(task, items, workers):
    if inspect.iscoroutinefunction(task):
        return await asyncio.gather(*(task(item) for item in items))
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=workers) as pool:  # its size is the bound
        futures = [loop.run_in_executor(pool, task, item) for item in items]
        return await asyncio.gather(*futures)
