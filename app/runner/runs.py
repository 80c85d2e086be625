"""Runs as rows: created queued, taken by a worker, finished with an outcome. The web tier and
the workers meet only here and in the queue, so that either side can move to another machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.content.course import Course
from app.db.models import ExerciseResult, Learner, Run, utcnow
from app.interpreters import Interpreter
from app.sandbox.execution import Outcome
from app.trace.sampler import pack

ACTIVE = ("queued", "running")
FINAL = ("passed", "failed", "error", "timeout", "limit", "cancelled")
MODES = ("run", "grade")


class RunRefused(ValueError):
    """A submission that cannot become a run; the message says why, the status how."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Submission:
    code: str
    interpreter: str
    mode: str
    exercise: str | None = None
    lesson: str | None = None


def validate(
    submission: Submission,
    course: Course,
    interpreters: dict[str, Interpreter],
    max_code_bytes: int,
) -> None:
    if submission.mode not in MODES:
        raise RunRefused(f"mode must be one of {', '.join(MODES)}, not {submission.mode!r}")
    size = len(submission.code.encode("utf-8", "surrogatepass"))
    if size > max_code_bytes:
        raise RunRefused(
            f"the code is {size // 1024} KiB; the limit is {max_code_bytes // 1024} KiB", 413
        )
    if "\x00" in submission.code:
        raise RunRefused("the code contains a NUL character")
    try:
        submission.code.encode("utf-8")
    except UnicodeEncodeError as e:
        raise RunRefused("the code is not valid UTF-8 text") from e
    if submission.interpreter not in interpreters:
        known = ", ".join(sorted(interpreters)) or "none are installed"
        raise RunRefused(f"unknown interpreter {submission.interpreter!r}; available: {known}")
    if submission.exercise is not None and submission.exercise not in course.exercises:
        raise RunRefused(f"unknown exercise {submission.exercise!r}", 404)
    if submission.mode == "grade" and submission.exercise is None:
        raise RunRefused("grading needs an exercise")


def create(db: Session, learner: Learner, submission: Submission, commit: bool = True) -> Run:
    run = Run(
        learner_id=learner.id,
        exercise_id=submission.exercise,
        lesson_id=submission.lesson,
        mode=submission.mode,
        interpreter=submission.interpreter,
        code=submission.code,
        status="queued",
    )
    db.add(run)
    if submission.exercise is not None:
        result = _exercise_result(db, learner.id, submission.exercise)
        result.last_code = submission.code
        result.updated_at = utcnow()
        if submission.mode == "grade":
            result.attempts += 1
    if commit:
        db.commit()
    else:
        db.flush()
    return run


def _exercise_result(db: Session, learner_id: int, exercise_id: str) -> ExerciseResult:
    result = db.get(ExerciseResult, (learner_id, exercise_id))
    if result is None:
        result = ExerciseResult(learner_id=learner_id, exercise_id=exercise_id, attempts=0)
        db.add(result)
    return result


def active_of(db: Session, learner: Learner) -> list[str]:
    return list(
        db.scalars(select(Run.id).where(Run.learner_id == learner.id, Run.status.in_(ACTIVE)))
    )


def replace_active(db: Session, learner: Learner, reason: str) -> list[tuple[str, str | None]]:
    """End the learner's queued and running runs as cancelled, in the caller's transaction;
    the (id, worker) of each, for the runner to stop."""
    found = db.execute(
        select(Run.id, Run.worker).where(Run.learner_id == learner.id, Run.status.in_(ACTIVE))
    ).all()
    if found:
        db.execute(
            update(Run)
            .where(Run.id.in_([run_id for run_id, _ in found]), Run.status.in_(ACTIVE))
            .values(status="cancelled", reason=reason, finished_at=utcnow())
        )
    return [(run_id, worker) for run_id, worker in found]


def active(db: Session) -> dict[str, str]:
    """Every run not yet final, by id: its status."""
    found = db.execute(select(Run.id, Run.status).where(Run.status.in_(ACTIVE))).all()
    return {run_id: status for run_id, status in found}


def final_among(db: Session, run_ids: list[str]) -> set[str]:
    """Which of these runs are final."""
    found = db.execute(select(Run.id).where(Run.id.in_(run_ids), Run.status.in_(FINAL)))
    return set(found.scalars())


def requeue(db: Session, run_id: str) -> bool:
    """A running run handed back or taken from a lost node: queued again, to start afresh."""
    requeued = db.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == "running")
        .values(status="queued", started_at=None, worker=None)
    )
    db.commit()
    return bool(requeued.rowcount == 1)  # type: ignore[attr-defined]


def start(db: Session, run_id: str, worker: str) -> Run | None:
    """Claim a queued run for a worker; None if it was cancelled or taken meanwhile."""
    claimed = db.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == "queued")
        .values(status="running", started_at=utcnow(), worker=worker)
    )
    db.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.get(Run, run_id)


def finish(db: Session, run_id: str, outcome: Outcome, gil_enabled: bool | None) -> None:
    run = db.get(Run, run_id)
    if run is None or run.status in FINAL:
        return
    run.status = outcome.status
    run.reason = outcome.reason
    run.limit_hit = outcome.limit_hit
    run.exit_code = outcome.exit_code
    run.stdout = outcome.stdout
    run.stderr = outcome.stderr
    run.results = outcome.results
    run.isolation = outcome.isolation[:100]
    run.gil_enabled = gil_enabled
    run.duration_ms = outcome.duration_ms
    run.peak_memory = outcome.peak_memory
    run.trace = pack(outcome.trace) if outcome.trace is not None else None
    run.finished_at = utcnow()
    if run.mode == "grade" and run.status == "passed" and run.exercise_id is not None:
        result = _exercise_result(db, run.learner_id, run.exercise_id)
        if result.passed_at is None:
            result.passed_at = run.finished_at
            result.passed_run_id = run.id
    db.commit()


def end(db: Session, run_id: str, status: str, reason: str) -> bool:
    """Finish a run that never got an outcome (cancelled in the queue, refused, lost)."""
    ended = db.execute(
        update(Run)
        .where(Run.id == run_id, Run.status.in_(ACTIVE))
        .values(status=status, reason=reason, finished_at=utcnow())
    )
    db.commit()
    return bool(ended.rowcount == 1)  # type: ignore[attr-defined]


def recover(db: Session) -> int:
    """At start: runs a previous server left queued or running can never finish now."""
    ended = db.execute(
        update(Run)
        .where(Run.status.in_(ACTIVE))
        .values(
            status="error",
            reason="The server stopped before this run finished; please run it again.",
            finished_at=utcnow(),
        )
    )
    db.commit()
    return int(ended.rowcount)  # type: ignore[attr-defined]


def _ms(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones: compare them as naive UTC.
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return round((end - start).total_seconds() * 1000, 1)


def public(run: Run) -> dict[str, Any]:
    """The run as the API shows it: the result schema, in one place."""
    tests = (run.results or {}).get("tests", [])
    return {
        "id": run.id,
        "status": run.status,
        "final": run.status in FINAL,
        "mode": run.mode,
        "interpreter": run.interpreter,
        "exercise": run.exercise_id,
        "reason": run.reason,
        "limit": run.limit_hit,
        "exit_code": run.exit_code,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "tests": [
            {k: t.get(k) for k in ("name", "status", "message", "output", "duration_ms")}
            | {"visible": t.get("file") == "test_visible.py"}
            for t in tests
        ],
        "gil_enabled": run.gil_enabled,
        "isolation": run.isolation,
        "created_at": run.created_at.isoformat(),
        "timings": {
            "queued_ms": _ms(run.created_at, run.started_at),
            "run_ms": _ms(run.started_at, run.finished_at),
            "program_ms": run.duration_ms,
        },
        "peak_memory": run.peak_memory,
    }
