"""Runs over HTTP: the JSON API (`/api/...`) and the htmx endpoints of exercise and lesson
pages. Both submit through `app.runner.pool.submit` and show the same result schema."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.content.course import Course
from app.db.models import Run
from app.interpreters import Interpreter
from app.learners import SessionHold
from app.runner import runs
from app.runner.broker import BrokerDown
from app.runner.pool import QueueFull, Runner, stop_run, submit
from app.sandbox.execution import Isolation
from app.trace.perfetto import chrome_trace
from app.trace.sampler import unpack
from app.web.deps import csrf_protect, get_course, get_db, get_hold
from app.web.templating import render

log = logging.getLogger(__name__)

router = APIRouter()


class RunRequest(BaseModel):
    code: str = Field(description="The learner's Python source.")
    interpreter: str = Field(description="An interpreter id from /api/interpreters.")
    mode: Literal["run", "grade"] = Field("run", description="run it, or grade it")
    exercise: str | None = Field(None, description="The exercise id; required to grade.")


def get_runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def get_interpreters(request: Request) -> dict[str, Interpreter]:
    return get_runner(request).interpreter_list


def owned_run(db: Session, hold: SessionHold, run_id: str) -> Run:
    run = db.get(Run, run_id)
    if run is None or run.learner_id != hold.learner.id:  # others' runs do not exist for you
        raise HTTPException(status_code=404, detail=f"There is no run '{run_id}'.")
    return run


def cancel_owned(request: Request, db: Session, hold: SessionHold, run_id: str) -> Run:
    run = owned_run(db, hold, run_id)
    stop_run(db, get_runner(request), run.id)
    db.refresh(run)
    return run


def queue_runs(
    request: Request, db: Session, hold: SessionHold, batch: list[runs.Submission]
) -> list[str]:
    course: Course = request.app.state.course
    isolation: Isolation | None = request.app.state.isolation
    if isolation and request.app.state.settings.require_sandbox and not isolation.complete:
        raise HTTPException(status_code=503, detail=isolation.refusal())
    interpreters = get_interpreters(request)
    max_bytes = request.app.state.settings.max_code_kib * 1024
    for submission in batch:
        try:
            runs.validate(submission, course, interpreters, max_bytes)
        except runs.RunRefused as e:
            raise HTTPException(status_code=e.status, detail=str(e)) from e
    try:
        return submit(db, get_runner(request), hold.learner.id, batch)
    except QueueFull as e:
        raise HTTPException(
            status_code=429,
            detail="Too many runs are waiting; try again in a few seconds.",
            headers={"Retry-After": str(e.retry_after)},
        ) from e
    except BrokerDown as e:
        log.warning("submission refused, the broker is away: %s", e.detail or "no detail")
        raise HTTPException(status_code=503, detail=str(e), headers={"Retry-After": "5"}) from e


# --- JSON API -----------------------------------------------------------------------------


@router.get("/api/interpreters", tags=["runs"])
def list_interpreters(request: Request) -> dict[str, Any]:
    """The learner interpreters runs can use, the isolation in force, and the runner nodes:
    this server itself, or in a cluster the runner nodes alive now (an interpreter is listed
    while at least one of them offers it)."""
    runner = get_runner(request)
    workers = runner.workers()
    isolations = [w["isolation"] for w in workers]
    layers = [set(i["layers"]) for i in isolations]
    return {
        "interpreters": [i.public() for i in get_interpreters(request).values()],
        "problems": request.app.state.interpreter_problems,
        "isolation": {
            "layers": sorted(set.intersection(*layers)) if layers else [],
            "complete": bool(isolations) and all(i["complete"] for i in isolations),
            "missing": sorted({m for i in isolations for m in i["missing"]}),
            "required": request.app.state.settings.require_sandbox,
        },
        "workers": workers,
    }


@router.post("/api/runs", status_code=202, tags=["runs"], dependencies=[Depends(csrf_protect)])
def create_run(
    request: Request,
    body: RunRequest,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
) -> JSONResponse:
    """Queue code to run or grade; answers at once with the run's id and status."""
    submission = runs.Submission(body.code, body.interpreter, body.mode, body.exercise)
    (run_id,) = queue_runs(request, db, hold, [submission])
    run = db.get(Run, run_id)
    assert run is not None
    return JSONResponse(runs.public(run), status_code=202)


@router.get("/api/runs/{run_id}", tags=["runs"])
def read_run(
    run_id: str, hold: SessionHold = Depends(get_hold), db: Session = Depends(get_db)
) -> dict[str, Any]:
    return runs.public(owned_run(db, hold, run_id))


@router.get("/api/runs/{run_id}/trace.json", tags=["runs"])
def run_trace(
    run_id: str, hold: SessionHold = Depends(get_hold), db: Session = Depends(get_db)
) -> JSONResponse:
    """The run's thread samples in the Chrome Trace Event Format (opens in Perfetto)."""
    run = owned_run(db, hold, run_id)
    if run.trace is None:
        raise HTTPException(status_code=404, detail="This run has no trace (yet).")
    return JSONResponse(
        chrome_trace(unpack(run.trace)),
        headers={"Content-Disposition": f'attachment; filename="run-{run.id}.trace.json"'},
    )


@router.get("/api/runs/{run_id}/samples", tags=["runs"])
def run_samples(
    run_id: str, hold: SessionHold = Depends(get_hold), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """The run's thread samples as recorded: threads, and per interval each thread's share of
    time on a CPU and waiting for one (the page draws its CPU timeline from this)."""
    run = owned_run(db, hold, run_id)
    if run.trace is None:
        raise HTTPException(status_code=404, detail="This run has no trace (yet).")
    return unpack(run.trace)


@router.post("/api/runs/{run_id}/cancel", tags=["runs"], dependencies=[Depends(csrf_protect)])
def cancel_run(
    request: Request,
    run_id: str,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    return runs.public(cancel_owned(request, db, hold, run_id))


# --- htmx ---------------------------------------------------------------------------------


def results_partial(request: Request, db: Session, run_ids: list[str]) -> Response:
    shown = [db.get(Run, run_id) for run_id in run_ids]
    return render(request, "partials/runs.html", {"runs": [r for r in shown if r is not None]})


@router.post(
    "/exercises/{exercise_id}/runs", name="exercise_runs", dependencies=[Depends(csrf_protect)]
)
def exercise_runs(
    request: Request,
    exercise_id: str,
    code: Annotated[str, Form()],
    interpreter: Annotated[str, Form()],
    action: Annotated[Literal["run", "grade", "both"], Form()],
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    if exercise_id not in course.exercises:
        raise HTTPException(status_code=404, detail=f"There is no exercise '{exercise_id}'.")
    code = code.replace("\r\n", "\n")
    if action == "both":
        batch = [runs.Submission(code, i, "run", exercise_id) for i in get_interpreters(request)]
    else:
        batch = [runs.Submission(code, interpreter, action, exercise_id)]
    return results_partial(request, db, queue_runs(request, db, hold, batch))


@router.post(
    "/lessons/{lesson_id}/examples/{number}/runs",
    name="example_runs",
    dependencies=[Depends(csrf_protect)],
)
def example_runs(
    request: Request,
    lesson_id: str,
    number: int,
    interpreter: Annotated[str, Form()],
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    lesson = course.lessons.get(lesson_id)
    examples = [b for b in lesson.body.code_blocks if b.runnable] if lesson else []
    if lesson is None or not 0 <= number < len(examples):
        raise HTTPException(status_code=404, detail="There is no such example.")
    ids = list(get_interpreters(request)) if interpreter == "both" else [interpreter]
    batch = [runs.Submission(examples[number].source, i, "run", None, lesson.id) for i in ids]
    return results_partial(request, db, queue_runs(request, db, hold, batch))


@router.get("/runs/{run_id}", name="run_page")
def run_page(
    request: Request,
    run_id: str,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
    course: Course = Depends(get_course),
) -> Response:
    """A run's own page: its code, result and timeline, for the learner who made it."""
    run = owned_run(db, hold, run_id)
    context = {
        "run": run,
        "exercise": course.exercises.get(run.exercise_id or ""),
        "lesson": course.lessons.get(run.lesson_id or ""),
    }
    return render(request, "run_page.html", context)


@router.get("/runs/{run_id}/result", name="run_result")
def run_result(
    request: Request,
    run_id: str,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
) -> Response:
    run = owned_run(db, hold, run_id)
    return render(request, "partials/run.html", {"run": run})


@router.post("/runs/{run_id}/cancel", name="cancel_run_page", dependencies=[Depends(csrf_protect)])
def cancel_run_page(
    request: Request,
    run_id: str,
    hold: SessionHold = Depends(get_hold),
    db: Session = Depends(get_db),
) -> Response:
    return render(request, "partials/run.html", {"run": cancel_owned(request, db, hold, run_id)})
