"""What a learner has read, completed and passed, and the summaries the pages show."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.content.course import Course, Entry, Section
from app.db.models import ExerciseResult, Learner, LessonProgress, utcnow

NOT_WRITTEN, NOT_STARTED, READ, COMPLETED = "not-written", "not-started", "read", "completed"
STATE_LABELS = {
    NOT_WRITTEN: "Not yet written",
    NOT_STARTED: "Not started",
    READ: "Read",
    COMPLETED: "Completed",
}


@dataclass(frozen=True)
class Standing:
    """A learner's progress, loaded once per page."""

    lessons: dict[str, LessonProgress]
    passed_exercises: frozenset[str]

    def state(self, entry: Entry) -> str:
        if entry.lesson is None:
            return NOT_WRITTEN
        row = self.lessons.get(entry.lesson.id)
        if row is None:
            return NOT_STARTED
        return COMPLETED if row.completed_at is not None else READ

    def lesson_state(self, lesson_id: str) -> str:
        row = self.lessons.get(lesson_id)
        if row is None:
            return NOT_STARTED
        return COMPLETED if row.completed_at is not None else READ


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    subsections: int
    written: int
    read: int  # read or completed
    completed: int
    exercises: int
    exercises_passed: int


def standing(db: Session, learner: Learner) -> Standing:
    lessons = {
        row.lesson_id: row
        for row in db.scalars(select(LessonProgress).where(LessonProgress.learner_id == learner.id))
    }
    passed = frozenset(
        db.scalars(
            select(ExerciseResult.exercise_id).where(
                ExerciseResult.learner_id == learner.id, ExerciseResult.passed_at.is_not(None)
            )
        )
    )
    return Standing(lessons, passed)


def _progress_row(db: Session, learner: Learner, lesson_id: str) -> LessonProgress:
    """The learner's row for a lesson, made if missing. INSERT ... ON CONFLICT DO NOTHING, so
    that two tabs of the same learner opening a lesson at once cannot collide."""
    values = {"learner_id": learner.id, "lesson_id": lesson_id, "read_at": utcnow()}
    if db.get_bind().dialect.name == "sqlite":
        db.execute(sqlite_insert(LessonProgress).values(values).on_conflict_do_nothing())
    else:
        db.execute(postgresql_insert(LessonProgress).values(values).on_conflict_do_nothing())
    row = db.get(LessonProgress, (learner.id, lesson_id))
    assert row is not None
    return row


def mark_read(db: Session, learner: Learner, lesson_id: str) -> None:
    if db.get(LessonProgress, (learner.id, lesson_id)) is None:
        _progress_row(db, learner, lesson_id)
        db.commit()


def set_completed(db: Session, learner: Learner, lesson_id: str, completed: bool) -> None:
    row = _progress_row(db, learner, lesson_id)
    if completed and row.completed_at is None:
        row.completed_at = utcnow()
    elif not completed:
        row.completed_at = None
    db.commit()


def summarise(course: Course, standing: Standing) -> list[SectionSummary]:
    summaries = []
    for section in course.sections:
        lessons = [e.lesson for e in section.entries if e.lesson is not None]
        states = [standing.lesson_state(lesson.id) for lesson in lessons]
        exercise_ids = [
            exercise.id for lesson in lessons for exercise in course.exercises_of(lesson)
        ]
        summaries.append(
            SectionSummary(
                section=section,
                subsections=len(section.entries),
                written=len(lessons),
                read=sum(state in (READ, COMPLETED) for state in states),
                completed=states.count(COMPLETED),
                exercises=len(exercise_ids),
                exercises_passed=sum(i in standing.passed_exercises for i in exercise_ids),
            )
        )
    return summaries
