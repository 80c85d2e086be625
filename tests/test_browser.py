"""What a learner sees and does in a real browser: the real server, Debian's Chromium."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from app.content.course import load_course
from tests.browser import REPOSITORY, ConsoleErrors, launch_chromium, running_server

pytestmark = pytest.mark.browser

SUBSECTIONS_PER_SECTION = (5, 6, 5, 5, 6, 6)
ROADMAP_NUMBERS = [
    f"{section}.{sub}"
    for section, count in enumerate(SUBSECTIONS_PER_SECTION, start=1)
    for sub in range(1, count + 1)
]
COURSE = load_course(REPOSITORY / "lessons", REPOSITORY / "exercises")
WRITTEN = [entry for entry in COURSE.entries if entry.lesson is not None]
WRITTEN_LESSONS = [entry.lesson.id for entry in WRITTEN if entry.lesson is not None]
LESSON_1_1 = "/lessons/concurrency-vs-parallelism"
LESSON_1_2 = "/lessons/cpu-bound-vs-io-bound"
EXERCISE = "/exercises/overlap-waits"
SCREENSHOTS = REPOSITORY / "test-artifacts" / "screenshots"

NewContext = Callable[..., BrowserContext]


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("threadline-data")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[NewContext]:
    """Opens fresh browsers on the site, each a new anonymous learner; closes them afterwards."""
    opened: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


def path_is(path: str) -> re.Pattern[str]:
    return re.compile(rf"^http://[^/]+{re.escape(path)}$")


def roadmap_item(page: Page, number: str) -> Locator:
    return page.locator("li.lesson-item").filter(
        has=page.locator(".roadmap-number", has_text=re.compile(rf"^{re.escape(number)}$"))
    )


def complete_control(page: Page) -> Locator:
    return page.locator("#complete-control")


def expect_totals(page: Page, *, read: int, completed: int) -> None:
    expect(page.locator("dl.totals dt")).to_have_text(
        ["Lessons read", "Lessons completed", "Exercises passed"]
    )
    expect(page.locator("dl.totals dd")).to_have_text(
        [re.compile(rf"^{read}\b"), re.compile(rf"^{completed}\b"), re.compile(r"^0\b")]
    )


def test_home_page_shows_the_whole_roadmap_with_the_written_lessons_linked(page: Page) -> None:
    errors = ConsoleErrors(page)
    page.goto("/")

    expect(page.locator("li.roadmap-section")).to_have_count(len(SUBSECTIONS_PER_SECTION))
    expect(page.locator("li.lesson-item .roadmap-number")).to_have_text(ROADMAP_NUMBERS)

    written = page.locator("li.lesson-item").filter(has=page.locator("a.lesson-link"))
    expect(written.locator(".roadmap-number")).to_have_text([e.roadmap for e in WRITTEN])
    links = written.locator("a.lesson-link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        f"/lessons/{lesson_id}" for lesson_id in WRITTEN_LESSONS
    ]
    expect(written.locator("span.state")).to_have_text(["Not started"] * len(WRITTEN))

    unwritten = page.locator("li.lesson-item").filter(
        has=page.locator("span.lesson-title-unwritten")
    )
    expect(unwritten).to_have_count(len(ROADMAP_NUMBERS) - len(WRITTEN))
    expect(unwritten.locator("span.state.state-not-written")).to_have_text(
        ["Not yet written"] * (len(ROADMAP_NUMBERS) - len(WRITTEN))
    )
    expect(unwritten.locator("a")).to_have_count(0)
    assert errors == []


def test_learner_clicks_into_lesson_1_1_follows_next_and_prev_and_the_roadmap_marks_both_read(
    page: Page,
) -> None:
    page.goto("/")
    page.locator("a.lesson-link", has_text="Concurrency vs parallelism").click()

    expect(page).to_have_url(path_is(LESSON_1_1))
    expect(page.locator("h1#lesson-title")).to_have_text("Concurrency vs parallelism")
    keyword = page.locator("figure.code-block pre.highlight :is(.k, .kn)").first
    expect(keyword).to_be_visible()
    keyword_colour, code_colour = keyword.evaluate(
        "k => [getComputedStyle(k).color, getComputedStyle(k.closest('pre')).color]"
    )
    assert keyword_colour != code_colour, "Pygments' stylesheet does not colour keywords"
    expect(page.locator("h2[id] a.header-anchor").first).to_have_attribute(
        "href", re.compile(r"^#.+")
    )

    page.locator("a[rel=next]").click()
    expect(page).to_have_url(path_is(LESSON_1_2))
    expect(page.locator(".lesson-header .eyebrow")).to_have_text("Lesson 1.2")

    page.locator("a[rel=prev]").click()
    expect(page).to_have_url(path_is(LESSON_1_1))

    page.goto("/")
    expect(roadmap_item(page, "1.1").locator("span.state")).to_have_text("Read")
    expect(roadmap_item(page, "1.2").locator("span.state")).to_have_text("Read")
    expect(roadmap_item(page, "1.3").locator("span.state")).to_have_text("Not started")


def test_marking_a_lesson_complete_updates_the_control_in_place_and_is_remembered(
    page: Page,
) -> None:
    errors = ConsoleErrors(page)
    page.goto(LESSON_1_1)
    page.evaluate("window.stillTheSamePage = true")

    with page.expect_response(re.compile(r"/complete$")) as posted:
        complete_control(page).get_by_role("button", name="Mark as complete", exact=True).click()
    assert posted.value.request.headers.get("hx-request") == "true"
    assert posted.value.status == 200

    expect(complete_control(page)).to_contain_text("You completed this lesson.")
    expect(
        complete_control(page).get_by_role("button", name="Mark as not complete", exact=True)
    ).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True, "the page navigated"

    page.reload()
    expect(complete_control(page)).to_contain_text("You completed this lesson.")
    page.goto("/")
    expect(roadmap_item(page, "1.1").locator("span.state")).to_have_text("Completed")
    expect(roadmap_item(page, "1.1").locator("span.state")).to_have_class(
        re.compile(r"\bstate-completed\b")
    )
    assert errors == []


def test_marking_a_lesson_complete_without_javascript_posts_the_form_and_comes_back(
    new_context: NewContext,
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(LESSON_1_1)

    with page.expect_response(re.compile(r"/complete$")) as posted:
        complete_control(page).get_by_role("button", name="Mark as complete", exact=True).click()
    assert posted.value.request.method == "POST"
    assert posted.value.status == 303
    assert posted.value.headers["location"] == LESSON_1_1

    expect(page).to_have_url(path_is(LESSON_1_1))
    expect(complete_control(page)).to_contain_text("You completed this lesson.")
    expect(
        complete_control(page).get_by_role("button", name="Mark as not complete", exact=True)
    ).to_be_visible()


def test_progress_made_before_signing_up_follows_the_learner_to_another_browser(
    new_context: NewContext,
) -> None:
    name = f"ada-{uuid.uuid4().hex[:8]}"
    password = "a long enough password"

    first = new_context().new_page()
    first.goto(LESSON_1_1)
    complete_control(first).get_by_role("button", name="Mark as complete", exact=True).click()
    expect(complete_control(first)).to_contain_text("You completed this lesson.")
    first.goto(LESSON_1_2)

    first.goto("/signup")
    first.locator("#name").fill(name)
    first.locator("#password").fill(password)
    first.locator("#confirm").fill(password)
    first.get_by_role("button", name="Sign up").click()
    expect(first).to_have_url(path_is("/progress"))
    expect(first.locator(".account-name")).to_have_text(name)
    expect(first.locator("main")).to_contain_text(f"Signed in as {name}")
    expect_totals(first, read=2, completed=1)

    second = new_context().new_page()
    second.goto("/login")
    second.locator("#name").fill(name)
    second.locator("#password").fill(password)
    second.get_by_role("button", name="Log in").click()
    expect(second).to_have_url(path_is("/progress"))
    expect(second.locator(".account-name")).to_have_text(name)
    expect_totals(second, read=2, completed=1)

    for browser_context in (first.context, second.context):
        [session] = [c for c in browser_context.cookies() if c["name"] == "threadline_session"]
        assert session["httpOnly"] is True
        assert session["sameSite"] == "Lax"

    second.locator(".site-header").get_by_role("button", name="Log out").click()
    expect(second).to_have_url(path_is("/"))
    expect(second.locator(".site-header").get_by_role("link", name="Log in")).to_be_visible()
    expect(second.locator(".account-name")).to_have_count(0)
    second.goto("/progress")
    expect_totals(second, read=0, completed=0)


def test_exercise_page_mounts_the_code_editor_and_typing_updates_the_textarea(
    page: Page,
) -> None:
    errors = ConsoleErrors(page)
    starter = (REPOSITORY / "exercises" / "overlap-waits" / "starter.py").read_text()
    page.goto(EXERCISE)

    editor = page.locator(".cm-editor")
    expect(editor).to_be_visible()
    textarea = page.locator("textarea#code")
    expect(textarea).to_be_hidden()
    expect(textarea).to_have_value(starter)
    lines = starter.split("\n")
    expect(editor.locator(".cm-line")).to_have_count(len(lines))
    expect(editor.locator(".cm-line").first).to_have_text(lines[0])
    expect(editor.locator(".cm-lineNumbers .cm-gutterElement").last).to_have_text(str(len(lines)))

    editor.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("# now the waits overlap")
    expect(textarea).to_have_value(starter + "# now the waits overlap")
    expect(page).to_have_url(path_is(EXERCISE))
    assert errors == []


def test_keyboard_shortcuts_move_between_lessons_toggle_complete_and_open_the_shortcuts_page(
    page: Page,
) -> None:
    page.goto(LESSON_1_1)
    page.keyboard.press("n")
    expect(page).to_have_url(path_is(LESSON_1_2))
    page.wait_for_load_state()  # the shortcuts are bound once the new page's script has run
    page.keyboard.press("p")
    expect(page).to_have_url(path_is(LESSON_1_1))
    page.wait_for_load_state()

    page.keyboard.press("c")
    expect(complete_control(page)).to_contain_text("You completed this lesson.")

    page.keyboard.press("?")
    expect(page).to_have_url(path_is("/shortcuts"))
    expect(page.locator("h1")).to_have_text("Keyboard shortcuts")


DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
LOOKS: dict[str, dict[str, Any]] = {
    "desktop-light": {**DESKTOP, "color_scheme": "light"},
    "desktop-dark": {**DESKTOP, "color_scheme": "dark"},
    "phone-light": {**PHONE, "color_scheme": "light"},
    "phone-dark": {**PHONE, "color_scheme": "dark"},
}
PAGES = {"lesson": "/lessons/free-threaded-python", "exercise": EXERCISE, "home": "/"}
PAGES_ON_A_PHONE = ("lesson", "home")


@pytest.mark.parametrize("look", LOOKS)
def test_screenshots_of_the_main_pages_are_saved_as_artifacts(
    new_context: NewContext, look: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options = LOOKS[look]
    page = new_context(**options).new_page()
    # A learner part-way through, so that the roadmap shows every state a lesson can be in.
    page.goto(LESSON_1_1)
    complete_control(page).get_by_role("button", name="Mark as complete", exact=True).click()
    expect(complete_control(page)).to_contain_text("You completed this lesson.")

    on_a_phone = options.get("is_mobile", False)
    saved: list[Path] = []
    for name in PAGES_ON_A_PHONE if on_a_phone else tuple(PAGES):
        response = page.goto(PAGES[name])
        assert response is not None and response.ok, f"{PAGES[name]} answered {response}"
        if name == "exercise":
            expect(page.locator(".cm-editor")).to_be_visible()
        page.evaluate("document.fonts.ready")
        if on_a_phone:
            page_width = page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= options["viewport"]["width"], f"{name} overflows sideways"
        path = SCREENSHOTS / f"{name}-{look}.png"
        page.screenshot(path=path, full_page=True)
        saved.append(path)

    for path in saved:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), path
        assert len(data) > 20_000, f"{path.name} is only {len(data)} bytes"


def test_learner_submits_from_the_editor_and_sees_each_test_pass_then_progress(
    page: Page,
) -> None:
    errors = ConsoleErrors(page)
    reference = (REPOSITORY / "exercises" / "overlap-waits" / "reference.py").read_text()
    page.goto(EXERCISE)
    expect(page.locator(".cm-editor")).to_be_visible()
    page.evaluate(
        "code => ThreadlineEditor.get(document.querySelector('#code')).setValue(code)", reference
    )
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Shift+Enter")  # Submit, from inside the editor
    run = page.locator("#results .run")
    expect(run).to_have_attribute("data-status", "passed", timeout=30_000)
    expect(run.locator(".run-score")).to_have_text("8 of 8 tests passed")
    expect(run.locator(".test-pass")).to_have_count(8)

    page.click('button[value="both"]')  # the same code as a program, under every interpreter
    runs = page.locator("#results .run")
    expect(runs).to_have_count(2)
    expect(page.locator('#results .run[data-status="passed"]')).to_have_count(2, timeout=30_000)
    expect(runs.locator(".run-interpreter")).to_have_text(
        [re.compile(r"^3\.13 · GIL on$"), re.compile(r"^3\.13t · GIL off$")]
    )
    # Each run draws its threads' CPU timeline; run as a program, the module only defines
    # functions, so there is one lane: the main thread.
    timelines = runs.locator(".cpu-timeline[data-drawn]")
    expect(timelines).to_have_count(2)
    assert [t.get_attribute("data-drawn") for t in timelines.all()] == ["1", "1"]

    page.goto("/progress")
    expect(page.locator("dl.totals dd").nth(2)).to_have_text(re.compile(r"^1\b"))
    page.goto(EXERCISE)  # the code last submitted comes back
    expect(page.locator("textarea#code")).to_have_value(reference)
    assert errors == []


def test_a_running_program_draws_its_threads_live_then_the_finished_timeline(
    page: Page,
) -> None:
    errors = ConsoleErrors(page)
    spinners = (
        "import threading, time\n\n"
        "def spin():\n"
        "    end = time.perf_counter() + 1.5\n"
        "    while time.perf_counter() < end:\n"
        "        pass\n\n"
        "threads = [threading.Thread(target=spin) for _ in range(2)]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
    )
    page.goto(EXERCISE)
    expect(page.locator(".cm-editor")).to_be_visible()
    page.evaluate(
        "code => ThreadlineEditor.get(document.querySelector('#code')).setValue(code)", spinners
    )
    page.click('button[value="both"]')
    live = page.locator(
        '#results .run[data-status="running"] .cpu-timeline[data-live][data-samples]'
    )
    expect(live.first).to_be_visible(timeout=30_000)  # drawn from the WebSocket mid-run
    page.screenshot(path=str(SCREENSHOTS / "run-live-timeline.png"), full_page=True)
    expect(page.locator('#results .run[data-status="passed"]')).to_have_count(2, timeout=30_000)
    finished = page.locator("#results .cpu-timeline[data-drawn][data-samples-url]")
    expect(finished).to_have_count(2)
    assert [t.get_attribute("data-drawn") for t in finished.all()] == ["3", "3"]
    # The comparison: one time axis, each wall time, the speedup.
    note = page.locator("#results .compare-note")
    expect(note).to_contain_text(re.compile(r"3\.13 took \d+\.\d\d s"))
    expect(note).to_contain_text(re.compile(r"3\.13t took \d+\.\d\d s"))
    expect(note).to_contain_text(re.compile(r"was \d+\.\d\d\u00d7 as fast as"))
    # Under the GIL one spinner waits for it while the other runs; without it, neither does.
    gil, free = finished.all()
    assert gil.locator("xpath=ancestor::article").get_attribute("data-interpreter") == "3.13"
    assert int(gil.get_attribute("data-gil-ms") or 0) > 300
    assert free.get_attribute("data-gil-ms") == "0"
    page.screenshot(path=str(SCREENSHOTS / "run-compare.png"), full_page=True)
    # Zoom in with the keyboard, pan, then back to the whole run.
    whole = gil.get_attribute("data-view")
    start, end = (float(v) for v in (whole or "").split("-"))
    gil.locator("canvas").focus()
    page.keyboard.press("+")
    page.keyboard.press("+")
    zoomed = [float(v) for v in (gil.get_attribute("data-view") or "").split("-")]
    assert abs((zoomed[1] - zoomed[0]) - (end - start) / 4) < 1, (whole, zoomed)
    page.keyboard.press("ArrowLeft")
    panned = [float(v) for v in (gil.get_attribute("data-view") or "").split("-")]
    assert panned[0] < zoomed[0] and abs((panned[1] - panned[0]) - (zoomed[1] - zoomed[0])) < 1
    gil.screenshot(path=str(SCREENSHOTS / "run-timeline-zoomed.png"))
    page.keyboard.press("0")
    expect(gil).to_have_attribute("data-view", whole or "")
    assert errors == []


def test_an_asyncio_program_shows_a_lane_per_task_under_its_event_loop(page: Page) -> None:
    errors = ConsoleErrors(page)
    program = (
        "import asyncio, time\n\n"
        "async def fetch(n):\n"
        "    for _ in range(3):\n"
        "        await asyncio.sleep(0.05 * n)\n\n"
        "async def crunch():\n"
        "    time.sleep(0.15)  # blocks the event loop\n\n"
        "async def main():\n"
        "    async with asyncio.TaskGroup() as group:\n"
        "        for n in (1, 2, 3):\n"
        "            group.create_task(fetch(n), name=f'fetch-{n}')\n"
        "        group.create_task(crunch(), name='crunch')\n\n"
        "asyncio.run(main())\n"
        "print('done')\n"
    )
    page.goto(EXERCISE)
    expect(page.locator(".cm-editor")).to_be_visible()
    page.evaluate(
        "code => ThreadlineEditor.get(document.querySelector('#code')).setValue(code)", program
    )
    page.click('button[value="run"]')
    run = page.locator("#results .run")
    expect(run).to_have_attribute("data-status", "passed", timeout=30_000)
    figure = run.locator(".cpu-timeline[data-drawn][data-samples-url]")
    expect(figure).to_have_attribute("data-tasks", "5")  # main and the four it made
    page.screenshot(path=str(SCREENSHOTS / "run-asyncio-tasks.png"), full_page=True)
    assert errors == []


def test_a_deadlocked_program_shows_its_waits_and_the_cycle_on_the_timeline(
    page: Page,
) -> None:
    errors = ConsoleErrors(page)
    deadlock = (
        "import threading, time\n"
        "a, b = threading.Lock(), threading.Lock()\n\n"
        "def one():\n"
        "    with a:\n"
        "        time.sleep(0.2)\n"
        "        with b:\n"
        "            pass\n\n"
        "def two():\n"
        "    with b:\n"
        "        time.sleep(0.2)\n"
        "        with a:\n"
        "            pass\n\n"
        "threads = [threading.Thread(target=one, name='one'), "
        "threading.Thread(target=two, name='two')]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
    )
    page.goto(EXERCISE)
    expect(page.locator(".cm-editor")).to_be_visible()
    page.evaluate(
        "code => ThreadlineEditor.get(document.querySelector('#code')).setValue(code)", deadlock
    )
    page.click('button[value="run"]')
    # While it hangs, the live timeline already names the cycle.
    live = page.locator('#results .cpu-timeline[data-live][data-deadlock="2"]')
    expect(live).to_be_visible(timeout=20_000)
    expect(live.locator(".timeline-note")).to_have_text(
        "Deadlock: one waits at main.py:7 for lock b (made at main.py:2), held by two; "
        "two waits at main.py:13 for lock a (made at main.py:2), held by one."
    )
    graph = live.locator("svg.wait-for-graph")  # thread -> lock -> owner, around the cycle
    expect(graph).to_have_attribute(
        "aria-label",
        "Wait-for graph: one \u2192 b @main.py:2 \u2192 two \u2192 a @main.py:2 \u2192 one",
    )
    page.screenshot(path=str(SCREENSHOTS / "run-deadlock-live.png"), full_page=True)
    run = page.locator("#results .run")
    expect(run).to_have_attribute("data-status", "timeout", timeout=30_000)
    finished = run.locator('.cpu-timeline[data-samples-url][data-deadlock="2"]')
    expect(finished).to_be_visible()
    assert int(finished.get_attribute("data-waits") or 0) >= 5  # sleeps, locks, the join
    page.screenshot(path=str(SCREENSHOTS / "run-deadlock.png"), full_page=True)
    run.locator("a.run-link").click()  # the run's own page keeps all of it
    expect(page.locator("h1")).to_contain_text("Run")
    expect(page.locator('.cpu-timeline[data-deadlock="2"]')).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "run-page.png"), full_page=True)
    assert errors == []
