"""Claude Code's frontmatter keys: their types, their allowed values, and the checks on them.

Facts from the Claude Code sub-agents docs (v2.1.240, Aug 2026). Errors are for what makes
Claude Code skip or misload the file; warnings for what it tolerates.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from agentc.compiler import lazyre
from agentc.compiler.diagnostics import Diagnostic, diag, did_you_mean
from agentc.compiler.frontmatter import Entry
from agentc.compiler.lazyre import lazy_compile
from agentc.compiler.names import reserved, unwritable

# frontmatter key -> AgentIR field
KNOWN_KEYS = {
    "name": "name",
    "description": "description",
    "tools": "tools",
    "disallowedTools": "disallowed_tools",
    "model": "model",
    "permissionMode": "permission_mode",
    "maxTurns": "max_turns",
    "skills": "skills",
    "mcpServers": "mcp_servers",
    "hooks": "hooks",
    "memory": "memory",
    "background": "background",
    "effort": "effort",
    "isolation": "isolation",
    "color": "color",
    "initialPrompt": "initial_prompt",
}

CHOICES = {
    "permissionMode": ("default", "acceptEdits", "auto", "dontAsk", "bypassPermissions", "plan", "manual"),
    "memory": ("user", "project", "local"),
    "effort": ("low", "medium", "high", "xhigh", "max"),
    "isolation": ("worktree",),
    "color": ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"),
}

MODEL_ALIASES = ("sonnet", "opus", "haiku", "fable", "inherit")

TOOLS = frozenset(
    "Agent Artifact AskUserQuestion Bash CronCreate CronDelete CronList Edit EndConversation "
    "EnterPlanMode EnterWorktree ExitPlanMode ExitWorktree Glob Grep ListAgents "
    "ListMcpResourcesTool LSP Monitor NotebookEdit PowerShell PushNotification Read "
    "ReadMcpResourceTool RemoteTrigger ReportFindings ScheduleWakeup SendMessage SendUserFile "
    "ShareOnboardingGuide Skill TaskCreate TaskGet TaskList TaskOutput TaskStop TaskUpdate "
    "TodoWrite ToolSearch WaitForMcpServers WebFetch WebSearch Workflow Write".split()
)
LEGACY_TOOLS = {"Task": "Agent", "MultiEdit": "Edit", "LS": "Glob"}

NAME_RULE = lazy_compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# What a name loses as a Python identifier (AGC141), compiled from lazyre's kept code: every agent's name asks.
_NOT_IDENT = lazyre.compile(r"[^0-9a-zA-Z_]+")


def _norm(key: str) -> str:
    return re.sub(r"[-_\s]", "", key).lower()


def near_miss(key: str) -> str | None:
    """The known key an unknown key was probably meant to be (`tool`, `descriptoin`, `max_turns`)."""
    for known in KNOWN_KEYS:
        if _norm(known) == _norm(key):
            return known
    return did_you_mean(key, KNOWN_KEYS, cutoff=0.8)


def excerpt_of(lines: list[str], entry: Entry) -> str | None:
    return lines[entry.span.line - 1] if 0 < entry.span.line <= len(lines) else None


def check_name(name: str, entry: Entry, lines: list[str]) -> list[Diagnostic]:
    ex = excerpt_of(lines, entry)
    if ":" in name:
        return [diag("AGC112", entry.span, f"name '{name}' contains ':', which Claude Code reserves for plugin-scoped ids; the file will not load",
                     hint=f"use '{name.replace(':', '-')}'", excerpt=ex)]
    if name.startswith("-"):
        return [diag("AGC112", entry.span, f"name '{name}' starts with '-'; Claude Code skips the file",
                     hint=f"use '{name.lstrip('-')}'", excerpt=ex)]
    if not name.strip():
        return [diag("AGC112", entry.span, "name is empty", excerpt=ex)]
    why = unwritable(name)
    if why:
        shown = name.encode("unicode_escape").decode("ascii")[:60]
        return [diag("AGC140", entry.span, f"name '{shown}' {why}",
                     hint="use lowercase letters, digits and hyphens", excerpt=ex)]
    out = []
    ident = _NOT_IDENT.sub("_", name).strip("_").lower()
    if reserved(ident):
        out.append(diag("AGC141", entry.span, f"'{ident}' is reserved in generated Python; the code targets call this agent "
                        f"'{ident}_agent'", hint=("a Python keyword: langgraph, openai-agents and crewai cannot use it as is"
                                                  if keyword.iskeyword(ident) else
                                                  f"crewai's generated crew class uses '{ident}' itself; langgraph and "
                                                  "openai-agents rename it alike") + "; rename the agent to keep its name",
                        excerpt=ex))
    if not NAME_RULE.match(name):
        fixed = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        out.append(diag("AGC113", entry.span, f"name '{name}' is not lowercase letters, digits and hyphens",
                        hint=f"Claude Code documents names like '{fixed}'", excerpt=ex))
    elif not 3 <= len(name) <= 50:
        out.append(diag("AGC113", entry.span, f"name '{name}' is {len(name)} characters; plugin guidance is 3 to 50",
                        excerpt=ex))
    return out


def as_str_list(value: Any) -> list[str] | None:
    """A comma string or a YAML list of strings; None when it is neither."""
    if isinstance(value, str):
        return _split_commas(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def _split_commas(text: str) -> list[str]:
    """Split on commas outside parentheses, so `Agent(a, b)` stays one entry."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def check_tools(tools: list[str], entry: Entry, lines: list[str]) -> list[Diagnostic]:
    """One diagnostic per kind of problem, naming every offending entry."""
    ex = excerpt_of(lines, entry)
    unknown, legacy = [], []
    for tool in tools:
        base = tool.split("(", 1)[0].strip()
        if base.startswith("mcp__") or base in TOOLS:
            continue
        (legacy if base in LEGACY_TOOLS else unknown).append(base)
    out = []
    if legacy:
        now = ", ".join(f"{t} -> {LEGACY_TOOLS[t]}" for t in legacy)
        out.append(diag("AGC133", entry.span, f"legacy tool name(s): {', '.join(legacy)}",
                        hint=f"Claude Code now calls them: {now}", excerpt=ex))
    if unknown:
        close = [f"'{t}' -> '{m}'" for t in unknown if (m := did_you_mean(t, TOOLS, cutoff=0.7))]
        out.append(diag("AGC132", entry.span,
                        f"not Claude Code tools, dropped silently by Claude Code: {', '.join(unknown)}",
                        hint=("did you mean " + ", ".join(close) + "?") if close
                        else "list built-in tools (Read, Bash, ...) or mcp__server__tool entries",
                        excerpt=ex))
    return out
