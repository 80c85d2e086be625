"""Error pages: a real page for people, JSON for the API, never a bare stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.web.templating import render

log = logging.getLogger("threadline")

TITLES = {
    400: "That request was not understood",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    413: "Too large",
    422: "That request was not understood",
    500: "Something went wrong",
}


FASTAPI_BODY_ERROR = "There was an error parsing the body"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    title = TITLES.get(status, "Something went wrong")
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is nothing at {request.url.path}."
        if message == FASTAPI_BODY_ERROR:  # FastAPI's words for a body it could not decode
            message = "The request body could not be read: send JSON encoded as UTF-8."
        response = error_response(request, exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        message = "Some fields were missing or invalid: " + ", ".join(fields) + "."
        return error_response(request, 422, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "The server hit an error it did not expect. It has been logged."
        )
