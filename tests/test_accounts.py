"""Learners: anonymous by cookie, sign-up that keeps progress, log-in elsewhere, log-out, and
the bad input that must never corrupt anything: forged cookies, missing CSRF tokens, taken
names, wrong passwords, redirects off the site."""

from __future__ import annotations

import httpx2
from fastapi.testclient import TestClient

from app.web.cookies import COOKIE_NAME
from tests.conftest import csrf_token

LESSON = "/lessons/concurrency-vs-parallelism"


def use_cookie(client: TestClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value)


def complete(client: TestClient, lesson: str = LESSON) -> None:
    token = csrf_token(client.get(lesson).text)
    response = client.post(f"{lesson}/complete", data={"csrf_token": token, "completed": "true"})
    assert response.status_code == 200


def sign_up(client: httpx2.Client, name: str, password: str = "correct horse") -> str:
    token = csrf_token(client.get("/signup").text)
    response = client.post(
        "/signup",
        data={"csrf_token": token, "name": name, "password": password, "confirm": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def log_in(client: httpx2.Client, name: str, password: str = "correct horse") -> int:
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "name": name, "password": password},
        follow_redirects=False,
    )
    return response.status_code


def completed_count(client: TestClient) -> str:
    page = client.get("/progress").text
    start = page.index("<dt>Lessons completed</dt><dd>") + len("<dt>Lessons completed</dt><dd>")
    return page[start:].split(" ", 1)[0]


def test_first_visit_sets_a_signed_httponly_session_cookie(client: TestClient) -> None:
    response = client.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The same browser keeps its learner: no new cookie on the next request.
    assert "set-cookie" not in client.get("/").headers


def test_a_forged_cookie_gives_a_new_anonymous_learner_not_an_error(client: TestClient) -> None:
    complete(client)
    real = client.cookies[COOKIE_NAME]
    for forged in ("garbage", real[:-2] + "xx", "", "a.b.c"):
        use_cookie(client, forged)
        response = client.get("/progress")
        assert response.status_code == 200
        assert "set-cookie" in response.headers
        assert completed_count(client) == "0"
    use_cookie(client, real)
    assert completed_count(client) == "1"


def test_an_expired_cookie_gives_a_new_anonymous_learner(client: TestClient) -> None:
    complete(client)
    client.app.state.signer.max_age_seconds = -1  # type: ignore[attr-defined]
    response = client.get("/progress")
    assert response.status_code == 200
    assert "set-cookie" in response.headers


def test_a_form_without_a_valid_csrf_token_is_refused(client: TestClient) -> None:
    client.get(LESSON)
    for data in ({"completed": "true"}, {"completed": "true", "csrf_token": "0" * 64}):
        response = client.post(f"{LESSON}/complete", data=data)
        assert response.status_code == 403
        assert "Reload the page" in response.text
    response = client.post(
        "/signup", data={"name": "mallory", "password": "x" * 10, "confirm": "x" * 10}
    )
    assert response.status_code == 403
    assert completed_count(client) == "0"


def test_a_csrf_token_from_another_session_is_refused(client: TestClient, tmp_path) -> None:
    other = TestClient(client.app)
    stolen = csrf_token(other.get(LESSON).text)
    client.get(LESSON)
    response = client.post(f"{LESSON}/complete", data={"csrf_token": stolen, "completed": "true"})
    assert response.status_code == 403


def test_sign_up_keeps_the_progress_made_so_far(any_client: TestClient) -> None:
    complete(any_client)
    before = any_client.cookies[COOKIE_NAME]
    assert sign_up(any_client, "ada") == "/progress"
    assert any_client.cookies[COOKIE_NAME] != before  # a new session token on sign-up
    page = any_client.get("/progress").text
    assert "Signed in as <strong>ada</strong>" in page
    assert completed_count(any_client) == "1"


def test_log_in_on_another_browser_shows_the_same_progress(any_client: TestClient) -> None:
    complete(any_client)
    sign_up(any_client, "grace")
    other = TestClient(any_client.app)
    assert completed_count(other) == "0"
    assert log_in(other, "GRACE") == 303  # names are matched without regard to case
    assert completed_count(other) == "1"
    assert "Signed in as <strong>grace</strong>" in other.get("/progress").text


def test_log_in_merges_what_the_browser_did_anonymously(any_client: TestClient) -> None:
    sign_up(any_client, "linus")
    other = TestClient(any_client.app)
    complete(other, "/lessons/cpu-bound-vs-io-bound")
    assert log_in(other, "linus") == 303
    assert completed_count(other) == "1"
    assert completed_count(any_client) == "1"


def test_log_out_ends_the_session_and_the_old_cookie_no_longer_works(client: TestClient) -> None:
    complete(client)
    sign_up(client, "barbara")
    signed_in_cookie = client.cookies[COOKIE_NAME]
    token = csrf_token(client.get("/progress").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert f"{COOKIE_NAME}=" in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    client.cookies.clear()
    assert "Log in" in client.get("/").text
    use_cookie(client, signed_in_cookie)  # replaying the old cookie
    assert completed_count(client) == "0"
    assert "barbara" not in client.get("/progress").text


def test_a_taken_name_is_refused_with_a_clear_message(client: TestClient) -> None:
    sign_up(client, "alan")
    other = TestClient(client.app)
    token = csrf_token(other.get("/signup").text)
    response = other.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Alan",
            "password": "another one",
            "confirm": "another one",
        },
    )
    assert response.status_code == 409
    assert "The name Alan is taken; choose another." in response.text
    assert 'value="Alan"' in response.text  # what was typed is kept
    assert log_in(other, "alan", "another one") == 401


def test_sign_up_rejects_bad_names_and_passwords(client: TestClient) -> None:
    token = csrf_token(client.get("/signup").text)
    cases = [
        ({"name": "a b", "password": "long enough", "confirm": "long enough"}, "A name is 2 to 40"),
        ({"name": "ok-name", "password": "short", "confirm": "short"}, "at least 8 characters"),
        ({"name": "ok-name", "password": "long enough", "confirm": "different!"}, "differ"),
    ]
    for data, message in cases:
        response = client.post("/signup", data={"csrf_token": token, **data})
        assert response.status_code == 400
        assert message in response.text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient,
) -> None:
    sign_up(client, "edsger")
    other = TestClient(client.app)
    assert log_in(other, "edsger", "wrong password") == 401
    assert log_in(other, "nobody-here", "wrong password") == 401
    page = other.get("/login").text
    assert "Log in" in page


def test_redirects_after_sign_up_stay_on_the_site(client: TestClient) -> None:
    token = csrf_token(client.get("/signup").text)
    response = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "ken",
            "password": "long enough",
            "confirm": "long enough",
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/progress"
