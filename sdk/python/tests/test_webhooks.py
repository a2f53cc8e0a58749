"""Webhook endpoints: create (secret once), list, get, update, test ping, delivery log, redeliver, delete."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import pytest

from studio import AsyncKaizenClient, NotFoundError, models


def signature_ok(secret: str, request: dict) -> bool:
    """The Standard Webhooks check: HMAC-SHA256 over ``id.timestamp.body`` with the secret after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    headers = request["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(part == f"v1,{expected}" for part in headers["webhook-signature"].split(" "))


def settled(deliveries, delivery_id: str, timeout: float = 20.0) -> models.WebhookDeliveryResponse:
    """The delivery once it is no longer pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [d for d in deliveries().data if d.id == delivery_id]
        if found and found[0].status != "pending":
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery_id} still pending after {timeout} s")


def test_webhook_endpoint_lifecycle_with_a_signed_test_ping_and_a_redelivery(owner, receiver):
    created = owner.webhooks.create(url=receiver.url, events=["api_key.created"], description="SDK test")
    assert isinstance(created, models.CreatedWebhookEndpointResponse)
    assert created.secret.startswith("whsec_")
    assert (created.url, created.events, created.enabled, created.description) == (
        receiver.url,
        ["api_key.created"],
        True,
        "SDK test",
    )

    fetched = owner.webhooks.get(created.id)
    assert isinstance(fetched, models.WebhookEndpointResponse) and not hasattr(fetched, "secret")
    assert [e.id for e in owner.webhooks.list().data] == [created.id]
    assert [e.id for e in owner.webhooks.list_all(limit=1)] == [created.id]

    updated = owner.webhooks.update(created.id, events=["api_key.created", "api_key.revoked"], description="renamed")
    assert (sorted(updated.events), updated.description) == (["api_key.created", "api_key.revoked"], "renamed")

    accepted = owner.webhooks.test(created.id)
    delivery = settled(lambda: owner.webhooks.deliveries(created.id), accepted.delivery_id)
    assert isinstance(delivery, models.WebhookDeliveryResponse)
    assert (delivery.event_type, delivery.status, delivery.last_status_code) == ("webhook.test", "succeeded", 200)
    assert delivery.attempts >= 1
    [ping] = receiver.wait_for(1)
    assert json.loads(ping["body"])["type"] == "webhook.test"
    assert signature_ok(created.secret, ping)

    assert owner.webhooks.redeliver(created.id, delivery.id) is None
    first, again = receiver.wait_for(2)[:2]
    assert again["headers"]["webhook-id"] == first["headers"]["webhook-id"]
    assert signature_ok(created.secret, again)

    rotated = owner.webhooks.rotate_secret(created.id)
    assert isinstance(rotated, models.WebhookSecretResponse)
    assert rotated.secret.startswith("whsec_") and rotated.secret != created.secret
    owner.webhooks.test(created.id)
    third = receiver.wait_for(3)[2]
    assert signature_ok(rotated.secret, third) and not signature_ok(created.secret, third)

    assert owner.webhooks.update(created.id, enabled=False).enabled is False
    assert owner.webhooks.delete(created.id) is None
    with pytest.raises(NotFoundError):
        owner.webhooks.get(created.id)


def test_async_client_manages_webhooks(register, receiver, base_url):
    token = register().access_token

    async def main():
        async with AsyncKaizenClient(access_token=token, base_url=base_url) as client:
            created = await client.webhooks.create(url=receiver.url, events=["member.added"])
            assert isinstance(created, models.CreatedWebhookEndpointResponse)
            assert [e.id async for e in client.webhooks.list_all()] == [created.id]
            assert (await client.webhooks.update(created.id, url=receiver.url + "/v2")).url == receiver.url + "/v2"
            accepted = await client.webhooks.test(created.id)
            await asyncio.to_thread(receiver.wait_for, 1)
            page = await client.webhooks.deliveries(created.id, limit=10)
            assert isinstance(page, models.WebhookDeliveryPageResponse)
            assert accepted.delivery_id in [d.id for d in page.data]
            assert await client.webhooks.redeliver(created.id, accepted.delivery_id) is None
            await asyncio.to_thread(receiver.wait_for, 2)
            await client.webhooks.delete(created.id)
            assert (await client.webhooks.list()).data == []

    asyncio.run(main())
    assert [json.loads(r["body"])["type"] for r in receiver.received] == ["webhook.test", "webhook.test"]
