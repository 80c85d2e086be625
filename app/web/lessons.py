"""Lesson pages and the control that marks a lesson complete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.content.course import Course, Lesson
from app.learners import SessionHold
from app.progress import mark_read, set_completed, standing
from app.web.deps import csrf_protect, get_course, get_db, get_hold, is_htmx
from app.web.templating import render

router = APIRouter()


def find_lesson(course: Course, lesson_id: str) -> Lesson:
    lesson = course.lessons.get(lesson_id)
    if lesson is None:
        raise HTTPException(status_code=404, detail=f"There is no lesson '{lesson_id}'.")
    return lesson


@router.get("/lessons/{lesson_id}", name="lesson")
def lesson_page(
    request: Request,
    lesson_id: str,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    lesson = find_lesson(course, lesson_id)
    mark_read(db, hold.learner, lesson.id)
    progress = standing(db, hold.learner)
    previous, following = course.neighbours(lesson.id)
    return render(
        request,
        "lesson.html",
        {
            "lesson": lesson,
            "section": course.section_of(lesson),
            "previous": previous,
            "following": following,
            "exercises": course.exercises_of(lesson),
            "standing": progress,
            "state": progress.lesson_state(lesson.id),
            "interpreters": request.app.state.runner.interpreter_list,
        },
    )


@router.post(
    "/lessons/{lesson_id}/complete", name="complete_lesson", dependencies=[Depends(csrf_protect)]
)
def complete_lesson(
    request: Request,
    lesson_id: str,
    completed: Annotated[bool, Form()],
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    lesson = find_lesson(course, lesson_id)
    set_completed(db, hold.learner, lesson.id, completed)
    if not is_htmx(request):
        return RedirectResponse(
            request.app.url_path_for("lesson", lesson_id=lesson.id), status_code=303
        )
    state = standing(db, hold.learner).lesson_state(lesson.id)
    return render(request, "partials/complete.html", {"lesson": lesson, "state": state})
