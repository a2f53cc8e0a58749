"""User-token mode: log in, then manage API keys, the organization, its members and read the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from studio import (
    AuthenticationError,
    ConflictError,
    KaizenClient,
    NotFoundError,
    PermissionDeniedError,
    models,
)



def test_login_returns_a_session_whose_token_manages_keys(base_url, register, password):
    registered = register()
    client = KaizenClient(base_url=base_url)
    session = client.auth.login(email=registered.user.email, password=password)
    assert isinstance(session, models.SessionResponse)
    assert (session.token_type, session.role, session.organization.id) == ("Bearer", "owner", registered.organization.id)

    user = client.with_options(access_token=session.access_token)
    me = user.auth.me()
    assert (me.user.id, me.role) == (registered.user.id, "owner")
    scopes = user.api_keys.scopes()
    assert len(scopes.data) == 9 and all(isinstance(s, models.ScopeResponse) for s in scopes.data)

    with pytest.raises(AuthenticationError):
        client.auth.login(email=registered.user.email, password="wrong password")


def test_create_list_get_usage_rotate_and_revoke_a_key(owner, base_url):
    created = owner.api_keys.create(name="deployer", scopes=["agents:read"], rate_limit=50)
    assert isinstance(created, models.CreatedApiKeyResponse)
    assert created.key.startswith(created.key_prefix + "_")
    old = KaizenClient(api_key=created.key, base_url=base_url)
    old.agents.list()

    assert created.id in [key.id for key in owner.api_keys.list(status="active", limit=100).data]
    assert [key.id for key in owner.api_keys.list_all(limit=1)] == [key.id for key in owner.api_keys.list(limit=100).data]
    fetched = owner.api_keys.get(created.id)
    assert (fetched.name, fetched.status, fetched.rate_limit, fetched.scopes) == ("deployer", "active", 50, ["agents:read"])
    assert not hasattr(fetched, "key")
    usage = owner.api_keys.usage(created.id)
    assert (usage.key_id, usage.rate_limit, usage.request_count) == (created.id, 50, 1)
    since = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    history = owner.api_keys.usage_history(created.id, granularity="hour", from_=since)  # `from` on the wire
    assert isinstance(history, models.UsageHistoryResponse)
    assert all(isinstance(bucket, models.UsageBucketResponse) for bucket in history.data)

    rotated = owner.api_keys.rotate(created.id, grace_period_seconds=0)
    assert isinstance(rotated, models.RotatedApiKeyResponse)
    assert (rotated.rotated_from.id, rotated.name, rotated.scopes) == (created.id, "deployer", ["agents:read"])
    with pytest.raises(AuthenticationError):
        old.agents.list()
    current = KaizenClient(api_key=rotated.key, base_url=base_url)
    current.agents.list()

    assert owner.api_keys.revoke(rotated.id) is None
    with pytest.raises(AuthenticationError) as revoked:
        current.agents.list()
    assert "revoked" in revoked.value.message
    assert owner.api_keys.get(rotated.id).status == "revoked"
    with pytest.raises(ConflictError):
        owner.api_keys.rotate(rotated.id)


def test_an_api_key_cannot_manage_keys(make_key, base_url):
    client = KaizenClient(api_key=make_key(["agents:read"]).key, base_url=base_url)
    for call in (client.api_keys.list, client.organizations.get, client.members.list, client.audit_logs.list):
        with pytest.raises(PermissionDeniedError):
            call()


def test_organization_members_and_audit_log(owner, base_url, password):
    assert owner.organizations.update(name="Acme Renamed").name == "Acme Renamed"
    assert owner.organizations.get().name == "Acme Renamed"

    email = f"dev-{uuid.uuid4()}@example.com"
    added = owner.members.add(email=email, password=password, name="Dev", role="developer")
    assert isinstance(added, models.MemberResponse) and added.role == "developer"
    assert added in owner.members.list(limit=100).data
    assert [m.user_id for m in owner.members.list_all(limit=1)] == [m.user_id for m in owner.members.list(limit=100).data]
    assert owner.members.update(added.user_id, role="viewer").role == "viewer"

    developer = owner.with_options(access_token=KaizenClient(base_url=base_url).auth.login(email=email, password=password).access_token)
    with pytest.raises(PermissionDeniedError):
        developer.members.remove(added.user_id)
    assert owner.members.remove(added.user_id) is None
    with pytest.raises(NotFoundError):
        owner.members.remove(added.user_id)

    log = owner.audit_logs.list(target_id=added.user_id)
    assert [entry.action for entry in log.data] == ["member.removed", "member.role_changed", "member.added"]
    assert all(isinstance(entry, models.AuditLogResponse) for entry in log.data)
    assert [e.id for e in owner.audit_logs.list_all(limit=1, target_id=added.user_id)] == [e.id for e in log.data]
    assert owner.audit_logs.list(action="member.added", from_="2000-01-01T00:00:00Z").data[0].target_id == added.user_id
