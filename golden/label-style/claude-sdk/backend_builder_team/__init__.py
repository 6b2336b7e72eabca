"""Claude Agent SDK subagents compiled by agentc: `AGENTS` and `options()`."""

from .agents import AGENTS, ENTRY, options

__all__ = ["AGENTS", "ENTRY", "options"]
