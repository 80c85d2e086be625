"""The schema and the progress rules, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from app.db.engine import make_engine, make_sessionmaker
from app.db.migrate import upgrade
from app.db.models import ExerciseResult, Learner, LessonProgress, Run, utcnow
from app.learners import merge_progress
from app.progress import mark_read, set_completed, standing


def migrated(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    upgrade(engine)
    return engine


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    engine = migrated(database_url)
    upgrade(engine)  # a second start changes nothing
    tables = set(inspect(engine).get_table_names())
    assert {
        "learners",
        "sessions",
        "lesson_progress",
        "runs",
        "exercise_results",
        "alembic_version",
    } <= tables
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        )
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = migrated(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_progress_round_trip_and_completion_toggles(database_url: str) -> None:
    engine = migrated(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        learner = Learner()
        db.add(learner)
        db.commit()
        mark_read(db, learner, "a")
        mark_read(db, learner, "a")  # reading twice keeps one row
        set_completed(db, learner, "b", True)  # completing an unread lesson also reads it
        first_completion = db.get(LessonProgress, (learner.id, "b")).completed_at  # type: ignore[union-attr]
        set_completed(db, learner, "b", True)  # completing again keeps the first date
        assert db.get(LessonProgress, (learner.id, "b")).completed_at == first_completion  # type: ignore[union-attr]
        progress = standing(db, learner)
        assert progress.lesson_state("a") == "read"
        assert progress.lesson_state("b") == "completed"
        set_completed(db, learner, "b", False)
        assert standing(db, learner).lesson_state("b") == "read"
        rows = db.scalars(
            select(LessonProgress.lesson_id).where(LessonProgress.learner_id == learner.id)
        ).all()
        assert sorted(rows) == ["a", "b"]
    engine.dispose()


def test_merging_keeps_the_earliest_dates_and_moves_runs(database_url: str) -> None:
    engine = migrated(database_url)
    sessions = make_sessionmaker(engine)
    now = utcnow()
    earlier = now - timedelta(days=3)
    with sessions() as db:
        anonymous, account = Learner(), Learner(name="ada", name_key="ada")
        db.add_all([anonymous, account])
        db.flush()
        db.add_all(
            [
                LessonProgress(
                    learner_id=anonymous.id, lesson_id="a", read_at=earlier, completed_at=earlier
                ),
                LessonProgress(learner_id=anonymous.id, lesson_id="only-anon", read_at=now),
                LessonProgress(learner_id=account.id, lesson_id="a", read_at=now),
                Run(
                    id="run-1",
                    learner_id=anonymous.id,
                    mode="grade",
                    interpreter="3.13",
                    code="pass",
                    status="passed",
                ),
            ]
        )
        db.flush()
        db.add_all(
            [
                ExerciseResult(
                    learner_id=anonymous.id,
                    exercise_id="x",
                    attempts=2,
                    passed_at=earlier,
                    passed_run_id="run-1",
                    last_code="new",
                    updated_at=now,
                ),
                ExerciseResult(
                    learner_id=account.id,
                    exercise_id="x",
                    attempts=1,
                    last_code="old",
                    updated_at=earlier,
                ),
            ]
        )
        db.commit()
        merge_progress(db, source=anonymous, target=account)
        db.delete(anonymous)
        db.commit()

        progress = standing(db, account)
        assert progress.lesson_state("a") == "completed"
        assert progress.lesson_state("only-anon") == "read"
        assert progress.passed_exercises == {"x"}
        row_a = db.get(LessonProgress, (account.id, "a"))
        assert row_a is not None
        assert (
            abs((row_a.read_at.replace(tzinfo=None) - earlier.replace(tzinfo=None)).total_seconds())
            < 1
        )
        result = db.get(ExerciseResult, (account.id, "x"))
        assert result is not None
        assert (result.attempts, result.last_code, result.passed_run_id) == (3, "new", "run-1")
        assert db.get(Run, "run-1").learner_id == account.id  # type: ignore[union-attr]
        # The anonymous learner is gone, and its rows with it.
        assert (
            db.scalars(
                select(LessonProgress).where(LessonProgress.learner_id == anonymous.id)
            ).all()
            == []
        )
    engine.dispose()


def test_the_name_key_is_unique_in_the_database(database_url: str) -> None:
    engine = migrated(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        db.add_all([Learner(name="ada", name_key="ada"), Learner(name="Ada", name_key="ada")])
        with pytest.raises(IntegrityError):
            db.commit()
    engine.dispose()


def test_many_threads_opening_the_same_lesson_at_once_leave_one_row(database_url: str) -> None:
    engine = migrated(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        learner = Learner()
        db.add(learner)
        db.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def open_and_complete() -> None:
        try:
            with sessions() as db:
                me = db.get(Learner, learner.id)
                assert me is not None
                barrier.wait()
                mark_read(db, me, "lesson")
                set_completed(db, me, "lesson", True)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=open_and_complete) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as db:
        rows = db.scalars(select(LessonProgress).where(LessonProgress.learner_id == learner.id))
        assert [(r.lesson_id, r.completed_at is not None) for r in rows] == [("lesson", True)]
    engine.dispose()
