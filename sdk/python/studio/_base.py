"""What the synchronous and the asyncio client share: settings, request building, the retry rule, parsing."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional
from urllib.parse import quote

import httpx

from ._convert import from_wire, wire_name
from ._errors import error_for, retry_after_seconds
from ._version import __version__

DEFAULT_BASE_URL = "http://localhost:3000"
#: seconds to connect, and to wait for each read or write, per attempt
DEFAULT_TIMEOUT = 60.0
#: the longest ``Retry-After`` (seconds) a retry waits for; a longer one is raised at once
DEFAULT_MAX_RETRY_AFTER = 60.0

# HTTP's idempotent methods: repeating one cannot do twice what the caller asked for once.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# 429: the server throttled the call before running it; 503: it asked the client to come back later.
RETRYABLE = frozenset({429, 503})



class _NotGiven:
    """The default of per-call options: "use the client's setting" (None is a value: no timeout)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


_UNSET: Any = _NotGiven()


@dataclass(frozen=True)
class Settings:
    """A client's configuration; ``with_options`` copies it with changes."""

    api_key: Optional[str] = field(repr=False)
    access_token: Optional[str] = field(repr=False)
    base_url: str
    timeout: Optional[float]
    max_retries: int
    max_retry_after: float

    @classmethod
    def resolve(
        cls,
        *,
        api_key: Optional[str],
        access_token: Optional[str],
        base_url: Optional[str],
        timeout: Optional[float],
        max_retries: int,
        max_retry_after: float,
    ) -> "Settings":
        """Fills the key and the address from ``KAIZEN_API_KEY`` / ``KAIZEN_BASE_URL`` when not given."""
        if api_key is None and access_token is None:
            api_key = os.environ.get("KAIZEN_API_KEY") or None
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        return cls(
            api_key=api_key,
            access_token=access_token,
            base_url=(base_url or os.environ.get("KAIZEN_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
        )

    def updated(self, **changes: Any) -> "Settings":
        return replace(self, **{name: value for name, value in changes.items() if value is not _UNSET})

    def headers(self) -> dict:
        headers = {"Accept": "application/json", "User-Agent": f"kaizen-studio-python/{__version__}"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        return headers


@dataclass(frozen=True)
class Call:
    """One API call, independent of how it is sent: what to request and what the answer is parsed into."""

    method: str
    path: str
    #: the generated model the 2xx body becomes (None: no body, as for 204)
    cast: Any = None
    query: Optional[Mapping[str, Any]] = None
    body: Optional[Mapping[str, Any]] = None
    #: per-call overrides of the client's settings (None: the client's)
    max_retries: Optional[int] = None
    timeout: Any = _UNSET


def path(template: str, **params: str) -> str:
    """``/api/v1/agents/{id}`` with each parameter percent-encoded, so an id cannot change the route."""
    return template.format(**{name: quote(str(value), safe="") for name, value in params.items()})


def wire(values: Optional[Mapping[str, Any]]) -> Optional[dict]:
    """Keyword arguments as wire fields: ``from_`` -> ``from``; unset (None) query values are left out."""
    if values is None:
        return None
    return {wire_name(name): value for name, value in values.items()}


def body_of(body: Optional[Mapping[str, Any]], fields: Mapping[str, Any]) -> dict:
    """A request body given as a mapping, as keyword arguments, or both (keywords win)."""
    return {**(wire(body) or {}), **(wire(fields) or {})}


def build_request(http: Any, settings: Settings, call: Call) -> httpx.Request:
    query = {name: value for name, value in (wire(call.query) or {}).items() if value is not None}
    timeout = settings.timeout if call.timeout is _UNSET else call.timeout
    return http.build_request(
        call.method,
        settings.base_url + call.path,
        params=query or None,
        json=call.body,
        headers=settings.headers(),
        timeout=httpx.Timeout(timeout),
    )


def retries_for(settings: Settings, call: Call) -> int:
    """The client's ``max_retries`` applies to idempotent calls; a POST or PATCH retries only when the call asks."""
    if call.max_retries is not None:
        return call.max_retries
    return settings.max_retries if call.method in IDEMPOTENT else 0


def retry_delay(settings: Settings, response: httpx.Response, attempt: int, retries: int) -> Optional[float]:
    """Seconds to wait before retrying ``response``, or None when it is the answer to return (or raise)."""
    if attempt >= retries or response.status_code not in RETRYABLE:
        return None
    header = response.headers.get("retry-after")
    if header is not None and header.strip():
        wait = retry_after_seconds(header)
        if wait is not None:
            return None if wait > settings.max_retry_after else wait
    # No usable Retry-After: 0.5 s, 1 s, 2 s ... up to 8 s, less up to a quarter of jitter.
    return min(0.5 * 2**attempt, 8.0) * (1 - random.random() * 0.25)


def parse(call: Call, response: httpx.Response) -> Any:
    """The call's result: the body as its model on 2xx; the matching ``APIStatusError`` raised otherwise."""
    if not response.is_success:
        raise error_for(response)
    if call.cast is None or response.status_code == 204 or not response.content:
        return None
    return from_wire(call.cast, response.json())
