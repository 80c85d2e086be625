"""The embedded runner: a bounded queue of run ids and a pool of worker threads that execute
them in the sandbox, inside the server process. (A broker-backed queue can take its place.)
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from app.content.course import Course
from app.db.models import Learner, Run
from app.interpreters import Interpreter
from app.runner import runs
from app.runner.live import LiveRuns
from app.sandbox.execution import Job, Outcome, Sandbox
from app.settings import Settings

log = logging.getLogger("threadline.runner")

_STOP = ""
SHUTTING_DOWN = "The server is shutting down; please run it again."


class QueueFull(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many runs are waiting")
        self.retry_after = retry_after


@dataclass
class Active:
    cancel: threading.Event
    status: str = "cancelled"
    reason: str = "Cancelled."


class RunPool:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        course: Course,
        interpreters: dict[str, Interpreter],
        sandbox: Sandbox,
    ) -> None:
        self.settings, self.sessions, self.course = settings, sessions, course
        self.interpreters, self.sandbox = interpreters, sandbox
        self.queue: queue.Queue[str] = queue.Queue(maxsize=settings.queue_max)
        self.active: dict[str, Active] = {}
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.name = f"{socket.gethostname()}/embedded"
        self.stopping = False
        self.live = LiveRuns()

    def start(self) -> None:
        for i in range(self.settings.runner_workers):
            thread = threading.Thread(target=self._work, name=f"runner-{i}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking runs, cancel the ones in progress, and wait for the workers."""
        with self.lock:
            self.stopping = True
            for active in self.active.values():
                active.status = "error"
                active.reason = SHUTTING_DOWN
                active.cancel.set()
        for _ in self.threads:
            try:
                self.queue.put(_STOP, timeout=timeout)
            except queue.Full:
                break
        for thread in self.threads:
            thread.join(timeout)
        with self.sessions() as db:
            runs.recover(db)

    def submit(self, run_id: str) -> None:
        try:
            self.queue.put_nowait(run_id)
        except queue.Full:
            wait = self.settings.grade_wall_seconds * self.queue.qsize()
            raise QueueFull(max(1, int(wait / self.settings.runner_workers))) from None

    def cancel(self, run_id: str, reason: str = "Cancelled.") -> None:
        """Stop a running run; a queued one is ended in the database by the caller."""
        with self.lock:
            active = self.active.get(run_id)
            if active is not None:
                active.reason = reason
                active.cancel.set()

    @property
    def depth(self) -> int:
        return self.queue.qsize()

    def _work(self) -> None:
        while True:
            run_id = self.queue.get()
            if run_id == _STOP:
                return
            try:
                self._execute(run_id)
            except Exception:
                log.exception("run %s failed in the runner", run_id)
                with self.sessions() as db:
                    runs.end(db, run_id, "error", "The runner hit an internal error.")
            finally:
                with self.lock:
                    self.active.pop(run_id, None)
                self.announce(run_id)

    def announce(self, run_id: str) -> None:
        """Tell the run's live viewers it is final, as the database now has it."""
        with self.sessions() as db:
            run = db.get(Run, run_id)
            if run is not None and run.status in runs.FINAL:
                self.live.finish(run_id, runs.public(run))

    def _execute(self, run_id: str) -> None:
        active = Active(threading.Event())
        with self.lock:
            stopping = self.stopping
            self.active[run_id] = active
        with self.sessions() as db:
            if stopping:  # still queued when the server began to stop: never started
                runs.end(db, run_id, "error", SHUTTING_DOWN)
                return
            run = runs.start(db, run_id, self.name)
            if run is None:
                return  # cancelled while it waited
            interpreter = self.interpreters.get(run.interpreter)
            if interpreter is None:
                runs.end(db, run_id, "error", f"Interpreter {run.interpreter} is gone.")
                return
            exercise = self.course.exercises.get(run.exercise_id or "")
            overrides = exercise.limits if exercise else {}
            job = Job(
                mode=run.mode,
                code=run.code,
                interpreter=interpreter,
                limits=self.settings.limits(run.mode, overrides),
                tests=(exercise.path / "tests").resolve() if exercise else None,
            )
        feed = self.live.feed(run_id)
        outcome: Outcome = self.sandbox.run(job, active.cancel, feed.publish)
        if outcome.status == "cancelled":
            outcome.status, outcome.reason = active.status, active.reason
        with self.sessions() as db:
            runs.finish(db, run_id, outcome, interpreter.gil_enabled)
        log.info("run %s: %s in %.0f ms", run_id, outcome.status, outcome.duration_ms)


def stop_run(db: Session, pool: RunPool, run_id: str, reason: str = "Cancelled.") -> None:
    """Cancel a run wherever it is: a running one is killed, a queued one is ended here."""
    pool.cancel(run_id, reason)
    if runs.end(db, run_id, "cancelled", reason):
        pool.announce(run_id)


def submit(db: Session, pool: RunPool, learner_id: int, batch: list[runs.Submission]) -> list[str]:
    """Queue a batch of runs for a learner (one, or one per interpreter for a comparison).

    A learner has one batch in flight: a new one cancels what the last one left running.
    Raises QueueFull when the queue has no room for the whole batch.
    """
    if pool.queue.maxsize - pool.depth < len(batch):
        raise QueueFull(max(1, int(pool.settings.grade_wall_seconds)))
    learner = db.get(Learner, learner_id)
    assert learner is not None
    for old in runs.active_of(db, learner):
        stop_run(db, pool, old, "Replaced by a newer run.")
    ids = [runs.create(db, learner, submission).id for submission in batch]
    for run_id in ids:
        try:
            pool.submit(run_id)
        except QueueFull:
            runs.end(db, run_id, "error", "The queue filled up; please try again.")
            raise
    return ids
