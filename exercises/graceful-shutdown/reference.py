import queue
import signal
import threading


def run_service(source, handle, workers=2):
    """Handle items from `source` in worker threads until SIGTERM; return the items handled."""
    stop = threading.Event()
    handled = []
    handled_lock = threading.Lock()

    def on_sigterm(signum, frame):
        # Runs in the main thread. Only set a flag: the workers and the main loop check it.
        stop.set()

    def worker():
        while not stop.is_set():  # refuse new work once SIGTERM has arrived...
            try:
                item = source.get(timeout=0.05)  # a short timeout, to check `stop` regularly
            except queue.Empty:
                continue
            handle(item)  # ...but finish an item once it has been taken (accepted)
            with handled_lock:
                handled.append(item)

    previous = signal.signal(signal.SIGTERM, on_sigterm)  # must be called in the main thread
    threads = [threading.Thread(target=worker, name=f"service-worker-{i}") for i in range(workers)]
    try:
        for thread in threads:
            thread.start()
        while not stop.is_set():
            stop.wait(0.1)  # the main thread stays free to run the signal handler
    finally:
        stop.set()  # also on an exception such as KeyboardInterrupt
        for thread in threads:
            if thread.is_alive():
                thread.join()  # every in-flight item is finished after this
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)  # leave the process as we found it
    return handled
