"""An OpenAI Agents SDK team compiled by agentc: `build_agents()`, `entry_agent()`, `run_team()`."""

from database_designer_team.run import (
    TeamResult,
    run_team,
)
from database_designer_team.team import (
    ENTRY,
    MODELS,
    TeamError,
    build_agents,
    entry_agent,
)

__all__ = ["ENTRY", "MODELS", "TeamError", "TeamResult", "build_agents", "entry_agent", "run_team"]
