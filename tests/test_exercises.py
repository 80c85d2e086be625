"""Every exercise's tests tell right from wrong: the reference passes, the starter fails, and
so does each plausible wrong solution kept in its `wrong/` folder. Graded by the same
standard-library harness the runner uses, in a separate interpreter."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import ROOT

HARNESS = ROOT / "app" / "harness" / "grade.py"
EXERCISES = sorted(p for p in (ROOT / "exercises").iterdir() if (p / "exercise.toml").exists())


def grade(tmp_path: Path, exercise: Path, candidate: Path) -> dict:  # type: ignore[type-arg]
    work = tmp_path / candidate.stem
    work.mkdir()
    shutil.copy(candidate, work / "solution.py")
    out = work / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-I",
            str(HARNESS),
            "--solution",
            str(work / "solution.py"),
            "--tests",
            str(exercise / "tests"),
            "--out",
            str(out),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.exists(), completed.stderr
    document: dict = json.loads(out.read_text())  # type: ignore[type-arg]
    assert completed.returncode == (0 if document["status"] == "pass" else 1)
    return document


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda p: p.name)
def test_the_reference_solution_passes_every_test(tmp_path: Path, exercise: Path) -> None:
    document = grade(tmp_path, exercise, exercise / "reference.py")
    failures = [t for t in document["tests"] if t["status"] != "pass"]
    assert document["status"] == "pass", failures
    files = {t["file"] for t in document["tests"]}
    assert files == {"test_visible.py", "test_hidden.py"}
    assert document["tests"][0]["file"] == "test_visible.py"  # visible tests come first


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda p: p.name)
def test_the_starter_fails(tmp_path: Path, exercise: Path) -> None:
    assert grade(tmp_path, exercise, exercise / "starter.py")["status"] != "pass"


WRONG = [(e, w) for e in EXERCISES for w in sorted((e / "wrong").glob("*.py"))]


@pytest.mark.parametrize("exercise, wrong", WRONG, ids=[f"{e.name}/{w.stem}" for e, w in WRONG])
def test_each_wrong_solution_fails(tmp_path: Path, exercise: Path, wrong: Path) -> None:
    document = grade(tmp_path, exercise, wrong)
    assert document["status"] != "pass"
    assert any(t["message"] for t in document["tests"] if t["status"] != "pass")


def test_every_exercise_keeps_at_least_one_wrong_solution() -> None:
    for exercise in EXERCISES:
        assert list((exercise / "wrong").glob("*.py")), f"{exercise.name} has no wrong/ solution"


def test_a_solution_that_does_not_import_is_an_error_with_its_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def fetch_all(:\n")
    document = grade(tmp_path, EXERCISES[0], broken)
    assert document["status"] == "error"
    assert document["message"].startswith("solution.py: ")
    assert "SyntaxError" in document["message"]
