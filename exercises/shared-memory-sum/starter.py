import multiprocessing

import numpy as np


def square_slice(values, start, stop):
    """Square values[start:stop] in place.

    This squares the worker's own copy of the array: the parent never sees the change.
    Make the workers write into a SharedMemory block instead (and change the signature to
    square_slice(shm_name, length, start, stop)).
    """
    values[start:stop] **= 2


def square_all(values, workers=2):
    result = np.array(values, dtype=np.float64)  # a copy, so values is not modified
    size = len(result)
    bounds = [size * i // workers for i in range(workers + 1)]
    processes = [
        multiprocessing.Process(target=square_slice, args=(result, bounds[i], bounds[i + 1]))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return result
