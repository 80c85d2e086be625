class InsufficientFunds(Exception):
    """Raised when a withdrawal would make a balance negative."""


class Ledger:
    """Where every change of balance is written down, in the order it happens."""

    def __init__(self):
        self.entries = []

    def record(self, account_name, change, new_balance):
        self.entries.append((account_name, change, new_balance))


class Account:
    """A bank account. This version is correct with one thread, and races with several."""

    def __init__(self, name, balance=0, ledger=None):
        self.name = name
        self._balance = balance
        self.ledger = ledger if ledger is not None else Ledger()

    @property
    def balance(self):
        return self._balance

    def deposit(self, amount):
        new_balance = self._balance + amount
        self.ledger.record(self.name, amount, new_balance)
        self._balance = new_balance

    def withdraw(self, amount):
        if amount > self._balance:
            raise InsufficientFunds(f"{self.name}: cannot take {amount} from {self._balance}")
        new_balance = self._balance - amount
        self.ledger.record(self.name, -amount, new_balance)
        self._balance = new_balance
