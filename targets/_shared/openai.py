"""What the two OpenAI targets share: the default model map, tool names, dangling delegates.

`openai` (Assistants JSON) and `openai-agents` (Agents SDK code) both turn a delegation edge
into a function-call name that OpenAI restricts to `^[a-zA-Z0-9_-]{1,64}$`, and both have to
decide what to do with a delegate that is not in the build. Doing it in one place keeps the
two outputs naming the same edge the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR
from agentc.compiler.options import BuildOptions
from agentc.targets._shared.models import map_model
from agentc.targets._shared.naming import snake

# Claude tiers -> OpenAI model ids, by capability tier (documented in the README, overridable
# per target in [tool.agentc.model_map.openai] / [tool.agentc.model_map.openai-agents]).
DEFAULT_MODELS: dict[str, str] = {"opus": "gpt-5.5", "sonnet": "gpt-5.4", "haiku": "gpt-5.4-mini"}
# An assistant must name a model; "inherit" has no caller to inherit from in a JSON file.
ASSISTANT_FALLBACK_MODEL = "gpt-5.4"

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_TOOL_NAME = 64


def openai_model(agent: AgentIR, target: str, options: BuildOptions, defaults: dict[str, str],
                 fallback: str | None) -> tuple[str | None, list[Diagnostic]]:
    """`common.map_model`, plus: a full Claude id (`claude-opus-4-5`) with no entry of its own
    takes its family's mapping, with a warning, and an unmapped one says what is used instead."""
    written = agent.model or "inherit"
    table = {**defaults, **options.model_map.get(target, {})}
    family = next((f for f in ("opus", "sonnet", "haiku") if f in written), None)
    if written.startswith("claude-") and written not in table and family in table and table[family]:
        return table[family], [diag("AGC706", agent.where("model"), f"model '{written}' of '{agent.name}' has no entry for target "
                                    f"'{target}'; it takes the '{family}' mapping: '{table[family]}'",
                                    hint=f"map it explicitly under [tool.agentc.model_map.{target}]")]
    model, diags = map_model(agent, target, options, defaults)
    if model is None and fallback is not None:
        diags = [replace(d, message=d.message.split(";")[0] + f"; the assistant uses '{fallback}'")
                 for d in diags]
        return fallback, diags
    return model, diags


def tool_name(prefix: str, target_name: str, taken: set[str]) -> tuple[str, str | None]:
    """`<prefix><snake name>`, valid for OpenAI and unique among `taken` (which it extends).

    snake_case on purpose: the Agents SDK rewrites hyphens in handoff tool names (with a
    warning), so the name the model sees would differ from the one agentc reports.
    Returns the name and, when it had to be changed, why."""
    base = f"{prefix}{snake(target_name)}"
    name, why = base, None
    if len(name) > MAX_TOOL_NAME:
        digest = hashlib.sha1(base.encode("utf-8")).hexdigest()[:8]
        name = f"{base[:MAX_TOOL_NAME - 9]}_{digest}"
        why = f"shortened to {MAX_TOOL_NAME} characters"
    n = 2
    unique = name
    while unique in taken:
        suffix = f"_{n}"
        unique = name[:MAX_TOOL_NAME - len(suffix)] + suffix
        n += 1
    if unique != name:
        why = f"'{name}' is already used by another delegate of the same agent"
    taken.add(unique)
    return unique, why


def truncate_words(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word boundary not too far back; else cut mid-word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def file_stem(name: str) -> str:
    """A file name for an agent name: spaces and other unsafe characters become '-'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "agent"


CODES = ("AGC710", "AGC711", "AGC712")  # the OpenAI targets' stub / drop / error diagnostics


def stub_prompt(name: str) -> str:
    """Instructions for a placeholder agent: say plainly that the specialist is missing."""
    return (
        f"You stand in for the '{name}' agent, which was not part of this build.\n"
        "Tell the user that this specialist is not available, summarise the request you were "
        "handed so a person can route it, and do not attempt the task yourself.\n"
    )


# Claude Code settings an OpenAI assistant or Agents SDK agent has no field for.
CLAUDE_ONLY = ("tools", "disallowed_tools", "color", "effort", "skills", "memory", "permission_mode", "isolation",
               "background", "initial_prompt", "mcp_servers", "hooks", "max_turns")


def claude_only_settings(agents: list[AgentIR], target: str) -> list[Diagnostic]:
    """One info per target naming the Claude Code settings that are not carried over."""
    used = {f: [a for a in agents if getattr(a, f) is not None] for f in CLAUDE_ONLY}
    used = {f: found for f, found in used.items() if found}
    if not used:
        return []
    first = min((a for found in used.values() for a in found), key=lambda a: (a.file, a.span.line))
    listed = ", ".join(f"{f} ({len(found)} agent{'s' if len(found) > 1 else ''})" for f, found in used.items())
    return [diag("AGC707", first.span, f"Claude Code settings with no {target} counterpart are not emitted: {listed}",
                 hint="the prompts are kept whole; give the OpenAI agents their tools and limits in code")]
