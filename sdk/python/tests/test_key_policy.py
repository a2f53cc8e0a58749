"""The organization's key policy: read it, change it, and see key creation refused when it breaks a rule."""

from __future__ import annotations

import asyncio

import pytest

from studio import AsyncKaizenClient, BadRequestError, models


def test_get_update_and_enforce_the_key_policy(owner):
    policy = owner.key_policy.get()
    assert isinstance(policy, models.KeyPolicyResponse)
    assert (policy.require_expiry, policy.max_lifetime_days, policy.allowed_scopes, policy.auto_revoke_unused_days) == (
        False,
        None,
        None,
        None,
    )

    updated = owner.key_policy.update(require_expiry=True, max_lifetime_days=30, allowed_scopes=["agents:read"])
    assert (updated.require_expiry, updated.max_lifetime_days, updated.allowed_scopes) == (True, 30, ["agents:read"])
    assert owner.key_policy.get() == updated

    with pytest.raises(BadRequestError) as refused:
        owner.api_keys.create(name="forever", scopes=["agents:read"])
    assert "require_expiry" in refused.value.message

    # None lifts a rule again.
    relaxed = owner.key_policy.update({"require_expiry": False, "max_lifetime_days": None, "allowed_scopes": None})
    assert (relaxed.require_expiry, relaxed.max_lifetime_days, relaxed.allowed_scopes) == (False, None, None)
    assert owner.api_keys.create(name="forever", scopes=["agents:read"]).expires_at is None


def test_async_client_reads_and_changes_the_key_policy(register, base_url):
    token = register().access_token

    async def main():
        async with AsyncKaizenClient(access_token=token, base_url=base_url) as client:
            changed = await client.key_policy.update(auto_revoke_unused_days=90)
            assert isinstance(changed, models.KeyPolicyResponse) and changed.auto_revoke_unused_days == 90
            assert (await client.key_policy.get()).auto_revoke_unused_days == 90

    asyncio.run(main())
