import multiprocessing


def process_all(func, items, timeout, workers=2):
    """Apply func to every item in worker processes; return results and errors in order.

    This version works only when nothing goes wrong: pool.map() re-raises the first
    exception and loses every other result, and it waits forever for an item that hangs.
    Collect each item's result or exception on its own, with one shared deadline.
    """
    with multiprocessing.Pool(workers) as pool:
        return pool.map(func, items)
