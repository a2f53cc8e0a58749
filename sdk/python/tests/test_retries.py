"""Opt-in retries after Retry-After on 429 and 503: idempotent calls only, unless the call asks."""

from __future__ import annotations

import time

import httpx
import pytest

from studio import KaizenClient, RateLimitError, ServiceUnavailableError


class Refusing(httpx.BaseTransport):
    """Stands in for an overloaded proxy in front of the real server: answers the first requests with
    `statuses` (429 with Retry-After: 1, 503 without it), then passes requests on, recording what it did."""

    def __init__(self, *statuses: int) -> None:
        self.pending = list(statuses)
        self.log: list = []
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.pending:
            status = self.pending.pop(0)
            self.log.append(f"{request.method} {status}")
            headers = {"Retry-After": "1"} if status == 429 else {}
            body = {"statusCode": status, "error": "Refused", "message": "try again"}
            return httpx.Response(status, json=body, headers=headers)
        response = self.real.handle_request(request)
        self.log.append(f"{request.method} {response.status_code}")
        return response


def test_an_idempotent_call_is_retried_after_retry_after(make_key, base_url):
    proxy = Refusing(429, 503)
    client = KaizenClient(api_key=make_key(["agents:read"]).key, base_url=base_url, max_retries=2, transport=proxy)
    started = time.monotonic()
    assert client.agents.list().data == []
    assert proxy.log == ["GET 429", "GET 503", "GET 200"]
    assert time.monotonic() - started >= 0.9  # the 429 said Retry-After: 1


def test_no_retries_by_default_and_none_for_a_post_unless_the_call_asks(make_key, base_url):
    key = make_key(["agents:write"]).key
    proxy = Refusing(503)
    with pytest.raises(ServiceUnavailableError):
        KaizenClient(api_key=key, base_url=base_url, transport=proxy).agents.list()
    assert proxy.log == ["GET 503"]

    proxy = Refusing(503)
    client = KaizenClient(api_key=key, base_url=base_url, max_retries=3, transport=proxy)
    with pytest.raises(ServiceUnavailableError) as caught:
        client.agents.create(name="once")
    assert caught.value.retry_after is None
    assert proxy.log == ["POST 503"]
    assert [agent.name for agent in client.agents.list().data] == []

    proxy = Refusing(429)
    client = KaizenClient(api_key=key, base_url=base_url, transport=proxy)
    assert client.agents.create(name="asked", max_retries=1).name == "asked"
    assert proxy.log == ["POST 429", "POST 201"]


def test_the_servers_own_429_is_raised_at_once_when_retry_after_exceeds_max_retry_after(make_key, base_url):
    proxy = Refusing()
    key = make_key(["agents:read"], rate_limit=1).key
    client = KaizenClient(api_key=key, base_url=base_url, max_retries=3, max_retry_after=1, transport=proxy)
    client.agents.list()
    with pytest.raises(RateLimitError) as caught:
        client.agents.list()
    assert caught.value.retry_after > 1
    assert proxy.log == ["GET 200", "GET 429"]


def test_with_options_overrides_retries_and_shares_the_connection(make_key, base_url):
    proxy = Refusing(503)
    client = KaizenClient(api_key=make_key(["agents:read"]).key, base_url=base_url, transport=proxy)
    patient = client.with_options(max_retries=1)
    assert (client.max_retries, patient.max_retries) == (0, 1)
    assert patient.agents.list().data == []
    assert proxy.log == ["GET 503", "GET 200"]
