"""One exception family for everything the client raises: catch ``KaizenError`` to catch them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import httpx

__all__ = [
    "KaizenError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "PayloadTooLargeError",
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "RateLimit",
]


class KaizenError(Exception):
    """The base of every exception this package raises."""


class APIConnectionError(KaizenError):
    """The request did not get an answer: the server could not be reached or the connection failed."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout; the request may have reached the server."""


@dataclass(frozen=True)
class RateLimit:
    """Where an API key stands in its per-minute window, from the ``X-RateLimit-*`` headers."""

    #: requests allowed per window (the key's ``rate_limit``)
    limit: Optional[int]
    #: requests left in the current window
    remaining: Optional[int]
    #: seconds until the window resets
    reset: Optional[int]


class APIStatusError(KaizenError):
    """The server answered with a status that is not 2xx; its ``{ statusCode, error, message }`` body is read here."""

    def __init__(self, response: httpx.Response, body: Any) -> None:
        fields = body if isinstance(body, dict) else {}
        error = fields.get("error")
        message = fields.get("message")
        #: the HTTP status, e.g. 403
        self.status: int = response.status_code
        #: the status's name, e.g. "Forbidden"
        self.error: str = error if isinstance(error, str) else (response.reason_phrase or "Error")
        #: what went wrong, as the server put it
        self.message: str = (
            message if isinstance(message, str) else (body if isinstance(body, str) and body else f"{self.status} {self.error}")
        )
        #: the server's ``X-Request-Id``, to quote when reporting a problem
        self.request_id: Optional[str] = response.headers.get("x-request-id")
        #: the parsed body (or its text when it is not JSON)
        self.body: Any = body
        self.response = response
        super().__init__(f"{self.status} {self.error}: {self.message}")

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers


class BadRequestError(APIStatusError):
    """400: a field is missing, invalid or unknown (the message names it)."""


class AuthenticationError(APIStatusError):
    """401: no credential, or a bad, expired or revoked token or key."""


class PermissionDeniedError(APIStatusError):
    """403: the caller lacks the scope or role the route needs."""


class NotFoundError(APIStatusError):
    """404: no such route, or no such object in the caller's organization."""


class ConflictError(APIStatusError):
    """409: a duplicate, or a rule such as "keep one owner"."""


class PayloadTooLargeError(APIStatusError):
    """413: the request body is larger than the server accepts."""


class _RetryAfter(APIStatusError):
    def __init__(self, response: httpx.Response, body: Any) -> None:
        super().__init__(response, body)
        #: seconds the server asked the client to wait (``Retry-After``), or None when it did not say
        self.retry_after: Optional[float] = retry_after_seconds(response.headers.get("retry-after"))


class RateLimitError(_RetryAfter):
    """429: a key's rate limit, or the failed-login / failed-key limit, was reached."""

    def __init__(self, response: httpx.Response, body: Any) -> None:
        super().__init__(response, body)
        #: the key's window from ``X-RateLimit-*`` (None when the 429 is not a key's rate limit)
        self.rate_limit: Optional[RateLimit] = rate_limit_of(response.headers)


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class ServiceUnavailableError(_RetryAfter, InternalServerError):
    """503: the server is busy (for example with first-time key checks); retry after ``retry_after``."""


_BY_STATUS = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_for(response: httpx.Response) -> APIStatusError:
    """The exception for a non-2xx response, its body already read."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(response, body)


def retry_after_seconds(value: Optional[str]) -> Optional[float]:
    """``Retry-After`` is delay-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    from datetime import datetime, timezone

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def rate_limit_of(headers: httpx.Headers) -> Optional[RateLimit]:
    def read(name: str) -> Optional[int]:
        try:
            return int(headers[f"x-ratelimit-{name}"])
        except (KeyError, ValueError):
            return None

    info = RateLimit(limit=read("limit"), remaining=read("remaining"), reset=read("reset"))
    return None if info == RateLimit(None, None, None) else info
