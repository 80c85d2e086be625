"""Tests you can see: one thread, deposits from many threads, withdrawals that must not overdraw.

The ledger used here lets other threads run in the middle of every record() call, as writing to
a file or a database would. A race is then not a rare accident: it happens nearly every time.
"""

import threading
import time

from solution import Account, InsufficientFunds


class YieldingLedger:
    """A ledger whose record() gives other threads a chance to run before and after writing."""

    def __init__(self):
        self.entries = []

    def record(self, account_name, change, new_balance):
        time.sleep(0)
        self.entries.append((account_name, change, new_balance))
        time.sleep(0)


def run_together(functions, seconds=2.0):
    """Run each function in its own thread, all released at the same moment.

    Returns the exceptions they raised. Fails if they have not all finished after `seconds`.
    """
    start = threading.Barrier(len(functions))
    errors = []

    def wrap(function):
        def run():
            start.wait()
            try:
                function()
            except Exception as error:
                errors.append(error)

        return run

    threads = [threading.Thread(target=wrap(function), daemon=True) for function in functions]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, (
        f"{stuck} of {len(threads)} threads were still running after {seconds} s: "
        "is a thread waiting for a lock that is never released (a deadlock)?"
    )
    return errors


def test_one_thread():
    ledger = YieldingLedger()
    account = Account("alice", 50, ledger)
    account.deposit(20)
    assert account.balance == 70, f"50 + 20 gave a balance of {account.balance}"
    account.withdraw(30)
    assert account.balance == 40, f"70 - 30 gave a balance of {account.balance}"
    try:
        account.withdraw(100)
    except InsufficientFunds:
        pass
    else:
        raise AssertionError("withdrawing 100 from 40 must raise InsufficientFunds")
    assert account.balance == 40, f"a refused withdrawal changed the balance to {account.balance}"
    assert ledger.entries == [("alice", 20, 70), ("alice", -30, 40)], (
        f"ledger entries: {ledger.entries!r}"
    )


def test_deposits_from_many_threads_are_not_lost():
    for attempt in range(5):
        account = Account("shared", 0, YieldingLedger())

        def deposit_25_times():
            for _ in range(25):
                account.deposit(1)

        errors = run_together([deposit_25_times] * 8)
        assert not errors, f"deposits raised {errors!r}"
        assert account.balance == 200, (
            f"attempt {attempt + 1}: 8 threads deposited 1 25 times each, but the balance is "
            f"{account.balance}, not 200. Updates were lost: two threads read the same old "
            "balance and both wrote old + 1. Read, record and write under one lock."
        )


def test_withdrawals_from_many_threads_never_overdraw():
    for attempt in range(10):
        account = Account("shared", 100, YieldingLedger())
        errors = run_together([lambda: account.withdraw(30)] * 8)
        unexpected = [e for e in errors if not isinstance(e, InsufficientFunds)]
        assert not unexpected, f"withdraw raised {unexpected!r}"
        succeeded = 8 - len(errors)
        assert account.balance >= 0, (
            f"attempt {attempt + 1}: 8 threads each withdrew 30 from 100, and the balance is now "
            f"{account.balance}. Several threads passed the funds check before any of them had "
            "withdrawn: the check and the withdrawal must happen under the same lock."
        )
        assert (succeeded, account.balance) == (3, 10), (
            f"attempt {attempt + 1}: {succeeded} withdrawals of 30 from 100 succeeded and the "
            f"balance is {account.balance}; exactly 3 should succeed, leaving 10"
        )
