"""Agents, deployments, pipelines, gateways and metrics with an API key: typed models, CRUD, pagination."""

from __future__ import annotations

import pytest

from studio import KaizenClient, NotFoundError, models

ALL_WRITE = ["agents:write", "deployments:write", "pipelines:write", "gateways:write", "metrics:read"]


@pytest.fixture
def client(make_key, base_url):
    with KaizenClient(api_key=make_key(ALL_WRITE).key, base_url=base_url) as client:
        yield client


def test_crud_on_every_resource_returns_the_generated_models(client):
    agent = client.agents.create(name="Summarizer", model="gpt-4o")
    assert isinstance(agent, models.AgentResponse)
    assert (agent.name, agent.model, agent.status, agent.description) == ("Summarizer", "gpt-4o", "active", None)
    assert client.agents.get(agent.id) == agent
    assert client.agents.update(agent.id, status="inactive").status == "inactive"

    deployment = client.deployments.create({"agent_id": agent.id, "environment": "staging", "version": "1.0.0"})
    assert isinstance(deployment, models.DeploymentResponse)
    assert client.deployments.get(deployment.id) == deployment
    assert client.deployments.list(limit=10).data == [deployment]
    assert client.deployments.update(deployment.id, status="running").status == "running"

    pipeline = client.pipelines.create(name="Nightly", steps=[{"name": "fetch", "action": "http.get"}])
    assert pipeline.steps == [{"name": "fetch", "action": "http.get"}]
    assert client.pipelines.get(pipeline.id) == pipeline
    assert client.pipelines.update(pipeline.id, steps=[]).steps == []

    gateway = client.gateways.create(name="EU edge", url="https://eu.gateway.example.com")
    assert isinstance(gateway, models.GatewayResponse)
    assert client.gateways.list().data == [gateway]
    assert client.gateways.update(gateway.id, name="EU edge 2").name == "EU edge 2"

    metrics = client.metrics.get()
    assert isinstance(metrics, models.MetricsResponse)
    assert isinstance(metrics.resources, models.ResourceCounts)
    assert (metrics.resources.agents, metrics.resources.deployments, metrics.resources.pipelines, metrics.resources.gateways) == (1, 1, 1, 1)
    assert metrics.requests.request_count > 0

    for resource, id in [
        (client.deployments, deployment.id),
        (client.pipelines, pipeline.id),
        (client.gateways, gateway.id),
        (client.agents, agent.id),
    ]:
        assert resource.delete(id) is None
        with pytest.raises(NotFoundError):
            resource.get(id)


def test_list_all_pages_through_everything_in_list_order(client):
    created = [client.agents.create(name=f"agent {i}").id for i in range(5)]
    newest_first = list(reversed(created))
    assert [agent.id for agent in client.agents.list(limit=100).data] == newest_first

    seen = []
    for agent in client.agents.list_all(limit=2):
        assert isinstance(agent, models.AgentResponse)
        seen.append(agent.id)
    assert seen == newest_first

    # Later pages are fetched only when the loop reaches them.
    first_two = []
    for agent in client.agents.list_all(limit=2):
        first_two.append(agent.id)
        if len(first_two) == 2:
            break
    assert first_two == newest_first[:2]


def test_list_all_on_every_collection(client):
    agent = client.agents.create(name="a")
    client.deployments.create(agent_id=agent.id, environment="production", version="2")
    client.pipelines.create(name="p", steps=[])
    client.gateways.create(name="g", url="http://gw.example.com")
    for resource in (client.agents, client.deployments, client.pipelines, client.gateways):
        assert list(resource.list_all(limit=1)) == resource.list(limit=100).data
