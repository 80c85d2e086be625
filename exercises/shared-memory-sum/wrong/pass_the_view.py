# Wrong: each worker is given the NumPy view of the block instead of the block's name.
# Under fork the child inherits the shared mapping and it works by accident; under spawn
# (and forkserver) the view is pickled into a private copy and the squares are lost.
import multiprocessing
from multiprocessing import shared_memory

import numpy as np


def square_slice(view, start, stop):
    view[start:stop] **= 2


def square_all(values, workers=2):
    values = np.asarray(values, dtype=np.float64)
    length = len(values)
    if length == 0:
        return np.empty(0, dtype=np.float64)
    shm = shared_memory.SharedMemory(create=True, size=values.nbytes)
    try:
        shared = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
        shared[:] = values
        bounds = [length * i // workers for i in range(workers + 1)]
        processes = [
            multiprocessing.Process(target=square_slice, args=(shared, bounds[i], bounds[i + 1]))
            for i in range(workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        result = shared.copy()
        del shared, processes
    finally:
        shm.close()
        shm.unlink()
    return result
