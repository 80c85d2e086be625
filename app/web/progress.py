"""The learner's progress page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.content.course import Course
from app.learners import SessionHold
from app.progress import standing, summarise
from app.web.deps import get_course, get_db, get_hold
from app.web.templating import render

router = APIRouter()


@router.get("/progress", name="progress")
def progress_page(
    request: Request,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    progress = standing(db, hold.learner)
    summaries = summarise(course, progress)
    totals = {
        "written": sum(s.written for s in summaries),
        "read": sum(s.read for s in summaries),
        "completed": sum(s.completed for s in summaries),
        "exercises": sum(s.exercises for s in summaries),
        "exercises_passed": sum(s.exercises_passed for s in summaries),
    }
    return render(
        request,
        "progress.html",
        {"course": course, "standing": progress, "summaries": summaries, "totals": totals},
    )
