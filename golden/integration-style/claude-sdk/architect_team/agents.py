"""Claude Agent SDK subagents compiled by agentc. Do not edit: rebuild with `agentc build`.

`AGENTS` holds one `AgentDefinition` per agent; the parent session picks a subagent by its
description through the Agent tool. Prompts are the files in `prompts/`, loaded as package
resources. `options()` returns the `ClaudeAgentOptions` of a session led by the entry agent.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from claude_agent_sdk import AgentDefinition, ClaudeAgentOptions

ENTRY = "architect"


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


AGENTS: dict[str, AgentDefinition] = {
    "architect": AgentDefinition(
        description="Reviews designs. Use PROACTIVELY for: architecture reviews, ADRs",
        prompt=_prompt("architect.md"),
        tools=["Read", "Grep", "Glob", "Write"],
        model="sonnet",
    ),
    "devops-engineer": AgentDefinition(
        description="Builds and runs delivery pipelines, environments and observability so that every change reaches production safely and quickly.",
        prompt=_prompt("devops_engineer.md"),
        tools=["Read", "Write", "Edit", "Bash"],
        model="inherit",
    ),
    "qa-engineer": AgentDefinition(
        description="Quality engineer who designs test strategies, builds automated suites and defines the release quality bar.",
        prompt=_prompt("qa_engineer.md"),
        tools=["Read", "Write", "Edit", "Bash", "Grep"],
        model="haiku",
    ),
    "tech-lead": AgentDefinition(
        description="Technical lead who turns product goals into an engineering plan, splits work across specialists and keeps quality, design and delivery aligned.",
        prompt=_prompt("tech_lead.md"),
        tools=["Read", "Grep", "Glob", "Bash", "Task"],
        model="opus",
    ),
}


def options(**overrides: Any) -> ClaudeAgentOptions:
    """Options for a session led by ENTRY: its prompt as the system prompt, every agent in
    `agents`. Keyword arguments override or add any ClaudeAgentOptions field."""
    entry = AGENTS[ENTRY]
    settings: dict[str, Any] = {
        "system_prompt": entry.prompt,
        "agents": AGENTS,
        "tools": ["Read", "Grep", "Glob", "Write", "Agent"],
        "model": "sonnet",
    }
    settings.update(overrides)
    return ClaudeAgentOptions(**settings)
