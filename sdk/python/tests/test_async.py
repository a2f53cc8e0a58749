"""AsyncKaizenClient: the same calls, models, errors, pagination and retries, awaited."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from studio import AsyncKaizenClient, PermissionDeniedError, RateLimitError, models


def test_async_client_lists_creates_and_pages(make_key, base_url):
    key = make_key(["agents:write"]).key

    async def main():
        async with AsyncKaizenClient(api_key=key, base_url=base_url) as client:
            created = await asyncio.gather(*(client.agents.create(name=f"agent {i}") for i in range(3)))
            page = await client.agents.list(limit=100)
            assert isinstance(page, models.AgentPageResponse)
            assert sorted(agent.id for agent in page.data) == sorted(agent.id for agent in created)
            assert [agent async for agent in client.agents.list_all(limit=1)] == page.data
            assert await client.agents.get(created[0].id) == created[0]
            assert await client.agents.delete(created[0].id) is None

    asyncio.run(main())


def test_async_client_raises_the_same_errors(make_key, base_url):
    reader = make_key(["agents:read"]).key
    one_a_minute = make_key(["agents:read"], rate_limit=1).key

    async def main():
        async with AsyncKaizenClient(api_key=reader, base_url=base_url) as client:
            with pytest.raises(PermissionDeniedError) as denied:
                await client.agents.create(name="x")
            assert denied.value.status == 403 and denied.value.request_id
        async with AsyncKaizenClient(api_key=one_a_minute, base_url=base_url) as client:
            await client.agents.list()
            with pytest.raises(RateLimitError) as limited:
                await client.agents.list()
            assert limited.value.retry_after > 0 and limited.value.rate_limit.limit == 1

    asyncio.run(main())


class AsyncRefusing(httpx.AsyncBaseTransport):
    """Answers the first request 429 (Retry-After: 0), then passes requests on to the real server."""

    def __init__(self) -> None:
        self.log: list = []
        self.real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.log:
            self.log.append(f"{request.method} 429")
            return httpx.Response(429, json={"statusCode": 429, "error": "Too Many Requests", "message": "slow down"}, headers={"Retry-After": "0"})
        response = await self.real.handle_async_request(request)
        self.log.append(f"{request.method} {response.status_code}")
        return response

    async def aclose(self) -> None:
        await self.real.aclose()


def test_async_client_retries_when_asked(make_key, base_url):
    key = make_key(["agents:read"]).key

    async def refused_once(**options):
        """The outcome of one list call behind a proxy that refuses the first request, and what the proxy saw."""
        proxy = AsyncRefusing()
        async with AsyncKaizenClient(api_key=key, base_url=base_url, max_retries=1, transport=proxy) as client:
            try:
                return (await client.agents.list(**options)).data, proxy.log
            except RateLimitError as err:
                return err.status, proxy.log

    assert asyncio.run(refused_once()) == ([], ["GET 429", "GET 200"])
    assert asyncio.run(refused_once(max_retries=0)) == (429, ["GET 429"])
