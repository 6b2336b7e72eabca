"""Claude Agent SDK subagents compiled by agentc. Do not edit: rebuild with `agentc build`.

`AGENTS` holds one `AgentDefinition` per agent; the parent session picks a subagent by its
description through the Agent tool. Prompts are the files in `prompts/`, loaded as package
resources. `options()` returns the `ClaudeAgentOptions` of a session led by the entry agent.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from claude_agent_sdk import AgentDefinition, ClaudeAgentOptions

ENTRY = "backend-builder"


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


AGENTS: dict[str, AgentDefinition] = {
    "backend-builder": AgentDefinition(
        description="Senior backend builder for service endpoints, background jobs and data access layers. Drives server-side features from contract to production-ready code with tests.",
        prompt=_prompt("backend_builder.md"),
        tools=["Read", "Write", "MultiEdit", "Task"],
        model="sonnet",
    ),
    "frontend-builder": AgentDefinition(
        description="Builds accessible, responsive user interfaces from design specs and API contracts. Handles component structure, state management and client-side performance.",
        prompt=_prompt("frontend_builder.md"),
        tools=["Read", "Write", "Edit", "Bash", "Glob"],
    ),
    "release-manager": AgentDefinition(
        description="Plans and runs releases, including versioning, changelogs, staged rollouts and rollbacks.",
        prompt=_prompt("release_manager.md"),
        tools=["Read", "Write", "Bash"],
        model="inherit",
    ),
    "test-runner": AgentDefinition(
        description="Maintains the automated test suites, keeps them fast and trustworthy, and reports coverage and flakiness trends.",
        prompt=_prompt("test_runner.md"),
        tools=["Read", "Bash", "Grep", "Glob"],
        model="haiku",
    ),
}


def options(**overrides: Any) -> ClaudeAgentOptions:
    """Options for a session led by ENTRY: its prompt as the system prompt, every agent in
    `agents`. Keyword arguments override or add any ClaudeAgentOptions field."""
    entry = AGENTS[ENTRY]
    settings: dict[str, Any] = {
        "system_prompt": entry.prompt,
        "agents": AGENTS,
        "tools": ["Read", "Write", "MultiEdit", "Task"],
        "model": "sonnet",
    }
    settings.update(overrides)
    return ClaudeAgentOptions(**settings)
