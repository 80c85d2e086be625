"""Writes the session cookie on the way out, when a handler gave the browser a new session.

A pure ASGI middleware rather than a response parameter, so that every response — a page, a
redirect, an htmx partial, an error page — carries the cookie without each handler asking.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "threadline_session"
STATE_KEY = "session_cookie"  # request.state.session_cookie: new value, or "" to remove it


class SessionCookieMiddleware:
    def __init__(self, app: ASGIApp, *, secure: bool, max_age: int) -> None:
        self.app, self.secure, self.max_age = app, secure, max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = state.get(STATE_KEY)
                if value is not None:
                    MutableHeaders(scope=message).append("set-cookie", self.header(value))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def header(self, value: str) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE_NAME] = value
        morsel = cookie[COOKIE_NAME]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        morsel["max-age"] = self.max_age if value else 0
        if self.secure:
            morsel["secure"] = True
        return morsel.OutputString()
