import threading


class Account:
    """A bank account with its own lock (the tests use accounts like this one)."""

    def __init__(self, number, balance):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


def transfer(source, target, amount):
    """Move amount from source to target; raise ValueError if it cannot be done.

    This version takes no locks: two threads can both pass the balance check, and updates
    made at the same time can be lost. Lock both accounts, without deadlocking.
    """
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if source is target:
        raise ValueError("source and target are the same account")
    if source.balance < amount:
        raise ValueError(f"not enough money in account {source.number}")
    source.balance -= amount
    target.balance += amount
