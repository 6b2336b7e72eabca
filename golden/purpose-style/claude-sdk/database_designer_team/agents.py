"""Claude Agent SDK subagents compiled by agentc. Do not edit: rebuild with `agentc build`.

`AGENTS` holds one `AgentDefinition` per agent; the parent session picks a subagent by its
description through the Agent tool. Prompts are the files in `prompts/`, loaded as package
resources. `options()` returns the `ClaudeAgentOptions` of a session led by the entry agent.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from claude_agent_sdk import AgentDefinition, ClaudeAgentOptions

ENTRY = "database-designer"


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


AGENTS: dict[str, AgentDefinition] = {
    "api-designer": AgentDefinition(
        description="Designs public and internal HTTP contracts, including resource models, versioning, pagination and error formats. Use PROACTIVELY before any new endpoint is implemented.",
        prompt=_prompt("api_designer.md"),
        tools=["Read", "Write", "Grep"],
        model="sonnet",
    ),
    "cloud-planner": AgentDefinition(
        description="Plans cloud infrastructure for data-heavy services, covering managed database tiers, network layout, backups and cost forecasts. Use PROACTIVELY when a service moves to production or its footprint changes.",
        prompt=_prompt("cloud_planner.md"),
        model="claude-sonnet-4-5",
    ),
    "database-designer": AgentDefinition(
        description="Relational and document schema designer for transactional services. Shapes tables, keys, indexes and migration plans around real access patterns. Use PROACTIVELY when a new service needs a data model or an existing schema blocks a feature.",
        prompt=_prompt("database_designer.md"),
        tools=["Read", "Write", "Edit", "Grep", "Glob"],
        model="opus",
    ),
    "performance-tuner": AgentDefinition(
        description="Finds and fixes slow queries, lock contention and cache misses in production data paths. Use PROACTIVELY when latency budgets slip or database load climbs.",
        prompt=_prompt("performance_tuner.md"),
        tools=["Read", "Bash", "Grep", "Glob"],
        model="inherit",
    ),
}


def options(**overrides: Any) -> ClaudeAgentOptions:
    """Options for a session led by ENTRY: its prompt as the system prompt, every agent in
    `agents`. Keyword arguments override or add any ClaudeAgentOptions field."""
    entry = AGENTS[ENTRY]
    settings: dict[str, Any] = {
        "system_prompt": entry.prompt,
        "agents": AGENTS,
        "tools": ["Read", "Write", "Edit", "Grep", "Glob", "Agent"],
        "model": "opus",
    }
    settings.update(overrides)
    return ClaudeAgentOptions(**settings)
