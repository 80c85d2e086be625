"""The content loader and `threadline check`: the real course loads clean, and each kind of
mistake an author can make is reported with its file and line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from app import ROOT
from app.cli import main
from app.content.course import Course, load_course


def test_the_course_loads_without_problems() -> None:
    course = load_course(ROOT / "lessons", ROOT / "exercises")
    assert [str(p) for p in course.problems] == []


def test_the_outline_numbers_every_subsection_of_the_six_sections() -> None:
    course = load_course(ROOT / "lessons", ROOT / "exercises")
    assert [s.title for s in course.sections] == [
        "Concurrency fundamentals",
        "Threading",
        "Multiprocessing",
        "Hybrid and modern approaches",
        "Performance and practice",
        "Projects",
    ]
    numbers = [e.roadmap for e in course.entries]
    assert numbers[0] == "1.1" and numbers[-1] == "6.6"
    assert [len(s.entries) for s in course.sections] == [5, 6, 5, 5, 6, 6]
    assert len(set(numbers)) == len(numbers) == 33


def test_section_one_is_written_in_full_with_its_exercise() -> None:
    course = load_course(ROOT / "lessons", ROOT / "exercises")
    section = course.sections[0]
    assert all(entry.lesson is not None for entry in section.entries)
    assert "overlap-waits" in course.exercises
    for lesson in course.lessons.values():
        runnable = [b for b in lesson.body.code_blocks if b.runnable]
        assert runnable, f"{lesson.id} has no runnable example"


def test_neighbours_follow_roadmap_order() -> None:
    course = load_course(ROOT / "lessons", ROOT / "exercises")
    first, second = course.sections[0].entries[0].lesson, course.sections[0].entries[1].lesson
    assert first is not None and second is not None
    assert course.neighbours(first.id) == (None, second)
    assert course.neighbours(second.id)[0] == first


# --- Authors' mistakes, each on a copy of section 1 ------------------------------


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Section 1 and its exercise, copied: the tests below add lesson 2.1 to it."""
    (tmp_path / "lessons").mkdir()
    shutil.copy(ROOT / "lessons" / "outline.toml", tmp_path / "lessons")
    shutil.copytree(ROOT / "lessons" / "01-fundamentals", tmp_path / "lessons" / "01-fundamentals")
    shutil.copytree(ROOT / "exercises" / "overlap-waits", tmp_path / "exercises" / "overlap-waits")
    return tmp_path


def load(content: Path) -> Course:
    return load_course(content / "lessons", content / "exercises")


def problems(content: Path) -> list[str]:
    return [f"{p.path.relative_to(content)}:{p.line}: {p.message}" for p in load(content).problems]


def write_lesson(content: Path, relative: str, text: str) -> Path:
    path = content / "lessons" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


LESSON_2_1 = """
    ---
    id: thread-basics
    roadmap: "2.1"
    title: Thread basics
    summary: Starting and joining threads.
    exercises: []
    ---
    ## Starting a thread

    ```python
    import threading
    threading.Thread(target=print).start()
    ```
"""


def test_a_well_formed_new_lesson_is_accepted(content: Path) -> None:
    write_lesson(content, "02-threading/01-thread-basics.md", LESSON_2_1)
    course = load(content)
    assert course.problems == []
    assert course.sections[1].entries[0].lesson is not None


def test_front_matter_that_is_not_yaml_is_reported_at_its_line(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace("summary: Starting", "summary: [Starting"),
    )
    found = problems(content)
    assert len(found) == 1
    assert found[0].startswith("lessons/02-threading/01-thread-basics.md:")
    assert "not valid YAML" in found[0]


def test_a_missing_front_matter_key_is_named(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace("    summary: Starting and joining threads.\n", ""),
    )
    assert problems(content) == [
        "lessons/02-threading/01-thread-basics.md:1: front matter lacks 'summary'"
    ]


def test_an_unknown_front_matter_key_is_reported_at_its_line(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace("exercises: []", "exercises: []\n    author: me"),
    )
    assert problems(content) == [
        "lessons/02-threading/01-thread-basics.md:7: unknown front matter key 'author'"
    ]


def test_a_duplicate_lesson_id_is_reported(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace("id: thread-basics", "id: concurrency-vs-parallelism"),
    )
    found = problems(content)
    assert len(found) == 1
    assert "duplicate lesson id 'concurrency-vs-parallelism'" in found[0]
    assert ":2: " in found[0]


def test_a_roadmap_number_outside_the_outline_is_reported(content: Path) -> None:
    write_lesson(
        content, "02-threading/07-extra.md", LESSON_2_1.replace('roadmap: "2.1"', 'roadmap: "2.7"')
    )
    assert problems(content) == [
        "lessons/02-threading/07-extra.md:3: roadmap 2.7 is not in the course outline"
    ]


def test_a_title_that_differs_from_the_outline_is_reported(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace("title: Thread basics", "title: Threads"),
    )
    assert problems(content) == [
        "lessons/02-threading/01-thread-basics.md:4: "
        "title 'Threads' differs from the outline's 'Thread basics'"
    ]


def test_a_lesson_in_the_wrong_section_folder_is_reported(content: Path) -> None:
    write_lesson(content, "03-multiprocessing/01-thread-basics.md", LESSON_2_1)
    found = problems(content)
    assert found == [
        "lessons/03-multiprocessing/01-thread-basics.md:3: "
        "roadmap 2.1 belongs in a folder named 02-<section slug>"
    ]


def test_a_python_block_that_does_not_compile_is_reported_at_its_line(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace(
            "threading.Thread(target=print).start()", "threading.Thread(target=print).start("
        ),
    )
    found = problems(content)
    assert len(found) == 1
    # The fence opens on line 10 of the file; the unclosed call is on line 12.
    assert found[0].startswith("lessons/02-threading/01-thread-basics.md:12: ")
    assert "does not compile" in found[0]


def test_a_reference_to_a_missing_exercise_is_reported(content: Path) -> None:
    write_lesson(
        content,
        "02-threading/01-thread-basics.md",
        LESSON_2_1.replace("exercises: []", "exercises: [no-such-exercise]"),
    )
    assert problems(content) == [
        "lessons/02-threading/01-thread-basics.md:6: exercise 'no-such-exercise' does not exist"
    ]


def test_an_exercise_for_a_missing_lesson_is_reported(content: Path) -> None:
    meta = content / "exercises" / "overlap-waits" / "exercise.toml"
    meta.write_text(
        meta.read_text().replace(
            'lesson = "concurrency-vs-parallelism"', 'lesson = "no-such-lesson"'
        )
    )
    found = problems(content)
    assert any(
        f.startswith("exercises/overlap-waits/exercise.toml:")
        and "lesson 'no-such-lesson' does not exist" in f
        for f in found
    ), found


def test_an_exercise_missing_a_file_or_with_bad_metadata_is_reported(content: Path) -> None:
    folder = content / "exercises" / "overlap-waits"
    (folder / "tests" / "test_hidden.py").unlink()
    meta = folder / "exercise.toml"
    meta.write_text(meta.read_text().replace('difficulty = "easy"', 'difficulty = "trivial"'))
    found = problems(content)
    assert (
        "exercises/overlap-waits/exercise.toml:1: tests/test_hidden.py is missing "
        "from the exercise folder" in found
    )
    assert any("difficulty must be one of easy, medium, hard" in f for f in found), found


def test_an_exercise_file_that_does_not_compile_is_reported(content: Path) -> None:
    (content / "exercises" / "overlap-waits" / "reference.py").write_text("def broken(:\n")
    assert problems(content) == [
        "exercises/overlap-waits/reference.py:1: does not compile: invalid syntax"
    ]


def test_check_command_exits_non_zero_with_the_problem(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "check",
        "--lessons",
        str(content / "lessons"),
        "--exercises",
        str(content / "exercises"),
    ]
    assert main(args) == 0
    assert "content ok: 6 sections, 33 subsections" in capsys.readouterr().out
    write_lesson(
        content, "02-threading/07-extra.md", LESSON_2_1.replace('roadmap: "2.1"', 'roadmap: "9.1"')
    )
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "07-extra.md:3: roadmap 9.1 is not in the course outline" in err
    assert "1 problem(s) found" in err
