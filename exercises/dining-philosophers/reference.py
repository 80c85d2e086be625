import threading


def dine(forks, meals, eat):
    """Let every philosopher eat `meals` times; return the number of meals each one ate."""
    n = len(forks)
    eaten = [0] * n  # each philosopher writes only its own slot

    def philosopher(i):
        # One global order for all forks: always pick up the lower-numbered fork first.
        # Philosopher n - 1 (forks n - 1 and 0) therefore starts with fork 0, the opposite
        # of its neighbours, so a cycle of philosophers each waiting for the next can't form.
        first, second = sorted((i, (i + 1) % n))
        for _ in range(meals):
            with forks[first]:
                with forks[second]:
                    eat(i)
                    eaten[i] += 1

    threads = [
        threading.Thread(target=philosopher, args=(i,), name=f"philosopher-{i}") for i in range(n)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return eaten
