# Wrong: the block is used correctly, but a single worker process squares the whole array
# whatever `workers` says, so the work is not spread over several processes.
import multiprocessing
from multiprocessing import shared_memory

import numpy as np


def square_slice(shm_name, length, start, stop):
    shm = shared_memory.SharedMemory(name=shm_name)
    try:
        view = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
        view[start:stop] **= 2
        del view
    finally:
        shm.close()


def square_all(values, workers=2):
    values = np.asarray(values, dtype=np.float64)
    length = len(values)
    if length == 0:
        return np.empty(0, dtype=np.float64)
    shm = shared_memory.SharedMemory(create=True, size=values.nbytes)
    try:
        shared = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
        shared[:] = values
        process = multiprocessing.Process(target=square_slice, args=(shm.name, length, 0, length))
        process.start()
        process.join()
        result = shared.copy()
        del shared
    finally:
        shm.close()
        shm.unlink()
    return result
