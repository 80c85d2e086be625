import queue
import threading


def run_service(source, handle, workers=2):
    """Handle items from `source` in worker threads until SIGTERM; return the items handled.

    The workers and the stop flag are here, but nothing sets the flag: SIGTERM is not
    handled at all. Install a handler, stop cleanly, and restore the previous handler.
    """
    stop = threading.Event()
    handled = []
    handled_lock = threading.Lock()

    def worker():
        while not stop.is_set():
            try:
                item = source.get(timeout=0.05)
            except queue.Empty:
                continue
            handle(item)
            with handled_lock:
                handled.append(item)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        stop.wait(0.1)
    for thread in threads:
        thread.join()
    return handled
