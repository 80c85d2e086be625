"""Learners and their sessions: anonymous on the first visit, named after sign-up.

A browser holds a session token; the database keeps its hash and the learner it belongs to.
Signing up names the anonymous learner in place, so nothing done so far is lost; logging in
from a browser whose anonymous learner has progress merges that progress into the account.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import ExerciseResult, Learner, LessonProgress, LoginSession, Run, utcnow
from app.security import (
    check_password_against_nothing,
    hash_password,
    new_session_token,
    token_hash,
    verify_password,
)

NAME = re.compile(r"^[\w.-]{2,40}$")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
# Touching last_seen on every request would turn each page view into a write.
SEEN_EVERY = timedelta(minutes=10)


class AccountError(ValueError):
    """A sign-up or log-in the learner can correct; the message says how."""


class NameTaken(AccountError):
    """The name asked for at sign-up belongs to another account."""


@dataclass(frozen=True)
class SessionHold:
    learner: Learner
    token_hash: str
    new_token: str | None = None  # set when the browser must be given a new cookie


def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def start_session(db: Session, learner: Learner) -> SessionHold:
    token = new_session_token()
    hashed = token_hash(token)
    db.add(LoginSession(token_hash=hashed, learner=learner))
    return SessionHold(learner, hashed, token)


def new_anonymous(db: Session) -> SessionHold:
    learner = Learner()
    db.add(learner)
    hold = start_session(db, learner)
    db.commit()
    return hold


def resume(db: Session, token: str | None, max_age: timedelta) -> SessionHold | None:
    """The learner holding this session token, or None if the session is gone or too old."""
    if not token:
        return None
    hashed = token_hash(token)
    row = db.get(LoginSession, hashed)
    if row is None:
        return None
    now = utcnow()
    if _aware(row.created_at) < now - max_age:
        db.delete(row)
        db.commit()
        return None
    if _aware(row.last_seen_at) < now - SEEN_EVERY:
        row.last_seen_at = now
        row.learner.last_seen_at = now
        db.commit()
    return SessionHold(row.learner, hashed)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for what was stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def validate_new_account(name: str, password: str, confirm: str) -> str:
    name = unicodedata.normalize("NFKC", name.strip())
    if not NAME.match(name):
        raise AccountError(
            "A name is 2 to 40 letters, digits, dots, dashes or underscores, with no spaces."
        )
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"The password needs at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"The password may have at most {PASSWORD_MAX} characters.")
    if password != confirm:
        raise AccountError("The two passwords differ.")
    return name


def sign_up(db: Session, hold: SessionHold, name: str, password: str, confirm: str) -> SessionHold:
    """Name the current anonymous learner; their progress stays theirs."""
    learner = hold.learner
    if not learner.is_anonymous:
        raise AccountError(f"You are signed in as {learner.name}; log out to make a new account.")
    name = validate_new_account(name, password, confirm)
    key = name_key(name)
    if db.scalar(select(Learner.id).where(Learner.name_key == key)) is not None:
        raise NameTaken(f"The name {name} is taken; choose another.")
    learner.name, learner.name_key = name, key
    learner.password_hash = hash_password(password)
    # A new token on every change of identity, so a token seen before sign-up is worthless.
    end_session(db, hold)
    new_hold = start_session(db, learner)
    try:
        db.commit()
    except IntegrityError as e:  # the same name signed up a moment ago by someone else
        db.rollback()
        raise NameTaken(f"The name {name} is taken; choose another.") from e
    return new_hold


def log_in(db: Session, hold: SessionHold, name: str, password: str) -> SessionHold:
    account = db.scalar(select(Learner).where(Learner.name_key == name_key(name.strip())))
    if account is None or account.password_hash is None:
        check_password_against_nothing(password)
        raise AccountError("That name and password do not match an account.")
    if not verify_password(account.password_hash, password):
        raise AccountError("That name and password do not match an account.")
    current = hold.learner
    end_session(db, hold)
    if current.id != account.id and current.is_anonymous:
        merge_progress(db, source=current, target=account)
        db.delete(current)
    new_hold = start_session(db, account)
    db.commit()
    return new_hold


def end_session(db: Session, hold: SessionHold) -> None:
    row = db.get(LoginSession, hold.token_hash)
    if row is not None:
        db.delete(row)


def log_out(db: Session, hold: SessionHold) -> None:
    end_session(db, hold)
    db.commit()


def merge_progress(db: Session, source: Learner, target: Learner) -> None:
    """Move what an anonymous learner did into an account, keeping the earliest dates."""
    theirs = {
        p.lesson_id: p
        for p in db.scalars(select(LessonProgress).where(LessonProgress.learner_id == target.id))
    }
    for mine in db.scalars(select(LessonProgress).where(LessonProgress.learner_id == source.id)):
        kept = theirs.get(mine.lesson_id)
        if kept is None:
            db.add(
                LessonProgress(
                    learner_id=target.id,
                    lesson_id=mine.lesson_id,
                    read_at=mine.read_at,
                    completed_at=mine.completed_at,
                )
            )
        else:
            kept.read_at = min(_aware(kept.read_at), _aware(mine.read_at))
            kept.completed_at = _earliest(kept.completed_at, mine.completed_at)
    db.execute(update(Run).where(Run.learner_id == source.id).values(learner_id=target.id))
    results = {
        r.exercise_id: r
        for r in db.scalars(select(ExerciseResult).where(ExerciseResult.learner_id == target.id))
    }
    for mine_result in db.scalars(
        select(ExerciseResult).where(ExerciseResult.learner_id == source.id)
    ):
        kept_result = results.get(mine_result.exercise_id)
        if kept_result is None:
            db.add(
                ExerciseResult(
                    learner_id=target.id,
                    exercise_id=mine_result.exercise_id,
                    attempts=mine_result.attempts,
                    passed_at=mine_result.passed_at,
                    passed_run_id=mine_result.passed_run_id,
                    last_code=mine_result.last_code,
                    updated_at=mine_result.updated_at,
                )
            )
            continue
        kept_result.attempts += mine_result.attempts
        if mine_result.passed_at is not None and (
            kept_result.passed_at is None
            or _aware(mine_result.passed_at) < _aware(kept_result.passed_at)
        ):
            kept_result.passed_at = mine_result.passed_at
            kept_result.passed_run_id = mine_result.passed_run_id
        if _aware(mine_result.updated_at) > _aware(kept_result.updated_at):
            kept_result.last_code = mine_result.last_code
            kept_result.updated_at = mine_result.updated_at
    db.flush()


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return min(_aware(a), _aware(b))
