"""The specification's three lines, and the READMEs' example, run as written against the real server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_the_spec_example_lists_the_organizations_agents(owner, make_key, base_url, monkeypatch):
    triage = owner.agents.create(name="Support triage", model="gpt-4o")
    key = make_key(["agents:read", "deployments:write"]).key
    monkeypatch.setenv("KAIZEN_BASE_URL", base_url)  # the spec's lines name no server: the default comes from here

    # The spec's three lines, with a real key in place of its placeholder:
    from studio import KaizenClient
    client = KaizenClient(api_key=key)
    agents = client.agents.list()

    assert agents.data == [triage]
    assert agents.next_cursor is None
    assert agents.data[0].name == "Support triage"


def readme_example(readme: Path) -> str:
    """The README's ```python block that starts with `# example.py`."""
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)
    examples = [block for block in blocks if block.startswith("# example.py")]
    assert examples, f"{readme} has no ```python block starting with '# example.py'"
    return examples[0]


@pytest.mark.parametrize("readme", ["README.md", "sdk/python/README.md"])
def test_the_readme_example_runs_as_written(readme, owner, make_key, base_url, tmp_path):
    owner.agents.create(name="Support triage")
    key = make_key(["agents:read"]).key
    script = tmp_path / "example.py"
    script.write_text(readme_example(ROOT / readme))
    result = subprocess.run(
        [sys.executable, str(script)],
        env={"KAIZEN_API_KEY": key, "KAIZEN_BASE_URL": base_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Support triage" in result.stdout
