"""Exercise pages: instructions, hints, the visible tests, and the code editor."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.content.course import Course
from app.db.models import ExerciseResult
from app.learners import SessionHold
from app.web.deps import get_course, get_db, get_hold
from app.web.templating import render

router = APIRouter()


@router.get("/exercises/{exercise_id}", name="exercise")
def exercise_page(
    request: Request,
    exercise_id: str,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    exercise = course.exercises.get(exercise_id)
    if exercise is None:
        raise HTTPException(status_code=404, detail=f"There is no exercise '{exercise_id}'.")
    result = db.get(ExerciseResult, (hold.learner.id, exercise.id))
    return render(
        request,
        "exercise.html",
        {
            "exercise": exercise,
            "lesson": course.lessons.get(exercise.lesson_id),
            "result": result,
            "code": result.last_code if result and result.last_code else exercise.starter,
            "interpreters": request.app.state.runner.interpreter_list,
            "isolation": request.app.state.isolation,
            "runs_refused": request.app.state.settings.require_sandbox,
        },
    )
