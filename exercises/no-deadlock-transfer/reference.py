import threading


class Account:
    """A bank account with its own lock (the tests use accounts like this one)."""

    def __init__(self, number, balance):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


def transfer(source, target, amount):
    """Move amount from source to target; raise ValueError if it cannot be done."""
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if source is target:  # a Lock taken twice by one thread would wait for itself
        raise ValueError("source and target are the same account")
    # One global order for every transfer: the lower account number is locked first, so two
    # transfers can never each hold the lock the other one is waiting for.
    first, second = sorted((source, target), key=lambda account: account.number)
    with first.lock, second.lock:
        if source.balance < amount:  # checked under the locks: check and move are one step
            raise ValueError(f"not enough money in account {source.number}")
        source.balance -= amount
        target.balance += amount
