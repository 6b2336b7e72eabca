"""Claude Agent SDK subagents compiled by agentc. Do not edit: rebuild with `agentc build`.

`AGENTS` holds one `AgentDefinition` per agent; the parent session picks a subagent by its
description through the Agent tool. Prompts are the files in `prompts/`, loaded as package
resources. `options()` returns the `ClaudeAgentOptions` of a session led by the entry agent.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from claude_agent_sdk import AgentDefinition, ClaudeAgentOptions

ENTRY = "sim-lead"


def _prompt(file: str) -> str:
    return resources.files(__package__).joinpath("prompts", file).read_text(encoding="utf-8")


AGENTS: dict[str, AgentDefinition] = {
    "mesh-builder": AgentDefinition(
        description="Prepares geometry and builds computational meshes, including convergence studies and boundary layer refinement for flow and structural simulations.",
        prompt=_prompt("mesh_builder.md"),
        tools=["Read", "Write", "Edit", "Bash"],
        model="haiku",
    ),
    "sim-lead": AgentDefinition(
        description='Simulation lead for computational mechanics campaigns. Plans the sequence of meshing, solver configuration and validation, then assembles the results into a defensible report.\n\n<example>\nContext: The user has a CAD model of a heat exchanger and wants a pressure-drop prediction they can trust.\nuser: "Can you set up a CFD study for this exchanger and tell me how confident we should be in the pressure drop?"\nassistant: "I\'ll plan the whole campaign: a mesh convergence study first, then solver settings, then a comparison against the vendor\'s test data."\n<commentary>\nThe request spans several stages and ends in a confidence statement, which is exactly the planning and coordination work this lead owns.\n</commentary>\n</example>',
        prompt=_prompt("sim_lead.md"),
        model="opus",
    ),
    "sim-validator": AgentDefinition(
        description="Validates simulation results against experiments, analytical solutions and benchmark cases, and quantifies the remaining error.",
        prompt=_prompt("sim_validator.md"),
        tools=["Read", "Bash", "Grep", "Glob"],
        model="sonnet",
        skills=["uncertainty-quantification", "benchmark-library"],
        maxTurns=20,
        effort="high",
    ),
    "solver-tuner": AgentDefinition(
        description="Tunes numerical solver settings such as time step, relaxation, discretization schemes and linear solvers to reach stable, efficient convergence.",
        prompt=_prompt("solver_tuner.md"),
        tools=["Read", "Edit", "Bash"],
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
        "model": "opus",
    }
    settings.update(overrides)
    return ClaudeAgentOptions(**settings)
