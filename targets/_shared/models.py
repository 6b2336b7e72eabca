"""The model map: an agent's `model` (an alias, a full Claude id or inherit) to a target's model id."""

from __future__ import annotations

from collections.abc import Callable

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR
from agentc.compiler.options import BuildOptions


def map_model(agent: AgentIR, target: str, options: BuildOptions, defaults: dict[str, str],
              full_id: Callable[[str], str] | None = None) -> tuple[str | None, list[Diagnostic]]:
    """The agent's `model` through the target's map (config first, then the target's defaults).

    `full_id` names a full Claude id (`claude-…`) that the map has no entry for, for targets
    that can reach Anthropic directly. None means "inherit": the generated code uses the model
    the caller injects."""
    written = agent.model or "inherit"
    table = {**defaults, **options.model_map.get(target, {})}
    if written in table:
        return table[written] or None, []
    if written == "inherit":
        return None, []
    if full_id is not None and written.startswith("claude-"):
        return full_id(written), []
    if written.startswith("claude-") or written in ("sonnet", "opus", "haiku", "fable"):
        return None, [diag("AGC806", agent.where("model"), f"model '{written}' of '{agent.name}' has no mapping for target '{target}'; "
                           "the generated code uses the injected default model",
                           hint=f"add it under [tool.agentc.model_map.{target}]")]
    return written, []
