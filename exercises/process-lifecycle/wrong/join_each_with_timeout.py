# Wrong: each join() gets the full timeout, so stuck tasks add up (3 stuck tasks wait 3 x timeout).
# The deadline must be shared: give each join() only the time left until it.
import multiprocessing


def run_with_timeout(tasks, timeout, grace=0.5):
    processes = [multiprocessing.Process(target=function, args=args) for function, args in tasks]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(grace)
        if process.is_alive():
            process.kill()
            process.join()
    codes = [process.exitcode for process in processes]
    for process in processes:
        process.close()
    return codes
