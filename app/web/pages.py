"""The roadmap (home), the shortcuts page, and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.content.course import Course
from app.content.markdown import pygments_css
from app.learners import SessionHold
from app.progress import COMPLETED, standing
from app.web.deps import get_course, get_db, get_hold
from app.web.templating import render

router = APIRouter()
_PYGMENTS_CSS = pygments_css()


@router.get("/", name="home")
def home(
    request: Request,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    progress = standing(db, hold.learner)
    written = [e.lesson for e in course.entries if e.lesson is not None]
    up_next = next((w for w in written if progress.lesson_state(w.id) != COMPLETED), None)
    return render(
        request,
        "home.html",
        {
            "course": course,
            "standing": progress,
            "up_next": up_next,
            "started": bool(progress.lessons),
        },
    )


@router.get("/shortcuts", name="shortcuts")
def shortcuts(request: Request, hold: SessionHold = Depends(get_hold)) -> Response:
    return render(request, "shortcuts.html")


@router.get("/healthz", name="healthz")
def healthz(db: Session = Depends(get_db)) -> JSONResponse:
    db.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})


@router.get("/assets/pygments.css", name="pygments_css")
def highlight_css() -> Response:
    return Response(
        _PYGMENTS_CSS,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=86400"},
    )
