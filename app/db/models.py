"""The tables: learners and their sessions, lesson progress, runs and exercise results.

Lesson and exercise ids are the stable ids of the content files, not foreign keys: content is
data on disk, and progress on a lesson that was renamed or removed is kept, not cascaded away.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Learner(Base):
    """Someone taking the course: anonymous until they sign up with a name and password."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The name as typed, and its case-folded form, which is what must be unique.
    name: Mapped[str | None] = mapped_column(String(40))
    name_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="learner", cascade="all, delete-orphan"
    )

    @property
    def is_anonymous(self) -> bool:
        return self.name is None


class LoginSession(Base):
    """One browser's hold on a learner. The cookie carries the token; only its hash is kept."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    learner: Mapped[Learner] = relationship(back_populates="sessions")


class LessonProgress(Base):
    __tablename__ = "lesson_progress"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Run(Base):
    """One execution of learner code: a plain run, or a graded submission of an exercise.

    The runner fills it in as the run moves from `queued` through `running` to a final status.
    """

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_learner_created", "learner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    exercise_id: Mapped[str | None] = mapped_column(String(100))
    lesson_id: Mapped[str | None] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(10))  # run | grade
    interpreter: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(Text)
    # queued | running | passed | failed | error | timeout | limit | cancelled
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why it ended so, for the learner
    limit_hit: Mapped[str | None] = mapped_column(String(40))  # which limit, e.g. "memory"
    exit_code: Mapped[int | None] = mapped_column(Integer)
    stdout: Mapped[str | None] = mapped_column(Text)
    stderr: Mapped[str | None] = mapped_column(Text)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the grading document
    gil_enabled: Mapped[bool | None] = mapped_column(Boolean)
    isolation: Mapped[str | None] = mapped_column(String(100))  # layers that were in force
    worker: Mapped[str | None] = mapped_column(String(100))  # runner node that held it
    duration_ms: Mapped[float | None] = mapped_column(Float)  # the program's own wall time
    peak_memory: Mapped[int | None] = mapped_column(BigInteger)  # bytes, where cgroups tell
    trace: Mapped[bytes | None] = mapped_column(LargeBinary)  # app.trace.sampler.pack()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExerciseResult(Base):
    """A learner's standing on one exercise: attempts, first pass, and the code they last wrote."""

    __tablename__ = "exercise_results"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    passed_run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    last_code: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
