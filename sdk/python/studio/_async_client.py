"""The asyncio client: AsyncKaizenClient and its resources.

This file is the one source of both clients: scripts/generate-python-sdk.ts writes _client.py (KaizenClient)
from it by removing async and await, so write nothing here that means something else without them.
Requests are built and parsed by _base.py, shared by both.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any, AsyncIterator, Generic, Mapping, Optional, TypeVar

import httpx

from . import models
from ._base import (
    _UNSET,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_TIMEOUT,
    Call,
    Settings,
    body_of,
    build_request,
    parse,
    path,
    retries_for,
    retry_delay,
)
from ._errors import APIConnectionError, APITimeoutError

__all__ = ["AsyncKaizenClient"]

ItemT = TypeVar("ItemT")
PageT = TypeVar("PageT")


class AsyncKaizenClient:
    """Client for the Kaizen Studio API.

    ``api_key`` (an ``sk_live_...`` key, default ``KAIZEN_API_KEY``) or ``access_token`` (a user's token, from
    ``client.auth.login(...)``) authenticates; ``base_url`` defaults to ``KAIZEN_BASE_URL``, else
    http://localhost:3000. ``timeout`` (seconds, default 60) bounds connecting and each read of every
    attempt. ``max_retries`` (default 0) retries GET and DELETE calls answered 429 or 503 after the server's
    ``Retry-After``; POST and PATCH calls retry only when the call passes ``max_retries`` itself.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        access_token: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        max_retries: int = 0,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        http_client: Optional[httpx.AsyncClient] = None,
        transport: Optional[httpx.AsyncBaseTransport] = None,
    ) -> None:
        settings = Settings.resolve(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
        )
        self._setup(settings, http_client or httpx.AsyncClient(transport=transport), owns_http=http_client is None)

    def _setup(self, settings: Settings, http: httpx.AsyncClient, *, owns_http: bool) -> None:
        self._settings = settings
        self._http = http
        self._owns_http = owns_http
        self.auth = AsyncAuth(self)
        self.agents = AsyncAgents(self)
        self.deployments = AsyncDeployments(self)
        self.pipelines = AsyncPipelines(self)
        self.gateways = AsyncGateways(self)
        self.metrics = AsyncMetrics(self)
        self.api_keys = AsyncApiKeys(self)
        self.organizations = AsyncOrganizations(self)
        self.members = AsyncMembers(self)
        self.audit_logs = AsyncAuditLogs(self)
        self.webhooks = AsyncWebhooks(self)
        self.key_policy = AsyncKeyPolicy(self)

    def with_options(
        self,
        *,
        api_key: Any = _UNSET,
        access_token: Any = _UNSET,
        base_url: Any = _UNSET,
        timeout: Any = _UNSET,
        max_retries: Any = _UNSET,
        max_retry_after: Any = _UNSET,
    ) -> "AsyncKaizenClient":
        """A client with some settings changed, sharing this one's connections (one credential at a time:
        giving ``access_token`` drops the API key, and the other way round)."""
        if access_token is not _UNSET and api_key is _UNSET:
            api_key = None
        if api_key is not _UNSET and access_token is _UNSET:
            access_token = None
        settings = self._settings.updated(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url.rstrip("/") if isinstance(base_url, str) else base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
        )
        client = object.__new__(type(self))
        client._setup(settings, self._http, owns_http=False)
        return client

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    @property
    def timeout(self) -> Optional[float]:
        return self._settings.timeout

    async def _request(self, call: Call) -> Any:
        retries = retries_for(self._settings, call)
        attempt = 0
        while True:
            request = build_request(self._http, self._settings, call)
            try:
                response = await self._http.send(request)
            except httpx.TimeoutException as exc:
                raise APITimeoutError(f"{call.method} {call.path} timed out ({exc})", request=request) from exc
            except httpx.RequestError as exc:
                raise APIConnectionError(f"{call.method} {call.path} failed: {exc}", request=request) from exc
            delay = retry_delay(self._settings, response, attempt, retries)
            if delay is None:
                return parse(call, response)
            await response.aclose()
            await asyncio.sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        """Closes the connections, unless they were passed in as ``http_client`` or belong to another client."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncKaizenClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()


class _AsyncResource:
    def __init__(self, client: AsyncKaizenClient) -> None:
        self._client = client


class _AsyncListable(_AsyncResource, ABC, Generic[ItemT, PageT]):
    @abstractmethod
    async def list(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any) -> PageT:
        """One page of the collection."""

    async def list_all(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any) -> AsyncIterator[ItemT]:
        """Every item, in the order of ``list``, fetching the next page only when the loop reaches it."""
        cursor = query.pop("cursor", None)
        while True:
            page: Any = await self.list(cursor=cursor, max_retries=max_retries, timeout=timeout, **query)
            for item in page.data:
                yield item
            cursor = page.next_cursor
            if not cursor:
                return


class _AsyncCrud(_AsyncListable[ItemT, PageT]):
    """list/list_all/get/create/update/delete for one resource collection."""

    _path: str
    _item: Any
    _page: Any

    async def list(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any) -> PageT:
        """One page, newest first: ``limit`` (1-100, default 20) and ``cursor`` (the previous ``next_cursor``)."""
        return await self._client._request(
            Call("GET", self._path, self._page, query=query, max_retries=max_retries, timeout=timeout)
        )

    async def get(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> ItemT:
        return await self._client._request(
            Call("GET", path(self._path + "/{id}", id=id), self._item, max_retries=max_retries, timeout=timeout)
        )

    async def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> ItemT:
        """Creates one; the fields as keyword arguments, or a mapping (see models.Create*Dto)."""
        return await self._client._request(
            Call("POST", self._path, self._item, body=body_of(body, fields), max_retries=max_retries, timeout=timeout)
        )

    async def update(
        self,
        id: str,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> ItemT:
        """Changes the fields given (see models.Update*Dto)."""
        return await self._client._request(
            Call(
                "PATCH",
                path(self._path + "/{id}", id=id),
                self._item,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def delete(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> None:
        await self._client._request(
            Call("DELETE", path(self._path + "/{id}", id=id), max_retries=max_retries, timeout=timeout)
        )


class AsyncAgents(_AsyncCrud[models.AgentResponse, models.AgentPageResponse]):
    """Agents (scopes ``agents:read`` / ``agents:write``)."""

    _path = "/api/v1/agents"
    _item = models.AgentResponse
    _page = models.AgentPageResponse


class AsyncDeployments(_AsyncCrud[models.DeploymentResponse, models.DeploymentPageResponse]):
    """Deployments (scopes ``deployments:read`` / ``deployments:write``)."""

    _path = "/api/v1/deployments"
    _item = models.DeploymentResponse
    _page = models.DeploymentPageResponse


class AsyncPipelines(_AsyncCrud[models.PipelineResponse, models.PipelinePageResponse]):
    """Pipelines (scopes ``pipelines:read`` / ``pipelines:write``)."""

    _path = "/api/v1/pipelines"
    _item = models.PipelineResponse
    _page = models.PipelinePageResponse


class AsyncGateways(_AsyncCrud[models.GatewayResponse, models.GatewayPageResponse]):
    """Gateways (scopes ``gateways:read`` / ``gateways:write``)."""

    _path = "/api/v1/gateways"
    _item = models.GatewayResponse
    _page = models.GatewayPageResponse


class AsyncMetrics(_AsyncResource):
    async def get(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.MetricsResponse:
        """Counts of the organization's resources and of the requests made with its keys (``metrics:read``)."""
        return await self._client._request(
            Call("GET", "/api/v1/metrics", models.MetricsResponse, max_retries=max_retries, timeout=timeout)
        )


class AsyncAuth(_AsyncResource):
    """Sign-up and log-in: both return a session whose ``access_token`` is a user's bearer token."""

    async def register(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.SessionResponse:
        """Creates a user and their organization (``email``, ``password``, ``name``, ``organization_name``)."""
        return await self._client._request(
            Call(
                "POST",
                "/api/v1/auth/register",
                models.SessionResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def login(
        self, *, email: str, password: str, max_retries: Optional[int] = None, timeout: Any = _UNSET
    ) -> models.SessionResponse:
        """A session for the user; ``client.with_options(access_token=session.access_token)`` acts as them."""
        return await self._client._request(
            Call(
                "POST",
                "/api/v1/auth/login",
                models.SessionResponse,
                body={"email": email, "password": password},
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def me(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.MeResponse:
        return await self._client._request(
            Call("GET", "/api/v1/auth/me", models.MeResponse, max_retries=max_retries, timeout=timeout)
        )


class AsyncApiKeys(_AsyncListable[models.ApiKeyResponse, models.ApiKeyPageResponse]):
    """The organization's API keys; managing keys needs a user's access token (a key cannot manage keys)."""

    async def scopes(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.ScopeListResponse:
        return await self._client._request(
            Call("GET", "/api/v1/api-keys/scopes", models.ScopeListResponse, max_retries=max_retries, timeout=timeout)
        )

    async def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.CreatedApiKeyResponse:
        """A new key (``name``, ``scopes``, ``rate_limit``, ``expires_at``); its ``key`` appears in this answer only."""
        return await self._client._request(
            Call(
                "POST",
                "/api/v1/api-keys",
                models.CreatedApiKeyResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def list(
        self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any
    ) -> models.ApiKeyPageResponse:
        """One page, newest first: ``status``, ``unused_for_days``, ``limit``, ``cursor``."""
        return await self._client._request(
            Call("GET", "/api/v1/api-keys", models.ApiKeyPageResponse, query=query, max_retries=max_retries, timeout=timeout)
        )

    async def get(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.ApiKeyResponse:
        return await self._client._request(
            Call("GET", path("/api/v1/api-keys/{id}", id=id), models.ApiKeyResponse, max_retries=max_retries, timeout=timeout)
        )

    async def revoke(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> None:
        await self._client._request(
            Call("DELETE", path("/api/v1/api-keys/{id}", id=id), max_retries=max_retries, timeout=timeout)
        )

    async def rotate(
        self,
        id: str,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.RotatedApiKeyResponse:
        """A replacement key (``grace_period_seconds``, default a day, during which the old key still works)."""
        return await self._client._request(
            Call(
                "POST",
                path("/api/v1/api-keys/{id}/rotate", id=id),
                models.RotatedApiKeyResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def usage(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.KeyUsageResponse:
        """The key's current rate-limit window."""
        return await self._client._request(
            Call(
                "GET", path("/api/v1/api-keys/{id}/usage", id=id), models.KeyUsageResponse, max_retries=max_retries, timeout=timeout
            )
        )

    async def usage_history(
        self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any
    ) -> models.UsageHistoryResponse:
        """Served and refused requests per ``granularity`` (``hour`` or ``day``) between ``from_`` and ``to``."""
        return await self._client._request(
            Call(
                "GET",
                path("/api/v1/api-keys/{id}/usage/history", id=id),
                models.UsageHistoryResponse,
                query=query,
                max_retries=max_retries,
                timeout=timeout,
            )
        )


    async def update(
        self,
        id: str,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.ApiKeyResponse:
        """Changes any of ``name``, ``scopes``, ``rate_limit``, ``expires_at``, ``ip_allowlist``, ``metadata``,
        ``enabled`` (at least one); returns the key as it now is. A revoked key cannot be changed (409)."""
        return await self._client._request(
            Call(
                "PATCH",
                path("/api/v1/api-keys/{id}", id=id),
                models.ApiKeyResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def enable(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.ApiKeyResponse:
        """Lets a disabled key authenticate again (``update(id, enabled=True)``)."""
        return await self.update(id, enabled=True, max_retries=max_retries, timeout=timeout)

    async def disable(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.ApiKeyResponse:
        """Refuses the key with 401 "API key is disabled" until it is enabled again; unlike ``revoke``, reversible."""
        return await self.update(id, enabled=False, max_retries=max_retries, timeout=timeout)


class AsyncWebhooks(_AsyncListable[models.WebhookEndpointResponse, models.WebhookEndpointPageResponse]):
    """The organization's webhook endpoints (a user's token; owner or admin). ``create`` returns the signing
    ``secret`` (``whsec_...``) once; every delivery is signed with it (Standard Webhooks)."""

    _path = "/api/v1/webhooks"

    async def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.CreatedWebhookEndpointResponse:
        """A new endpoint (``url``, ``events``, ``description``); its ``secret`` appears in this answer only."""
        return await self._client._request(
            Call(
                "POST",
                self._path,
                models.CreatedWebhookEndpointResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def list(
        self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any
    ) -> models.WebhookEndpointPageResponse:
        """One page: ``limit``, ``cursor``."""
        return await self._client._request(
            Call("GET", self._path, models.WebhookEndpointPageResponse, query=query, max_retries=max_retries, timeout=timeout)
        )

    async def get(
        self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET
    ) -> models.WebhookEndpointResponse:
        return await self._client._request(
            Call("GET", path(self._path + "/{id}", id=id), models.WebhookEndpointResponse, max_retries=max_retries, timeout=timeout)
        )

    async def update(
        self,
        id: str,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.WebhookEndpointResponse:
        """Changes any of ``url``, ``events``, ``description``, ``enabled``."""
        return await self._client._request(
            Call(
                "PATCH",
                path(self._path + "/{id}", id=id),
                models.WebhookEndpointResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def delete(self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> None:
        await self._client._request(
            Call("DELETE", path(self._path + "/{id}", id=id), max_retries=max_retries, timeout=timeout)
        )

    async def rotate_secret(
        self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET
    ) -> models.WebhookSecretResponse:
        """Replaces the signing secret at once; the new ``secret`` is in this answer only."""
        return await self._client._request(
            Call(
                "POST",
                path(self._path + "/{id}/rotate-secret", id=id),
                models.WebhookSecretResponse,
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def test(
        self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET
    ) -> models.DeliveryAcceptedResponse:
        """Queues a ``webhook.test`` event for the endpoint; returns its ``delivery_id``."""
        return await self._client._request(
            Call(
                "POST",
                path(self._path + "/{id}/test", id=id),
                models.DeliveryAcceptedResponse,
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def deliveries(
        self, id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any
    ) -> models.WebhookDeliveryPageResponse:
        """One page of the endpoint's delivery log, newest first: ``limit``, ``cursor``."""
        return await self._client._request(
            Call(
                "GET",
                path(self._path + "/{id}/deliveries", id=id),
                models.WebhookDeliveryPageResponse,
                query=query,
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def redeliver(
        self, id: str, delivery_id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET
    ) -> None:
        """Sends a delivery's event again (same ``webhook-id``)."""
        await self._client._request(
            Call(
                "POST",
                path(self._path + "/{id}/deliveries/{delivery_id}/redeliver", id=id, delivery_id=delivery_id),
                max_retries=max_retries,
                timeout=timeout,
            )
        )


class AsyncKeyPolicy(_AsyncResource):
    """The organization's key policy (a user's token; owner or admin): rules for every key's creation and change."""

    _path = "/api/v1/organizations/current/key-policy"

    async def get(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.KeyPolicyResponse:
        return await self._client._request(
            Call("GET", self._path, models.KeyPolicyResponse, max_retries=max_retries, timeout=timeout)
        )

    async def update(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.KeyPolicyResponse:
        """Changes any of ``require_expiry``, ``max_lifetime_days``, ``allowed_scopes``, ``auto_revoke_unused_days``
        (None clears a limit)."""
        return await self._client._request(
            Call(
                "PATCH",
                self._path,
                models.KeyPolicyResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )


class AsyncOrganizations(_AsyncResource):
    """The caller's organization (a user's token only; renaming needs the owner or admin role)."""

    async def get(self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> models.OrganizationResponse:
        return await self._client._request(
            Call("GET", "/api/v1/organizations/current", models.OrganizationResponse, max_retries=max_retries, timeout=timeout)
        )

    async def update(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.OrganizationResponse:
        return await self._client._request(
            Call(
                "PATCH",
                "/api/v1/organizations/current",
                models.OrganizationResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )


class AsyncMembers(_AsyncListable[models.MemberResponse, models.MemberPageResponse]):
    """The organization's members (a user's token only; changes need the owner or admin role)."""

    _path = "/api/v1/organizations/current/members"

    async def list(
        self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any
    ) -> models.MemberPageResponse:
        return await self._client._request(
            Call("GET", self._path, models.MemberPageResponse, query=query, max_retries=max_retries, timeout=timeout)
        )

    async def add(
        self,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.MemberResponse:
        """Creates the user account (``email``, ``password``, ``name``) and adds it with ``role``."""
        return await self._client._request(
            Call("POST", self._path, models.MemberResponse, body=body_of(body, fields), max_retries=max_retries, timeout=timeout)
        )

    async def update(
        self,
        user_id: str,
        body: Optional[Mapping[str, Any]] = None,
        /,
        *,
        max_retries: Optional[int] = None,
        timeout: Any = _UNSET,
        **fields: Any,
    ) -> models.MemberResponse:
        """Changes the member's ``role``."""
        return await self._client._request(
            Call(
                "PATCH",
                path(self._path + "/{user_id}", user_id=user_id),
                models.MemberResponse,
                body=body_of(body, fields),
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    async def remove(self, user_id: str, *, max_retries: Optional[int] = None, timeout: Any = _UNSET) -> None:
        """Removes the member and deletes their user account."""
        await self._client._request(
            Call("DELETE", path(self._path + "/{user_id}", user_id=user_id), max_retries=max_retries, timeout=timeout)
        )


class AsyncAuditLogs(_AsyncListable[models.AuditLogResponse, models.AuditLogPageResponse]):
    """Who created, rotated and revoked keys and changed members (a user's token; owner or admin)."""

    async def list(
        self, *, max_retries: Optional[int] = None, timeout: Any = _UNSET, **query: Any
    ) -> models.AuditLogPageResponse:
        """One page, newest first: ``action``, ``actor_id``, ``actor_type``, ``target_id``, ``from_``, ``to``, ``limit``, ``cursor``."""
        return await self._client._request(
            Call("GET", "/api/v1/audit-logs", models.AuditLogPageResponse, query=query, max_retries=max_retries, timeout=timeout)
        )
