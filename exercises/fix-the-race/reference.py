import threading


class InsufficientFunds(Exception):
    """Raised when a withdrawal would make a balance negative."""


class Ledger:
    """Where every change of balance is written down, in the order it happens."""

    def __init__(self):
        self.entries = []

    def record(self, account_name, change, new_balance):
        self.entries.append((account_name, change, new_balance))


class Account:
    """A bank account that several threads can use at once."""

    def __init__(self, name, balance=0, ledger=None):
        self.name = name
        self._balance = balance
        self.ledger = ledger if ledger is not None else Ledger()
        self._lock = threading.Lock()  # one lock per account, guarding its balance

    @property
    def balance(self):
        with self._lock:
            return self._balance

    def deposit(self, amount):
        with self._lock:  # read, record and write as one step
            new_balance = self._balance + amount
            self.ledger.record(self.name, amount, new_balance)
            self._balance = new_balance

    def withdraw(self, amount):
        with self._lock:  # the check belongs in the same step as the update
            if amount > self._balance:
                raise InsufficientFunds(f"{self.name}: cannot take {amount} from {self._balance}")
            new_balance = self._balance - amount
            self.ledger.record(self.name, -amount, new_balance)
            self._balance = new_balance
