"""Further tests: one shared deadline, slow tasks get their time, SIGTERM ignored, close()."""

import multiprocessing
import multiprocessing.process
import signal
import time

from test_visible import call_guarded, hangs, quick, quits


def naps(seconds):
    time.sleep(seconds)


def ignores_sigterm():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # terminate() has no effect on this one
    while True:
        time.sleep(0.05)


def test_all_tasks_share_one_deadline():
    tasks = [(hangs, ()), (hangs, ()), (hangs, ())]
    codes, elapsed = call_guarded(tasks, timeout=0.6)
    assert codes == [-15, -15, -15], f"exit codes {codes!r}, expected [-15, -15, -15]"
    assert elapsed < 1.4, (
        f"three stuck tasks with timeout=0.6 took {elapsed:.2f} s; they share one deadline, so "
        "the call should take a little over 0.6 s, not 0.6 s per task (the test allows 1.4 s). "
        "Give each join() only the time left until the deadline."
    )


def test_slow_tasks_that_finish_in_time_are_not_stopped():
    tasks = [(naps, (0.5,)), (quits, (2,)), (naps, (0.3,))]
    codes, elapsed = call_guarded(tasks, timeout=2.0)
    assert codes == [0, 2, 0], (
        f"exit codes {codes!r}, expected [0, 2, 0]: tasks that finish before the deadline must "
        "be waited for, not terminated"
    )
    assert elapsed < 1.6, f"the call took {elapsed:.2f} s; all tasks were done after about 0.5 s"


def test_a_task_that_ignores_sigterm_is_killed():
    tasks = [(ignores_sigterm, ()), (quick, ())]
    codes, elapsed = call_guarded(tasks, timeout=0.5, grace=0.3)
    assert codes == [-9, 0], (
        f"exit codes {codes!r}, expected [-9, 0]: a process that is still alive `grace` seconds "
        "after terminate() must be stopped with kill() (SIGKILL, signal 9), then joined"
    )
    assert elapsed < 2.5, f"the call took {elapsed:.2f} s with timeout=0.5 and grace=0.3"


def test_every_process_is_closed():
    closed = []
    original_close = multiprocessing.process.BaseProcess.close

    def counting_close(self):
        closed.append(self.name)
        original_close(self)

    multiprocessing.process.BaseProcess.close = counting_close
    try:
        codes, _ = call_guarded([(quick, ()), (naps, (0.1,)), (quits, (5,))], timeout=1.0)
    finally:
        multiprocessing.process.BaseProcess.close = original_close
    assert codes == [0, 0, 5], f"exit codes {codes!r}, expected [0, 0, 5]"
    assert len(closed) == 3, (
        f"close() was called on {len(closed)} of the 3 Process objects; call it on each one "
        "once it has exited, to release its resources"
    )
