"""Dependencies shared by the handlers: the database session, the learner, CSRF protection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from app.content.course import Course
from app.learners import SessionHold, new_anonymous, resume
from app.security import Signer
from app.settings import Settings
from app.web.cookies import COOKIE_NAME, STATE_KEY


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_course(request: Request) -> Course:
    course: Course = request.app.state.course
    return course


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def signer_of(request: Request) -> Signer:
    signer: Signer = request.app.state.signer
    return signer


def get_hold(request: Request, db: Session = Depends(get_db)) -> SessionHold:
    """The learner this browser is, created on the first visit and after a bad cookie."""
    held: SessionHold | None = getattr(request.state, "hold", None)
    if held is not None:
        return held
    signer = signer_of(request)
    token = signer.token_from_cookie(request.cookies.get(COOKIE_NAME, ""))
    max_age = timedelta(seconds=signer.max_age_seconds)
    hold = resume(db, token, max_age) or new_anonymous(db)
    give_session(request, hold)
    return hold


def give_session(request: Request, hold: SessionHold) -> None:
    """Remember the learner for this request, and send a cookie if the session is new."""
    request.state.hold = hold
    if hold.new_token is not None:
        setattr(request.state, STATE_KEY, signer_of(request).cookie_value(hold.new_token))


def drop_session(request: Request) -> None:
    setattr(request.state, STATE_KEY, "")


async def csrf_protect(request: Request, hold: SessionHold = Depends(get_hold)) -> None:
    """Reject a state-changing request that does not carry this session's CSRF token.

    Forms send it as the field `csrf_token`; htmx sends it as the header `X-CSRF-Token`.
    """
    candidate = request.headers.get("x-csrf-token")
    if candidate is None:
        form = await request.form()
        field = form.get("csrf_token")
        candidate = field if isinstance(field, str) else None
    if not signer_of(request).csrf_valid(hold.token_hash, candidate):
        raise HTTPException(
            status_code=403,
            detail="This form has expired or did not come from this site. "
            "Reload the page and try again.",
        )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
