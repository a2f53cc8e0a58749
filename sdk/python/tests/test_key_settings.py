"""Editing a key: PATCH of its fields, disable/enable, the IP allow-list and metadata (sync and async)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from studio import AsyncKaizenClient, AuthenticationError, BadRequestError, KaizenClient, PermissionDeniedError, models


def test_update_changes_every_editable_field_and_get_reads_it_back(owner):
    created = owner.api_keys.create(name="editable", scopes=["agents:read"])
    expires = (datetime.now(timezone.utc) + timedelta(days=30)).replace(microsecond=0)

    updated = owner.api_keys.update(
        created.id,
        name="edited",
        scopes=["agents:read", "agents:write"],
        rate_limit=42,
        expires_at=expires.isoformat(),
        ip_allowlist=["127.0.0.1", "10.0.0.0/8"],
        metadata={"team": "billing", "tier": 2},
    )
    assert isinstance(updated, models.ApiKeyResponse)
    assert (updated.name, sorted(updated.scopes), updated.rate_limit) == ("edited", ["agents:read", "agents:write"], 42)
    assert datetime.fromisoformat(updated.expires_at.replace("Z", "+00:00")) == expires
    assert updated.ip_allowlist == ["127.0.0.1", "10.0.0.0/8"]
    assert updated.metadata == {"team": "billing", "tier": 2}
    assert updated.enabled is True
    assert owner.api_keys.get(created.id) == updated

    # null clears: no expiry, any address, no metadata; a mapping body works as keywords do.
    cleared = owner.api_keys.update(created.id, {"expires_at": None, "ip_allowlist": None, "metadata": None})
    assert (cleared.expires_at, cleared.ip_allowlist, cleared.metadata) == (None, [], {})


def test_create_takes_an_allow_list_and_metadata(owner):
    created = owner.api_keys.create(name="fenced", scopes=["agents:read"], ip_allowlist=["127.0.0.1"], metadata={"env": "ci"})
    assert (created.ip_allowlist, created.metadata, created.enabled) == (["127.0.0.1"], {"env": "ci"}, True)


def test_disable_refuses_the_key_and_enable_restores_it(owner, make_key, base_url):
    created = make_key(["agents:read"])
    with KaizenClient(api_key=created.key, base_url=base_url) as client:
        assert client.agents.list().data == []

        disabled = owner.api_keys.disable(created.id)
        assert disabled.enabled is False
        with pytest.raises(AuthenticationError) as refused:
            client.agents.list()
        assert refused.value.status == 401 and refused.value.message == "API key is disabled"

        assert owner.api_keys.enable(created.id).enabled is True
        assert client.agents.list().data == []


def test_an_allow_list_without_this_address_refuses_it_and_a_bad_entry_is_a_400(owner, make_key, base_url):
    created = make_key(["agents:read"])
    owner.api_keys.update(created.id, ip_allowlist=["203.0.113.0/24"])
    with KaizenClient(api_key=created.key, base_url=base_url) as client:
        with pytest.raises(PermissionDeniedError) as denied:
            client.agents.list()
        assert denied.value.message == "client address not allowed for this key"

        owner.api_keys.update(created.id, ip_allowlist=["127.0.0.0/8"])
        assert client.agents.list().data == []

    with pytest.raises(BadRequestError) as bad:
        owner.api_keys.update(created.id, ip_allowlist=["not-an-address"])
    assert "ip_allowlist" in bad.value.message
    with pytest.raises(BadRequestError):
        owner.api_keys.update(created.id)  # an empty change is refused


def test_async_client_updates_disables_and_enables(register, base_url):
    token = register().access_token

    async def main():
        async with AsyncKaizenClient(access_token=token, base_url=base_url) as client:
            created = await client.api_keys.create(name="async edit", scopes=["agents:read"])
            updated = await client.api_keys.update(created.id, name="async edited", metadata={"a": 1})
            assert isinstance(updated, models.ApiKeyResponse)
            assert (updated.name, updated.metadata) == ("async edited", {"a": 1})
            assert (await client.api_keys.disable(created.id)).enabled is False
            assert (await client.api_keys.enable(created.id)).enabled is True

    asyncio.run(main())
