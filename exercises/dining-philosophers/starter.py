import threading


def dine(forks, meals, eat):
    """Let every philosopher eat `meals` times; return the number of meals each one ate.

    Every philosopher picks up its left fork, then its right fork. When they all pick up
    their left fork at the same moment, nobody can get a right fork: a deadlock. Fix it.
    """
    n = len(forks)
    eaten = [0] * n

    def philosopher(i):
        left, right = forks[i], forks[(i + 1) % n]
        for _ in range(meals):
            with left:
                with right:
                    eat(i)
                    eaten[i] += 1

    threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return eaten
