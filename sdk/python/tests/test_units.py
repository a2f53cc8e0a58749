"""The shared request code on its own: error mapping, the retry rule, wire conversion (no server)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from studio import InternalServerError, RateLimitError, ServiceUnavailableError, models
from studio._base import Call, Settings, retries_for, retry_delay
from studio._convert import from_wire
from studio._errors import APIStatusError, error_for


def settings(**changes) -> Settings:
    base = Settings.resolve(api_key="sk_live_x", access_token=None, base_url=None, timeout=5, max_retries=2, max_retry_after=60)
    return base.updated(**changes)


def test_error_for_maps_statuses_and_falls_back_to_the_status_text():
    assert type(error_for(httpx.Response(418, text="teapot"))) is APIStatusError
    failed = error_for(httpx.Response(502, text="upstream down"))
    assert isinstance(failed, InternalServerError)
    assert (failed.status, failed.error, failed.message, failed.request_id) == (502, "Bad Gateway", "upstream down", None)
    busy = error_for(httpx.Response(503, json={"statusCode": 503, "error": "Service Unavailable", "message": "busy"}, headers={"Retry-After": "2"}))
    assert isinstance(busy, ServiceUnavailableError) and isinstance(busy, InternalServerError)
    assert (busy.message, busy.retry_after) == ("busy", 2.0)


def test_retry_after_as_an_http_date_and_without_rate_limit_headers():
    at = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    err = error_for(httpx.Response(429, headers={"Retry-After": at}))
    assert isinstance(err, RateLimitError)
    assert 28 <= err.retry_after <= 31
    assert err.rate_limit is None  # e.g. the failed-login limit, which is not a key's window


def test_retries_apply_to_idempotent_calls_unless_the_call_says_otherwise():
    s = settings()
    assert retries_for(s, Call("GET", "/x")) == 2
    assert retries_for(s, Call("DELETE", "/x")) == 2
    assert retries_for(s, Call("POST", "/x")) == 0
    assert retries_for(s, Call("PATCH", "/x")) == 0
    assert retries_for(s, Call("POST", "/x", max_retries=1)) == 1
    assert retries_for(s, Call("GET", "/x", max_retries=0)) == 0


def test_retry_delay_honours_retry_after_within_max_retry_after_and_backs_off_without_it():
    s = settings(max_retry_after=10)
    assert retry_delay(s, httpx.Response(429, headers={"Retry-After": "3"}), attempt=0, retries=1) == 3
    assert retry_delay(s, httpx.Response(429, headers={"Retry-After": "11"}), attempt=0, retries=1) is None
    assert retry_delay(s, httpx.Response(429, headers={"Retry-After": "3"}), attempt=1, retries=1) is None
    assert retry_delay(s, httpx.Response(500), attempt=0, retries=3) is None
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (6, 8.0)]:
        delay = retry_delay(s, httpx.Response(503), attempt=attempt, retries=10)
        assert 0.75 * ceiling <= delay <= ceiling


def test_settings_read_the_environment_and_never_show_the_credential(monkeypatch):
    monkeypatch.setenv("KAIZEN_API_KEY", "sk_live_fromenv_secret")
    monkeypatch.setenv("KAIZEN_BASE_URL", "http://example.test:8080/")
    s = Settings.resolve(api_key=None, access_token=None, base_url=None, timeout=1, max_retries=0, max_retry_after=1)
    assert (s.api_key, s.base_url) == ("sk_live_fromenv_secret", "http://example.test:8080")
    assert "secret" not in repr(s)
    user = Settings.resolve(api_key=None, access_token="token", base_url=None, timeout=1, max_retries=0, max_retry_after=1)
    assert user.api_key is None and user.headers()["Authorization"] == "Bearer token"
    with pytest.raises(ValueError):
        Settings.resolve(api_key="k", access_token=None, base_url=None, timeout=1, max_retries=-1, max_retry_after=1)


def test_from_wire_builds_nested_models_and_ignores_fields_it_does_not_know():
    wire = {
        "resources": {"agents": 1, "deployments": 2, "pipelines": 3, "gateways": 4},
        "requests": {"request_count": 5, "refused_count": 0},
        "added_by_a_newer_server": True,
    }
    metrics = from_wire(models.MetricsResponse, wire)
    assert isinstance(metrics.resources, models.ResourceCounts)
    assert (metrics.resources.gateways, metrics.requests.request_count) == (4, 5)
    page = from_wire(models.AgentPageResponse, {"data": [], "next_cursor": None})
    assert page == models.AgentPageResponse(data=[], next_cursor=None)
