# Wrong: the thread that gets index 0 from barrier.wait() calls on_round_end() after the
# barrier has released everybody, so the other threads are already running the next round.
import threading


def run_rounds(workers, rounds, step, on_round_end=None):
    results = [[None] * workers for _ in range(rounds)]
    errors = []
    barrier = threading.Barrier(workers)

    def work(worker):
        try:
            for round_number in range(rounds):
                results[round_number][worker] = step(worker, round_number)
                if barrier.wait() == 0 and on_round_end is not None:
                    on_round_end(round_number)
        except threading.BrokenBarrierError:
            pass
        except Exception as error:
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
