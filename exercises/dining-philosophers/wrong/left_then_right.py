# Wrong: every philosopher picks up its left fork first. When they all do it at the same moment,
# each holds one fork and waits for its neighbour's: a circular wait, so a deadlock.
import threading


def dine(forks, meals, eat):
    n = len(forks)
    eaten = [0] * n

    def philosopher(i):
        for _ in range(meals):
            forks[i].acquire()
            forks[(i + 1) % n].acquire()
            eat(i)
            eaten[i] += 1
            forks[(i + 1) % n].release()
            forks[i].release()

    threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return eaten
