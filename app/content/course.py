"""Loading the course from disk: the outline, the lessons and the exercises.

Loading never raises on bad content: each problem is collected with its file and line, so that
`threadline check` can list them all and the site can still serve what is sound.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.content.markdown import Rendered, render

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROADMAP = re.compile(r"^(\d+)\.(\d+)$")
LESSON_FILE = re.compile(r"^(\d\d)-([a-z0-9-]+)\.md$")
SECTION_DIR = re.compile(r"^(\d\d)-([a-z0-9-]+)$")
DIFFICULTIES = ("easy", "medium", "hard")
INTERPRETERS = ("3.13", "3.13t")
LIMITS = ("wall_seconds", "cpu_seconds", "memory_mib", "tasks", "output_kib", "file_size_mib")
LESSON_KEYS = {"id", "roadmap", "title", "summary", "exercises"}
EXERCISE_KEYS = {"id", "title", "lesson", "difficulty", "interpreters", "hints", "limits"}
EXERCISE_FILES = (
    "instructions.md",
    "starter.py",
    "reference.py",
    "tests/test_visible.py",
    "tests/test_hidden.py",
)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{os.path.relpath(self.path)}:{self.line}: {self.message}"


@dataclass
class Lesson:
    id: str
    roadmap: str
    title: str
    summary: str
    exercise_ids: tuple[str, ...]
    path: Path
    body: Rendered
    body_line: int  # line of the file where the Markdown body starts
    key_lines: dict[str, int]  # front matter key -> its line, for later problems


@dataclass
class Exercise:
    id: str
    title: str
    lesson_id: str
    difficulty: str
    interpreters: tuple[str, ...]
    hints: tuple[str, ...]
    limits: dict[str, float]
    path: Path
    instructions: Rendered
    starter: str
    visible_tests: str
    lesson_line: int  # line of `lesson =` in exercise.toml, for later problems


@dataclass
class Entry:
    """One subsection of the outline, and its lesson once written."""

    roadmap: str
    title: str
    section: int
    lesson: Lesson | None = None


@dataclass
class Section:
    number: int
    slug: str
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Course:
    sections: list[Section]
    lessons: dict[str, Lesson]
    exercises: dict[str, Exercise]
    problems: list[Problem]

    @property
    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """The written lessons just before and after this one, in roadmap order."""
        written = [e.lesson for e in self.entries if e.lesson is not None]
        ids = [lesson.id for lesson in written]
        i = ids.index(lesson_id)
        return (written[i - 1] if i > 0 else None, written[i + 1] if i + 1 < len(written) else None)

    def section_of(self, lesson: Lesson) -> Section:
        number = int(lesson.roadmap.split(".")[0])
        return next(s for s in self.sections if s.number == number)

    def exercises_of(self, lesson: Lesson) -> list[Exercise]:
        return [self.exercises[i] for i in lesson.exercise_ids if i in self.exercises]


def key_line(lines: list[str], key: str, first_line: int) -> int:
    """The file line where `key:` or `key =` is set, or the first line if it is absent."""
    pattern = re.compile(rf"^{re.escape(key)}\s*[:=]")
    for offset, text in enumerate(lines):
        if pattern.match(text):
            return first_line + offset
    return first_line


def load_outline(path: Path, problems: list[Problem]) -> list[Section]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(path, 1, "the course outline is missing"))
        return []
    except tomllib.TOMLDecodeError as e:
        problems.append(Problem(path, _toml_error_line(e), f"invalid TOML: {e}"))
        return []
    sections = []
    for i, raw in enumerate(data.get("section", []), start=1):
        number, slug, title, subsections = (
            raw.get("number"),
            raw.get("slug"),
            raw.get("title"),
            raw.get("subsections"),
        )
        if (
            number != i
            or not isinstance(slug, str)
            or not SLUG.match(slug)
            or not isinstance(title, str)
            or not isinstance(subsections, list)
            or not all(isinstance(s, str) for s in subsections)
        ):
            problems.append(
                Problem(path, 1, f"section {i}: needs number = {i}, a slug, a title, subsections")
            )
            continue
        section = Section(number, slug, title)
        section.entries = [
            Entry(f"{number}.{j}", sub, number) for j, sub in enumerate(subsections, start=1)
        ]
        sections.append(section)
    return sections


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, first line of the body), or None without a front matter block."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return None


def load_lesson(path: Path, entries: dict[str, Entry], problems: list[Problem]) -> Lesson | None:
    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    text = path.read_text(encoding="utf-8")
    parts = split_front_matter(text)
    if parts is None:
        problem(1, "front matter missing: the file must start with a '---' line and close it")
        return None
    front_text, body, body_line = parts
    front_lines = front_text.splitlines()
    try:
        front = yaml.safe_load(front_text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem(line, f"front matter is not valid YAML: {getattr(e, 'problem', e)}")
        return None
    if not isinstance(front, dict):
        problem(2, "front matter must be a mapping of keys to values")
        return None

    def line_of(key: str) -> int:
        return key_line(front_lines, key, 2)

    ok = True
    for key in sorted(LESSON_KEYS - front.keys()):
        problem(1, f"front matter lacks '{key}'")
        ok = False
    for key in sorted(front.keys() - LESSON_KEYS):
        problem(line_of(str(key)), f"unknown front matter key '{key}'")
        ok = False
    if not ok:
        return None

    lesson_id, roadmap, title = front["id"], front["roadmap"], front["title"]
    summary, exercise_ids = front["summary"], front["exercises"]
    if not isinstance(lesson_id, str) or not SLUG.match(lesson_id):
        problem(line_of("id"), f"id {lesson_id!r} must be a slug like 'threads-vs-processes'")
        ok = False
    entry = entries.get(str(roadmap))
    if not isinstance(roadmap, str) or not ROADMAP.match(roadmap):
        problem(line_of("roadmap"), f'roadmap {roadmap!r} must be a quoted number like "2.2"')
        ok = False
    elif entry is None:
        problem(line_of("roadmap"), f"roadmap {roadmap} is not in the course outline")
        ok = False
    else:
        section_dir = SECTION_DIR.match(path.parent.name)
        if section_dir is None or int(section_dir.group(1)) != entry.section:
            problem(
                line_of("roadmap"),
                f"roadmap {roadmap} belongs in a folder named {entry.section:02d}-<section slug>",
            )
            ok = False
        if title != entry.title:
            problem(line_of("title"), f"title {title!r} differs from the outline's {entry.title!r}")
            ok = False
    if not isinstance(summary, str) or not summary.strip():
        problem(line_of("summary"), "summary must be a non-empty string")
        ok = False
    if not isinstance(exercise_ids, list) or not all(isinstance(e, str) for e in exercise_ids):
        problem(line_of("exercises"), "exercises must be a list of exercise ids, [] for none")
        ok = False
    if not LESSON_FILE.match(path.name):
        problem(1, "lesson files are named NN-<slug>.md")
        ok = False
    if not ok:
        return None
    rendered = render(body)
    _compile_blocks(path, rendered, body_line, problems)
    key_lines = {key: line_of(key) for key in LESSON_KEYS}
    return Lesson(
        lesson_id,
        roadmap,
        title,
        summary.strip(),
        tuple(exercise_ids),
        path,
        rendered,
        body_line,
        key_lines,
    )


def _compile_blocks(
    path: Path, rendered: Rendered, first_line: int, problems: list[Problem]
) -> None:
    for block in rendered.code_blocks:
        if block.language not in ("python", "py", "python3"):
            continue
        fence_line = first_line + block.line - 1
        try:
            compile(block.source, f"{path}:{fence_line}", "exec")
        except SyntaxError as e:
            line = fence_line + (e.lineno or 0)
            problems.append(Problem(path, line, f"Python code block does not compile: {e.msg}"))


def _toml_error_line(error: tomllib.TOMLDecodeError) -> int:
    found = re.search(r"line (\d+)", str(error))
    return int(found.group(1)) if found else 1


def _compile_file(path: Path, problems: list[Problem]) -> None:
    try:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    except SyntaxError as e:
        problems.append(Problem(path, e.lineno or 1, f"does not compile: {e.msg}"))


def load_exercise(folder: Path, problems: list[Problem]) -> Exercise | None:
    meta_path = folder / "exercise.toml"

    def problem(line: int, message: str, path: Path = meta_path) -> None:
        problems.append(Problem(path, line, message))

    if not meta_path.exists():
        problem(1, "exercise.toml is missing")
        return None
    meta_text = meta_path.read_text(encoding="utf-8")
    lines = meta_text.splitlines()
    try:
        meta: dict[str, Any] = tomllib.loads(meta_text)
    except tomllib.TOMLDecodeError as e:
        problem(_toml_error_line(e), f"invalid TOML: {e}")
        return None

    def line_of(key: str) -> int:
        return key_line(lines, key, 1)

    ok = True
    for key in sorted(EXERCISE_KEYS - {"limits"} - meta.keys()):
        problem(1, f"exercise.toml lacks '{key}'")
        ok = False
    for key in sorted(meta.keys() - EXERCISE_KEYS):
        problem(line_of(key), f"unknown key '{key}'")
        ok = False
    if not ok:
        return None
    if meta["id"] != folder.name:
        problem(line_of("id"), f"id {meta['id']!r} must equal the folder name {folder.name!r}")
        ok = False
    if not isinstance(meta["title"], str) or not meta["title"].strip():
        problem(line_of("title"), "title must be a non-empty string")
        ok = False
    if meta["difficulty"] not in DIFFICULTIES:
        problem(line_of("difficulty"), f"difficulty must be one of {', '.join(DIFFICULTIES)}")
        ok = False
    interpreters = meta["interpreters"]
    if (
        not isinstance(interpreters, list)
        or not interpreters
        or any(i not in INTERPRETERS for i in interpreters)
    ):
        problem(line_of("interpreters"), f"interpreters must be a list from {INTERPRETERS}")
        ok = False
    hints = meta["hints"]
    if (
        not isinstance(hints, list)
        or not 2 <= len(hints) <= 3
        or not all(isinstance(h, str) and h.strip() for h in hints)
    ):
        problem(line_of("hints"), "hints must be a list of two or three non-empty strings")
        ok = False
    limits = meta.get("limits", {})
    if not isinstance(limits, dict):
        problem(line_of("limits"), "limits must be a table")
        ok = False
        limits = {}
    for name, value in limits.items():
        if name not in LIMITS:
            problem(line_of(name), f"unknown limit '{name}'; known: {', '.join(LIMITS)}")
            ok = False
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problem(line_of(name), f"limit '{name}' must be a positive number")
            ok = False
    for name in EXERCISE_FILES:
        if not (folder / name).is_file():
            problem(1, f"{name} is missing from the exercise folder")
            ok = False
    if not ok:
        return None
    for source in [
        folder / "starter.py",
        folder / "reference.py",
        *sorted((folder / "tests").glob("*.py")),
        *sorted((folder / "wrong").glob("*.py")),
    ]:
        _compile_file(source, problems)
    instructions_path = folder / "instructions.md"
    instructions = render(instructions_path.read_text(encoding="utf-8"))
    _compile_blocks(instructions_path, instructions, 1, problems)
    return Exercise(
        id=meta["id"],
        title=meta["title"].strip(),
        lesson_id=str(meta["lesson"]),
        difficulty=meta["difficulty"],
        interpreters=tuple(interpreters),
        hints=tuple(h.strip() for h in hints),
        limits={k: float(v) for k, v in limits.items()},
        path=folder,
        instructions=instructions,
        starter=(folder / "starter.py").read_text(encoding="utf-8"),
        visible_tests=(folder / "tests" / "test_visible.py").read_text(encoding="utf-8"),
        lesson_line=line_of("lesson"),
    )


def load_course(lessons_dir: Path, exercises_dir: Path) -> Course:
    problems: list[Problem] = []
    sections = load_outline(lessons_dir / "outline.toml", problems)
    entries = {entry.roadmap: entry for section in sections for entry in section.entries}

    lessons: dict[str, Lesson] = {}
    for path in sorted(lessons_dir.glob("*/*.md")):
        lesson = load_lesson(path, entries, problems)
        if lesson is None:
            continue
        if lesson.id in lessons:
            other = lessons[lesson.id].path
            line = lesson.key_lines["id"]
            problems.append(
                Problem(path, line, f"duplicate lesson id '{lesson.id}', also in {other}")
            )
            continue
        entry = entries[lesson.roadmap]
        if entry.lesson is not None:
            problems.append(
                Problem(
                    path, 2, f"roadmap {lesson.roadmap} is already taken by {entry.lesson.path}"
                )
            )
            continue
        entry.lesson = lesson
        lessons[lesson.id] = lesson
    for path in sorted(lessons_dir.glob("*.md")):
        problems.append(Problem(path, 1, "lessons belong in a section folder NN-<section slug>/"))

    exercises: dict[str, Exercise] = {}
    if exercises_dir.is_dir():
        for folder in sorted(p for p in exercises_dir.iterdir() if p.is_dir()):
            exercise = load_exercise(folder, problems)
            if exercise is not None:
                exercises[exercise.id] = exercise

    _check_references(lessons, exercises, problems)
    return Course(sections, lessons, exercises, problems)


def _check_references(
    lessons: dict[str, Lesson], exercises: dict[str, Exercise], problems: list[Problem]
) -> None:
    for lesson in lessons.values():
        for exercise_id in lesson.exercise_ids:
            exercise = exercises.get(exercise_id)
            line = lesson.key_lines["exercises"]
            if exercise is None:
                problems.append(
                    Problem(lesson.path, line, f"exercise '{exercise_id}' does not exist")
                )
            elif exercise.lesson_id != lesson.id:
                problems.append(
                    Problem(
                        lesson.path,
                        line,
                        f"exercise '{exercise_id}' belongs to lesson '{exercise.lesson_id}'",
                    )
                )
    for exercise in exercises.values():
        meta = exercise.path / "exercise.toml"
        line = exercise.lesson_line
        owner = lessons.get(exercise.lesson_id)
        if owner is None:
            problems.append(Problem(meta, line, f"lesson '{exercise.lesson_id}' does not exist"))
        elif exercise.id not in owner.exercise_ids:
            problems.append(Problem(meta, line, f"lesson '{owner.id}' does not list this exercise"))
