"""Every exercise's tests tell right from wrong, graded the way learners are graded: in the
sandbox, under each interpreter the exercise is meant for. The reference passes, the starter
fails, and so does each plausible wrong solution kept in its `wrong/` folder."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app import ROOT
from app.content.course import Exercise, load_course
from app.interpreters import Interpreter
from app.sandbox.execution import Job, Outcome, Sandbox
from app.settings import Settings

COURSE = load_course(ROOT / "lessons", ROOT / "exercises")
EXERCISES = sorted(COURSE.exercises.values(), key=lambda e: e.id)
CASES = [(e, i) for e in EXERCISES for i in e.interpreters]


def grade(
    sandbox: Sandbox,
    interpreters: dict[str, Interpreter],
    exercise: Exercise,
    interpreter: str,
    candidate: Path,
) -> Outcome:
    assert interpreter in interpreters, f"{interpreter} is not installed; run scripts/setup.sh"
    job = Job(
        mode="grade",
        code=candidate.read_text(),
        interpreter=interpreters[interpreter],
        limits=Settings().limits("grade", exercise.limits),
        tests=(exercise.path / "tests").resolve(),
    )
    return sandbox.run(job, threading.Event())


def case_id(case: tuple[Exercise, str]) -> str:
    return f"{case[0].id}-{case[1]}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_the_reference_solution_passes_every_test(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], case: tuple[Exercise, str]
) -> None:
    exercise, interpreter = case
    outcome = grade(sandbox, interpreters, exercise, interpreter, exercise.path / "reference.py")
    assert outcome.results is not None, (outcome.reason, outcome.stderr)
    failures = [t for t in outcome.results["tests"] if t["status"] != "pass"]
    assert outcome.status == "passed", failures or outcome.reason
    files = [t["file"] for t in outcome.results["tests"]]
    assert set(files) == {"test_visible.py", "test_hidden.py"}
    assert files[0] == "test_visible.py"  # the visible tests come first


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_the_starter_fails(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], case: tuple[Exercise, str]
) -> None:
    exercise, interpreter = case
    outcome = grade(sandbox, interpreters, exercise, interpreter, exercise.path / "starter.py")
    assert outcome.status != "passed"


WRONG = [(e, i, w) for e, i in CASES for w in sorted((e.path / "wrong").glob("*.py"))]


@pytest.mark.parametrize("case", WRONG, ids=[f"{e.id}-{i}-{w.stem}" for e, i, w in WRONG])
def test_each_wrong_solution_fails(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], case: tuple[Exercise, str, Path]
) -> None:
    exercise, interpreter, wrong = case
    outcome = grade(sandbox, interpreters, exercise, interpreter, wrong)
    assert outcome.status != "passed", f"{wrong.name} passed"
    assert outcome.reason or outcome.results


def test_every_exercise_keeps_at_least_one_wrong_solution() -> None:
    for exercise in EXERCISES:
        assert list((exercise.path / "wrong").glob("*.py")), f"{exercise.id} has no wrong/"


def test_a_solution_that_does_not_import_is_an_error_with_its_message(
    sandbox: Sandbox, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def fetch_all(:\n")
    outcome = grade(sandbox, interpreters, COURSE.exercises["overlap-waits"], "3.13", broken)
    assert outcome.status == "error"
    assert outcome.reason is not None and outcome.reason.startswith("solution.py: ")
    assert "SyntaxError" in outcome.reason
