"""Sign up, log in and log out. Progress made before signing up is kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.learners import AccountError, NameTaken, SessionHold, log_in, log_out, sign_up
from app.web.deps import csrf_protect, drop_session, get_db, get_hold, give_session
from app.web.templating import render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only paths on this site: an open redirect would let links here send learners anywhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/progress"


@router.get("/signup", name="signup")
def signup_page(
    request: Request, next: str | None = None, hold: SessionHold = Depends(get_hold)
) -> Response:
    return render(request, "signup.html", {"next": safe_next(next), "name": "", "error": None})


@router.post("/signup", dependencies=[Depends(csrf_protect)])
def signup(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
    confirm: Annotated[str, Form(max_length=2048)],
    next: Annotated[str | None, Form()] = None,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
) -> Response:
    try:
        new_hold = sign_up(db, hold, name, password, confirm)
    except AccountError as e:
        status = 409 if isinstance(e, NameTaken) else 400
        return render(
            request,
            "signup.html",
            {"next": safe_next(next), "name": name, "error": str(e)},
            status=status,
        )
    give_session(request, new_hold)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/login", name="login")
def login_page(
    request: Request, next: str | None = None, hold: SessionHold = Depends(get_hold)
) -> Response:
    return render(request, "login.html", {"next": safe_next(next), "name": "", "error": None})


@router.post("/login", dependencies=[Depends(csrf_protect)])
def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
    next: Annotated[str | None, Form()] = None,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
) -> Response:
    try:
        new_hold = log_in(db, hold, name, password)
    except AccountError as e:
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "name": name, "error": str(e)},
            status=401,
        )
    give_session(request, new_hold)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout", dependencies=[Depends(csrf_protect)])
def logout(
    request: Request, hold: SessionHold = Depends(get_hold), db: Session = Depends(get_db)
) -> Response:
    log_out(db, hold)
    drop_session(request)
    return RedirectResponse("/", status_code=303)
