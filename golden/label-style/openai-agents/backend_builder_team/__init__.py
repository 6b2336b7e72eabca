"""An OpenAI Agents SDK team compiled by agentc: `build_agents()` and `entry_agent()`."""

from .team import ENTRY, MODELS, build_agents, entry_agent

__all__ = ["ENTRY", "MODELS", "build_agents", "entry_agent"]
