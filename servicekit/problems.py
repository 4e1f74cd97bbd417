"""RFC 9457 problem details with a stable machine code and messages in Vietnamese and English."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.errors import DomainError, ErrorCode, Refusal
from servicekit.refusals import HUMAN_TEXT, VALIDATION_FAILED

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:tdkt:problem:"

_GENERIC_HTTP_PROBLEMS = {
    404: ("not-found", "Không có tài nguyên này.", "No such resource."),
    405: ("method-not-allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("payload-too-large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    415: ("unsupported-media-type", "Kiểu dữ liệu không được hỗ trợ.", "Unsupported media type."),
}


HTTP_STATUS: dict[Refusal, int] = {
    Refusal.BAD_REQUEST: 400,
    Refusal.UNAUTHENTICATED: 401,
    Refusal.FORBIDDEN: 403,
    Refusal.NOT_FOUND: 404,
    Refusal.CONFLICT: 409,
    Refusal.GONE: 410,
    Refusal.TOO_LARGE: 413,
    Refusal.UNSUPPORTED: 415,
    Refusal.INVALID: 422,
    Refusal.TOO_MANY: 429,
    Refusal.UNAVAILABLE: 503,
}
"""The one place a kind of refusal becomes an HTTP status."""


class Problem(BaseModel):
    """The body of every error response."""

    type: str = Field(description="URN naming the problem type: urn:tdkt:problem:<code>")
    title: str = Field(description="Short English summary")
    status: int
    code: str = Field(description="Stable machine-readable code")
    message_vi: str = Field(description="Thông báo lỗi bằng tiếng Việt")
    message_en: str = Field(description="Error message in English")
    detail: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="Per-field errors")


class ProblemError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message_vi: str,
        message_en: str,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.headers: dict[str, str] = {}
        self.problem = Problem(
            type=f"{PROBLEM_TYPE_BASE}{code}",
            title=message_en,
            status=status,
            code=code,
            message_vi=message_vi,
            message_en=message_en,
            detail=detail,
            errors=errors,
        )


def problem_of(error: DomainError) -> Problem:
    return Problem(
        type=f"{PROBLEM_TYPE_BASE}{error.code}",
        title=error.message_en,
        status=HTTP_STATUS[error.kind],
        code=error.code,
        message_vi=error.message_vi,
        message_en=error.message_en,
        detail=error.detail,
        errors=error.errors,
    )


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem bodies for ``statuses``."""
    return {status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}


def error_responses(*codes: ErrorCode, also: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the refusals an operation can answer: each status lists
    its codes with their English message (``{…}`` marks the values a message names). Every
    operation can refuse a body or parameters that fail their schema (``validation-failed``);
    ``also`` adds plain statuses without codes."""
    by_status: dict[int, list[ErrorCode]] = {}
    for spec in (*codes, VALIDATION_FAILED):
        listed = by_status.setdefault(HTTP_STATUS[spec.kind], [])
        if spec not in listed:
            listed.append(spec)
    responses = problem_responses(*also)
    for status, specs in sorted(by_status.items()):
        listed_codes = "\n".join(f"- `{spec.code}`: {spec.message_en}" for spec in specs)
        responses[status] = {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": f"Problem details (`application/problem+json`) whose `code` is one of:\n\n{listed_codes}",
        }
    return responses


_TEXT_CODES = {spec.code: spec for spec in HUMAN_TEXT}


def field_name(loc: list[Any]) -> str:
    """``["body", "entries", 0, "full_name"]`` as people read it: ``entries[0].full_name``."""
    named = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "form") else loc:
        named += f"[{part}]" if isinstance(part, int) else f".{part}" if named else str(part)
    return named or "?"


def validation_problem(errors: list[dict[str, Any]]) -> DomainError:
    """``validation-failed`` listing ``errors``; when every error is text that people type refused
    for what it holds (``contracts.text``), the first one's refusal, naming its field."""
    if errors and all(error["type"] in _TEXT_CODES for error in errors):
        return _TEXT_CODES[errors[0]["type"]](field=field_name(errors[0]["loc"]), errors=errors)
    return VALIDATION_FAILED(errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ProblemError)
        return problem_response(error.problem, error.headers)

    async def on_domain_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        return problem_response(problem_of(error), error.headers or None)

    async def on_validation(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [
            {"loc": list(item.get("loc", ())), "msg": item.get("msg"), "type": item.get("type")}
            for item in error.errors()
        ]
        return problem_response(problem_of(validation_problem(errors)))

    async def on_http_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        code, message_vi, message_en = _GENERIC_HTTP_PROBLEMS.get(
            error.status_code,
            ("http-error", "Yêu cầu không thực hiện được.", "The request cannot be served."),
        )
        return problem_response(
            ProblemError(error.status_code, code, message_vi, message_en, detail=str(error.detail)).problem,
            dict(error.headers or {}),
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation)
