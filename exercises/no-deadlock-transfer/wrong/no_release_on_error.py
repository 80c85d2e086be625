# Wrong: the locks are acquired and released by hand, and the early raise skips the releases.
# After one failed transfer both accounts stay locked, and the next transfer waits forever.
def transfer(source, target, amount):
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if source is target:
        raise ValueError("source and target are the same account")
    first, second = sorted((source, target), key=lambda account: account.number)
    first.lock.acquire()
    second.lock.acquire()
    if source.balance < amount:
        raise ValueError(f"not enough money in account {source.number}")
    source.balance -= amount
    target.balance += amount
    second.lock.release()
    first.lock.release()
