"""Every runnable example in the lessons runs in the sandbox, under every learner interpreter,
within the limits of a plain run, and ends well."""

from __future__ import annotations

import threading

import pytest

from app import ROOT
from app.content.course import load_course
from app.interpreters import Interpreter
from app.sandbox.execution import Job, Sandbox
from app.settings import Settings

COURSE = load_course(ROOT / "lessons", ROOT / "exercises")
EXAMPLES = [
    (lesson.id, n, block.source)
    for lesson in sorted(COURSE.lessons.values(), key=lambda lesson: lesson.roadmap)
    for n, block in enumerate(b for b in lesson.body.code_blocks if b.runnable)
]
INTERPRETERS = ("3.13", "3.13t")


@pytest.mark.parametrize("interpreter", INTERPRETERS)
@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{lesson}-{n}" for lesson, n, _ in EXAMPLES])
def test_the_example_runs_cleanly(
    sandbox: Sandbox,
    interpreters: dict[str, Interpreter],
    example: tuple[str, int, str],
    interpreter: str,
) -> None:
    assert interpreter in interpreters, f"{interpreter} is not installed; run scripts/setup.sh"
    job = Job("run", example[2], interpreters[interpreter], Settings().limits("run"))
    outcome = sandbox.run(job, threading.Event())
    assert outcome.status == "passed", (outcome.reason, outcome.stderr[-2000:])
    assert outcome.stdout.strip(), "a runnable example should print what it shows"
