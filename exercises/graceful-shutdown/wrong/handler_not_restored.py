# Wrong: it stops cleanly, but leaves its own SIGTERM handler installed. The rest of the
# program (here, the test) has lost its handler: a later SIGTERM only sets a forgotten flag.
import queue
import signal
import threading


def run_service(source, handle, workers=2):
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

    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        stop.wait(0.1)
    for thread in threads:
        thread.join()
    return handled
