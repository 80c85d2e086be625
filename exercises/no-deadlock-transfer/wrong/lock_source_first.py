# Wrong: the locks are taken in argument order, source first. A transfer from A to B and one
# from B to A started together each hold their first lock and wait forever for the other's.
def transfer(source, target, amount):
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if source is target:
        raise ValueError("source and target are the same account")
    with source.lock, target.lock:
        if source.balance < amount:
            raise ValueError(f"not enough money in account {source.number}")
        source.balance -= amount
        target.balance += amount
