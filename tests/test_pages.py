"""Pages through real HTTP requests against the app on SQLite."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app import ROOT
from app.content.course import load_course
from tests.conftest import csrf_token

LESSON = "/lessons/concurrency-vs-parallelism"


def test_home_lists_every_subsection_with_its_number_and_state(client: TestClient) -> None:
    page = client.get("/").text
    numbers = re.findall(r'<span class="roadmap-number">(\d\.\d)</span>', page)
    assert len(numbers) == 33
    assert numbers[:5] == ["1.1", "1.2", "1.3", "1.4", "1.5"] and numbers[-1] == "6.6"
    course = load_course(ROOT / "lessons", ROOT / "exercises")
    written = sum(entry.lesson is not None for entry in course.entries)
    assert written >= 5  # section 1 at least
    assert page.count('class="state state-not-started"') == written
    assert page.count('class="state state-not-written"') == 33 - written
    assert page.count("Not yet written") == 33 - written


def test_a_lesson_page_renders_markdown_highlighting_anchors_and_navigation(
    client: TestClient,
) -> None:
    page = client.get(LESSON).text
    assert '<h1 id="lesson-title">Concurrency vs parallelism</h1>' in page
    assert re.search(r'<h2 id="[a-z0-9-]+">.*<a class="header-anchor" href="#', page)
    assert '<pre class="highlight"><code><span class="' in page  # Pygments spans
    assert 'rel="next" href="/lessons/cpu-bound-vs-io-bound"' in page
    assert 'rel="prev"' not in page  # the first lesson has none
    assert 'href="/exercises/overlap-waits"' in page
    assert "Mark as complete" in page


def test_opening_a_lesson_marks_it_read_on_the_roadmap(client: TestClient) -> None:
    client.get(LESSON)
    page = client.get("/").text
    assert page.count('class="state state-read"') == 1


def test_mark_complete_without_javascript_redirects_back(client: TestClient) -> None:
    token = csrf_token(client.get(LESSON).text)
    response = client.post(
        f"{LESSON}/complete",
        data={"csrf_token": token, "completed": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == LESSON
    assert "You completed this lesson." in client.get(LESSON).text
    assert client.get("/").text.count('class="state state-completed"') == 1


def test_mark_complete_with_htmx_returns_the_control_alone(client: TestClient) -> None:
    token = csrf_token(client.get(LESSON).text)
    response = client.post(
        f"{LESSON}/complete",
        data={"completed": "true"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="complete-control"')
    assert "<html" not in response.text
    assert "Mark as not complete" in response.text
    undone = client.post(
        f"{LESSON}/complete",
        data={"completed": "false"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "Mark as complete" in undone.text
    assert client.get("/").text.count('class="state state-read"') == 1


def test_the_exercise_page_has_instructions_hints_and_the_starter_in_an_editor(
    client: TestClient,
) -> None:
    page = client.get("/exercises/overlap-waits").text
    starter = (ROOT / "exercises/overlap-waits/starter.py").read_text()
    assert '<textarea id="code" name="code" data-editor="python"' in page
    first_line = starter.splitlines()[0]
    assert first_line.replace('"', "&#34;").replace("'", "&#39;") in page
    assert page.count('<details class="hint">') >= 2
    assert "vendor/codemirror.min.js" in page
    assert 'id="results"' in page


def test_unknown_lessons_exercises_and_paths_get_a_real_404_page(client: TestClient) -> None:
    for path in ("/lessons/no-such-lesson", "/exercises/no-such-exercise", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Page not found" in response.text
        assert 'href="/"' in response.text


def test_posting_to_an_unknown_lesson_is_a_404_not_a_new_row(client: TestClient) -> None:
    token = csrf_token(client.get(LESSON).text)
    response = client.post(
        "/lessons/no-such-lesson/complete", data={"csrf_token": token, "completed": "true"}
    )
    assert response.status_code == 404
    progress = client.get("/progress").text
    assert "<dt>Lessons read</dt><dd>1 <span>" in progress  # the lesson opened above
    assert "<dt>Lessons completed</dt><dd>0 <span>" in progress


def test_a_malformed_form_is_a_clear_422_page(client: TestClient) -> None:
    token = csrf_token(client.get(LESSON).text)
    response = client.post(f"{LESSON}/complete", data={"csrf_token": token, "completed": "perhaps"})
    assert response.status_code == 422
    assert "completed" in response.text


def test_health_check_and_static_assets(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    for asset in (
        "vendor/htmx.min.js",
        "vendor/codemirror.min.js",
        "css/threadline.css",
        "js/app.js",
    ):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset
    css = client.get("/assets/pygments.css")
    assert "prefers-color-scheme: dark" in css.text


def test_the_shortcuts_page_lists_the_keys_the_script_binds(client: TestClient) -> None:
    page = client.get("/shortcuts").text
    assert "<kbd>?</kbd>" in page and "<kbd>n</kbd>" in page
    shortcut_map = re.search(
        r'<script type="application/json" id="shortcut-map">(.*?)</script>', page
    )
    assert shortcut_map and '"n": "a[rel=\\"next\\"]"' in shortcut_map.group(1)


def test_an_oversized_body_is_refused_with_413_and_the_server_keeps_serving(
    client: TestClient,
) -> None:
    token = csrf_token(client.get(LESSON).text)
    huge = "x" * (1024 * 1024 + 1)
    response = client.post(
        f"{LESSON}/complete", data={"csrf_token": token, "completed": "true", "pad": huge}
    )
    assert response.status_code == 413
    assert "larger than the limit of 1024 KiB" in response.text
    assert client.get("/healthz").status_code == 200
    assert "<dt>Lessons completed</dt><dd>0 <span>" in client.get("/progress").text
