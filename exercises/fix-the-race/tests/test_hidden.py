"""Further tests: the ledger agrees with the balance, refusals leave no trace, shared ledgers."""

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


def check_history(entries, name, opening, closing):
    """The entries of one account, in ledger order, must replay from opening to closing."""
    balance = opening
    for position, (account_name, change, new_balance) in enumerate(entries):
        if account_name != name:
            continue
        assert new_balance == balance + change, (
            f"ledger entry {position} of {name!r} says {balance} {change:+} = {new_balance}. The "
            "ledger is out of step with the balance: record each change in the same locked "
            "step that makes it."
        )
        balance = new_balance
    assert balance == closing, f"the ledger of {name!r} ends at {balance}, the balance is {closing}"


def test_ledger_agrees_with_the_balance():
    for attempt in range(5):
        ledger = YieldingLedger()
        account = Account("mixed", 500, ledger)

        def deposit_sevens():
            for _ in range(20):
                account.deposit(7)

        def withdraw_fives():
            for _ in range(20):
                account.withdraw(5)

        errors = run_together([deposit_sevens, withdraw_fives] * 3)
        assert not errors, f"attempt {attempt + 1}: operations raised {errors!r}"
        assert account.balance == 500 + 3 * 20 * 7 - 3 * 20 * 5, (
            f"attempt {attempt + 1}: the balance is {account.balance}, expected 620"
        )
        assert len(ledger.entries) == 120, f"{len(ledger.entries)} ledger entries, expected 120"
        check_history(ledger.entries, "mixed", 500, account.balance)


def test_refused_withdrawals_leave_no_trace():
    for attempt in range(5):
        ledger = YieldingLedger()
        account = Account("thin", 100, ledger)
        errors = run_together([lambda: account.withdraw(30)] * 8)
        refused = [e for e in errors if isinstance(e, InsufficientFunds)]
        assert len(refused) == len(errors) == 5, (
            f"attempt {attempt + 1}: expected 5 withdrawals refused with InsufficientFunds, "
            f"got {errors!r}"
        )
        assert len(ledger.entries) == 3, (
            f"attempt {attempt + 1}: 3 withdrawals succeeded but the ledger has "
            f"{len(ledger.entries)} entries: {ledger.entries!r}. A refused withdrawal must not "
            "be recorded."
        )
        check_history(ledger.entries, "thin", 100, account.balance)


def test_accounts_sharing_one_ledger():
    for attempt in range(5):
        ledger = YieldingLedger()
        accounts = [Account(name, 200, ledger) for name in ("red", "green", "blue")]

        def churn(account):
            def run():
                for _ in range(15):
                    account.deposit(4)
                    account.withdraw(3)

            return run

        errors = run_together([churn(account) for account in accounts for _ in range(2)])
        assert not errors, f"attempt {attempt + 1}: operations raised {errors!r}"
        for account in accounts:
            assert account.balance == 200 + 2 * 15 * (4 - 3), (
                f"attempt {attempt + 1}: {account.name!r} has {account.balance}, expected 230"
            )
            check_history(ledger.entries, account.name, 200, account.balance)


def test_many_small_deposits_and_withdrawals():
    account = Account("busy", 0, YieldingLedger())

    def deposit_then_withdraw():
        for _ in range(30):
            account.deposit(2)
        for _ in range(30):
            account.withdraw(1)

    errors = run_together([deposit_then_withdraw] * 8)
    assert not errors, f"operations raised {errors!r}"
    assert account.balance == 8 * 30, f"the balance is {account.balance}, expected 240"
