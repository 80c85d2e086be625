# Wrong: terminate() alone, then join() with no timeout: a child that ignores SIGTERM never exits,
# so the call waits forever. After the grace period, kill() (SIGKILL cannot be ignored).
import multiprocessing
import time


def run_with_timeout(tasks, timeout, grace=0.5):
    processes = [multiprocessing.Process(target=function, args=args) for function, args in tasks]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join()
    codes = [process.exitcode for process in processes]
    for process in processes:
        process.close()
    return codes
