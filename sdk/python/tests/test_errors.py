"""Every failure is a KaizenError: status errors carry the server's body, 429 adds Retry-After and the window."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest

from studio import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    KaizenClient,
    KaizenError,
    NotFoundError,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
)


def test_403_names_the_missing_scope_and_carries_the_request_id(make_key, base_url):
    client = KaizenClient(api_key=make_key(["agents:read"]).key, base_url=base_url)
    with pytest.raises(PermissionDeniedError) as caught:
        client.agents.create(name="Not allowed")
    err = caught.value
    assert isinstance(err, APIStatusError) and isinstance(err, KaizenError)
    assert (err.status, err.error) == (403, "Forbidden")
    assert "agents:write" in err.message
    assert err.request_id and err.request_id == err.headers["x-request-id"]
    assert err.body == {"statusCode": 403, "error": "Forbidden", "message": err.message}
    assert str(err) == f"403 Forbidden: {err.message}"


def test_400_404_and_401(make_key, base_url):
    client = KaizenClient(api_key=make_key(["agents:write"]).key, base_url=base_url)
    with pytest.raises(BadRequestError) as bad:
        client.agents.create(name="x", colour="blue")
    assert bad.value.status == 400 and "colour" in bad.value.message

    with pytest.raises(NotFoundError) as missing:
        client.agents.get(str(uuid.uuid4()))
    assert (missing.value.status, missing.value.message) == (404, "Agent not found")

    # A path parameter is encoded: it cannot reach another route.
    with pytest.raises(BadRequestError):
        client.agents.get("../api-keys")

    stranger = KaizenClient(api_key=f"sk_live_0000abcd_{'x' * 32}", base_url=base_url)
    with pytest.raises(AuthenticationError) as unknown:
        stranger.agents.list()
    assert unknown.value.status == 401


def test_429_carries_retry_after_and_the_rate_limit_window(make_key, base_url):
    client = KaizenClient(api_key=make_key(["agents:read"], rate_limit=1).key, base_url=base_url)
    client.agents.list()
    with pytest.raises(RateLimitError) as caught:
        client.agents.list()
    err = caught.value
    assert (err.status, err.error) == (429, "Too Many Requests")
    assert "rate limit" in err.message.lower()
    assert 0 < err.retry_after <= 60
    assert isinstance(err.rate_limit, RateLimit)
    assert (err.rate_limit.limit, err.rate_limit.remaining) == (1, 0)
    assert 0 < err.rate_limit.reset <= 60


def test_an_unreachable_server_is_an_api_connection_error():
    with socket.socket() as sock:  # a port the OS handed out and nothing listens on any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = KaizenClient(api_key="sk_live_unused", base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(APIConnectionError) as caught:
        client.metrics.get()
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.request.url.path == "/api/v1/metrics"


def test_a_server_that_does_not_answer_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        client = KaizenClient(api_key="sk_live_unused", base_url=f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.3)
        with pytest.raises(APITimeoutError) as caught:
            client.metrics.get()
        assert isinstance(caught.value, APIConnectionError)
        slower = client.with_options(timeout=60)
        with pytest.raises(APITimeoutError):
            slower.metrics.get(timeout=0.2)
    finally:
        for connection, _ in accepted:
            connection.close()
        listener.close()
