"""Fixtures: the real server (the compiled app, `node dist/src/main.js`) on a free port, and signed-in clients.

The server runs on the embedded database in memory unless DATABASE_URL is set (then on that PostgreSQL, and
on REDIS_URL when that is set too), as the Node test suites do.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest

from studio import KaizenClient, models

ROOT = Path(__file__).resolve().parents[3]
MAIN = ROOT / "dist" / "src" / "main.js"
PASSWORD = "correct-horse-9"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    if not MAIN.exists():
        pytest.fail(f"{MAIN} is missing: run `npm run build` first (npm run test:python does)")
    node = os.environ.get("NODE") or shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "NODE_ENV": "test",
        "PGLITE_DATA_DIR": os.environ.get("PGLITE_DATA_DIR", "memory://"),
        # Cheap hashes keep the tests fast; production's default is 12.
        "BCRYPT_COST": os.environ.get("BCRYPT_COST", "4"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "silent"),
        "JWT_SECRET": os.environ.get("JWT_SECRET", "python-sdk-tests-python-sdk-tests-0123"),
        # The tests register many organizations from 127.0.0.1; production's default is 10 an hour.
        "REGISTRATIONS_PER_ADDRESS_PER_HOUR": "1000000",
        # The webhook tests' receiver listens on 127.0.0.1, which production refuses.
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        # Counters of this run's own, apart from other runs sharing the Redis at REDIS_URL.
        "REDIS_NAMESPACE": f"python-sdk-{os.getpid()}",
    }
    for name in ("KAIZEN_API_KEY", "KAIZEN_BASE_URL"):
        env.pop(name, None)
    with tempfile.TemporaryFile() as output:
        server = subprocess.Popen([node, str(MAIN)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    output.seek(0)
                    pytest.fail(f"the server exited during start-up:\n{output.read().decode(errors='replace')}")
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    pytest.fail("the server did not become healthy within 60 s")
                time.sleep(0.1)
            yield url
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(autouse=True)
def no_kaizen_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees only the KAIZEN_* variables it sets itself."""
    monkeypatch.delenv("KAIZEN_API_KEY", raising=False)
    monkeypatch.delenv("KAIZEN_BASE_URL", raising=False)


@pytest.fixture
def password() -> str:
    """The password of every user the tests create."""
    return PASSWORD


@pytest.fixture
def register(base_url: str) -> Callable[[], models.SessionResponse]:
    """Registers a new organization (password PASSWORD); returns its owner's session."""

    def create() -> models.SessionResponse:
        with KaizenClient(base_url=base_url) as anonymous:
            return anonymous.auth.register(
                email=f"owner-{uuid.uuid4()}@example.com", password=PASSWORD, name="Owner", organization_name="Acme"
            )

    return create


@pytest.fixture
def owner(base_url: str, register: Callable[[], models.SessionResponse]) -> Iterator[KaizenClient]:
    """A client with the access token of a new organization's owner (user-token mode)."""
    session = register()
    with KaizenClient(access_token=session.access_token, base_url=base_url) as client:
        yield client


@pytest.fixture
def make_key(owner: KaizenClient) -> Callable[..., models.CreatedApiKeyResponse]:
    """Creates an API key in the owner's organization: make_key(["agents:read"], rate_limit=5)."""

    def create(scopes: list, **fields: object) -> models.CreatedApiKeyResponse:
        return owner.api_keys.create(name=fields.pop("name", "test key"), scopes=scopes, **fields)

    return create


class Receiver:
    """A local HTTP server standing in for a customer's webhook endpoint: it records every POST and answers 200."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.received: list = []
        self._lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    outer.received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 20.0) -> list:
        """The first ``count`` requests, waiting up to ``timeout`` seconds for them to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} webhook requests within {timeout} s, got {len(self.received)}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (the test server allows private URLs)."""
    server = Receiver()
    try:
        yield server
    finally:
        server.close()
