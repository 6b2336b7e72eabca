"""Target `codex`: Codex CLI custom agents, `.codex/agents/<name>.toml` per agent.

The fields Codex documents: `name`, `description`, `developer_instructions` (the prompt), and,
only when the source has something to say, `model` (Claude tiers mapped to OpenAI ids),
`model_reasoning_effort` (from `effort`) and `sandbox_mode` (the nearest one for the agent's
`tools`: read-only unless it may write, edit or run commands). Codex has no per-agent tool list
and no static delegation: the parent spawns a subagent by its type at run time. What is lost
is named per agent (AGC430). TOML is written by tomli-w (a real writer: prompts hold quotes,
backslashes and triple quotes) and read back with tomllib by the check below and the tests,
which also have Codex itself load every file (`codex debug prompt-input`, offline). The prompt
is a multi-line literal string ('''...''', as written) whenever TOML allows one: both tomli-w
and tomllib go through a basic string one character at a time in Python (~5 ms per 32 KB
prompt, read and written), a literal string is found with one `str.index`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

import tomli_w

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Emitted, Target, joined
from agentc.targets._shared.chars import literal_unsafe
from agentc.targets._shared.coding import loss_report, schema_problems, shown, unique_names, unsupported
from agentc.targets._shared.openai import openai_model
from agentc.targets._shared.team import prompt_text

NAME = "codex"
# Claude tiers -> the Codex catalog's models (`codex debug models`, @openai/codex 0.171.0): the most
# capable, the go-to coding model, the fast and affordable one. Override in [tool.agentc.model_map.codex].
DEFAULT_MODELS = {"opus": "gpt-6.2-astra", "sonnet": "gpt-6.2-sol", "haiku": "gpt-6-luna"}
EFFORTS = ("low", "medium", "high", "xhigh", "max")  # Claude's levels; every catalog model takes them
WRITES = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit", "Bash"})
EXPRESSED = {"model", "effort", "tools"}
# The agent file as Codex documents it (JSON Schema; checked on every build and, with jsonschema, in the tests).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "developer_instructions"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "developer_instructions": {"type": "string", "pattern": r"\S"},  # Codex: "cannot be blank"
        "nickname_candidates": {"type": "array", "items": {"type": "string"}},
        "model": {"type": "string", "minLength": 1},
        "model_reasoning_effort": {"type": "string", "enum": ["minimal", "low", "medium", "high", "xhigh", "max", "ultra"]},
        "sandbox_mode": {"type": "string", "enum": ["read-only", "workspace-write", "danger-full-access"]},
        "web_search": {"type": "string", "enum": ["disabled", "cached", "live"]},
        "mcp_servers": {"type": "object"},
        "skills": {"type": "object"},
    },
}


def agent_table(a: AgentIR, name: str, options: BuildOptions) -> tuple[dict[str, Any], list[str], list[Diagnostic]]:
    """The TOML table of one agent, what it loses, and model-map diagnostics."""
    lost = unsupported(a, EXPRESSED)
    table: dict[str, Any] = {"name": name, "description": a.description}
    model, diags = openai_model(a, NAME, options, DEFAULT_MODELS, None)
    if model:
        table["model"] = model
    if a.effort is not None:
        if a.effort in EFFORTS:
            table["model_reasoning_effort"] = a.effort
        else:
            lost.append(f"effort '{a.effort}' (no model_reasoning_effort level)")
    if a.tools is not None:
        mode = "workspace-write" if WRITES & set(a.tools) else "read-only"
        table["sandbox_mode"] = mode
        lost.append(f"tools '{shown(a.tools)}' (Codex has no per-agent tool list; nearest sandbox_mode '{mode}')")
    table[PROMPT_KEY] = prompt_text(a)  # last: the short settings stay at the top of the file
    return table, lost, diags


def parts(project: ProjectIR, options: BuildOptions) -> Iterator[Emitted]:
    """One agent's file at a time."""
    names = unique_names(project)
    for a in project.agents:
        table, lost, diags = agent_table(a, names[a.id], options)
        if project.edges_from(a.id):
            lost.append("delegation (Codex spawns subagents at run time; the prompt keeps the delegation text)")
        diags += loss_report("AGC430", NAME, a, lost)
        yield Emitted(files={f".codex/agents/{names[a.id]}.toml": dump(table)}, diagnostics=tuple(diags))


emit = joined(parts)


def dump(table: dict[str, Any]) -> str:
    """tomli-w's TOML, its last key (the prompt) as a literal string where TOML allows one."""
    *head, (key, text) = table.items()
    if not _literal_ok(text):
        return tomli_w.dumps(table, multiline_strings=True)
    settings = _plain_head(dict(head))
    return (tomli_w.dumps(dict(head)) if settings is None else settings) + f"{key}{_OPEN}{text}'''\n"


# A string tomli-w writes as it is between double quotes: no quote, backslash, DEL or control
# character but tab (what it escapes). A key it writes bare: ASCII letters, digits, `_` and `-`.
_PLAIN_VALUE = re.compile(r'[^"\\\x00-\x08\x0a-\x1f\x7f]*')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _plain_head(head: dict[str, Any]) -> str | None:
    """`tomli_w.dumps(head)` when every value is a string it writes unescaped under a bare key
    (an agent's settings, most of the time); None for any other table. tomli-w walks each
    string a character at a time in Python: ~20 us of a head of three short settings."""
    lines = []
    for key, value in head.items():
        if type(value) is not str or not _BARE_KEY.fullmatch(key) or not _PLAIN_VALUE.fullmatch(value):
            return None
        lines.append(f'{key} = "{value}"\n')
    return "".join(lines)


def _read_head(text: str) -> dict[str, Any] | None:
    """The table TOML reads from `text` when `text` is what `_plain_head` writes for some table;
    None for any other text (tomllib then reads it). Each line is split loosely, then the table
    written again: only when that gives `text` back is it the answer (so no key is there twice,
    which TOML refuses), and tomllib reads `key = "value"` of such a key and value as exactly
    that string. ~3 instead of ~20 us of tomllib's parser a head."""
    if not text.endswith("\n"):
        return None
    table = {}
    for line in text[:-1].split("\n"):
        key, eq, value = line.partition(' = "')
        if not eq or not value.endswith('"'):
            return None
        table[key] = value[:-1]
    return table if _plain_head(table) == text else None


_OPEN = " = '''\n"  # a multi-line literal string, its first newline not part of it
PROMPT_KEY = "developer_instructions"


def _literal_ok(text: str) -> bool:
    """'''text''' reads back as `text`: no ''' in it, no quote at its end (which would run into
    the closing quotes), no control character but tab and newline (so no CR either)."""
    return not text.endswith("'") and not literal_unsafe(text)


def load(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)`, the same table or the same error, without tomllib's walk through a
    literal-string prompt one character at a time (0.3 s per 1000 prompts of 32 KB).

    A file `<head>developer_instructions = '''\n<prompt>'''\n` whose head is plain `key = "string"`
    lines reads as the head's table plus the prompt exactly when the prompt holds no `'''` and no
    control character but tab and newline (TOML's rules for a multi-line literal string; one or
    two quotes at its end run into the closing ones and still belong to it). `literal_unsafe` tests
    both as the writer does, in one read of the str in C (a seed prompt: ~5 us, where `"'''" in`
    alone took ~35); a test holds it to TOML's list on every code point. Any other file, or a head
    that does not load, goes to tomllib whole; tests/test_coding_targets.py compares the two."""
    start = text.find(f"\n{PROMPT_KEY}{_OPEN}") + 1
    opened = start + len(PROMPT_KEY) + len(_OPEN)  # where the prompt begins
    prompt = text[opened:-4]
    if start and opened <= len(text) - 4 and text.endswith("'''\n") and not literal_unsafe(prompt):
        head = _read_head(text[:start])
        if head is None:
            try:
                head = tomllib.loads(text[:start])
            except tomllib.TOMLDecodeError:
                head = None
        if head is not None and PROMPT_KEY not in head and all(type(v) is str for v in head.values()):
            return {**head, PROMPT_KEY: prompt}
    return tomllib.loads(text)


def validate(files: dict[str, str]) -> list[Diagnostic]:
    """Each file re-read as TOML (`load`) and checked against SCHEMA; its name matches its file."""
    out = []
    for path, text in sorted(files.items()):
        try:
            data = load(text)
        except tomllib.TOMLDecodeError as exc:
            out.append(diag("AGC902", Span(file=path, line=1), f"emitted Codex agent is not TOML: {exc}"))
            continue
        problems = schema_problems(data, SCHEMA)
        if not problems and f"{data['name']}.toml" != path.rsplit("/", 1)[-1]:
            problems.append(f"name '{data['name']}' differs from the file name")
        out += [diag("AGC902", Span(file=path, line=1), f"emitted Codex agent breaks the documented format: {p}") for p in problems]
    return out


TARGET = Target(
    name=NAME,
    summary="Codex CLI custom agents: .codex/agents/<name>.toml (model and effort mapped, tools -> sandbox_mode)",
    emit=emit,
    emit_parts=parts,
    validate=validate,
    loads_itself=(".toml",),
    capabilities=frozenset({"delegation:runtime", "model:openai", "tools:sandbox-mode", "effort"}),
)
