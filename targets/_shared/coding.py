"""What the coding-tool targets (claude-sdk, codex, gemini, copilot) share: the loss report,
frontmatter written as YAML data, and agent names that stay unique in one folder.

The loss report is the point of these targets: converters copy a Claude agent and silently
drop what the other tool cannot hold. Here every setting the IR has and the target does not
express is named, per agent, in one info diagnostic.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, ProjectIR, held_body
from agentc.targets import Chunks, FileText, as_text, encode
from agentc.targets._shared.plainyaml import plain_yaml, read_plain

# IR field -> the Claude Code frontmatter key it came from (the names the loss report uses).
SETTINGS: dict[str, str] = {
    "tools": "tools", "disallowed_tools": "disallowedTools", "model": "model", "permission_mode": "permissionMode",
    "max_turns": "maxTurns", "skills": "skills", "mcp_servers": "mcpServers", "hooks": "hooks", "memory": "memory",
    "background": "background", "effort": "effort", "isolation": "isolation", "color": "color",
    "initial_prompt": "initialPrompt",
}


def shown(value: Any) -> str:
    """A short rendering of a setting for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value) or "(empty)"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(str(k) for k in value)) + "}"
    return str(value)


def unsupported(agent: AgentIR, expressed: set[str]) -> list[str]:
    """`key 'value'` for each setting the agent has that the target has no field for, plus its
    unknown frontmatter keys."""
    lost = [f"{key} '{shown(getattr(agent, field))}'" for field, key in SETTINGS.items()
            if field not in expressed and getattr(agent, field) is not None]
    if agent.metadata:
        lost.append("unknown key(s) " + ", ".join(sorted(agent.metadata)))
    return lost


def loss_report(code: str, target: str, agent: AgentIR, lost: list[str]) -> list[Diagnostic]:
    """One info per agent naming everything `target` cannot express (nothing when nothing is lost)."""
    if not lost:
        return []
    return [diag(code, agent.span, f"{target} cannot express for '{agent.name}': " + "; ".join(lost),
                 hint=f"left out of the {target} file; the Claude agent file keeps them")]


def unique_names(project: ProjectIR) -> dict[str, str]:
    """Agent id -> the name it gets in a flat folder: its name, or `<plugin>-<name>` when plugin
    copies of one name meet (the claude target's rule, so both outputs agree)."""
    counts: dict[str, int] = {}
    for a in project.agents:
        counts[a.name] = counts.get(a.name, 0) + 1
    return {a.id: f"{a.scope}-{a.name}" if counts[a.name] > 1 and a.scope else a.name for a in project.agents}


# libyaml's dumper is ~10x faster than PyYAML's, but writes some characters (emoji, NEL) its own
# way; on printable ASCII the two emit the same bytes, so it takes only such data (and only when
# libyaml is there): the output never depends on the machine.
_CDUMPER = getattr(yaml, "CSafeDumper", None)
_ASCII = re.compile(r"[\x20-\x7e]*")


def _plain_ascii(value: Any) -> bool:
    if isinstance(value, str):
        return _ASCII.fullmatch(value) is not None
    if isinstance(value, dict):
        return all(_plain_ascii(k) and _plain_ascii(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_ascii(v) for v in value)
    return value is None or type(value) in (bool, int)


def frontmatter_utf8(data: dict[str, Any], agent: AgentIR) -> Chunks:
    """The agent's file as UTF-8 in two pieces: `---`, the keys as YAML (`yaml_keys`), `---`, then
    the body as the agent holds it (or encoded). The file's text is never made: that copied a 32 KB
    body into a str of the whole file, then encoded it (`frontmatter_data` reads the first piece)."""
    held = held_body(agent)
    return Chunks((f"---\n{yaml_keys(data)}---\n".encode("utf-8"), held if type(held) is bytes else encode(held)))


def yaml_keys(data: dict[str, Any]) -> str:
    """The keys as YAML, dumped as data (a colon or quote in a value cannot break it). Data PyYAML
    would write all plainly is written directly (`plain_yaml`: the same bytes, 6x faster)."""
    head = plain_yaml(data)
    if head is None:
        fast = _CDUMPER is not None and _plain_ascii(data)
        head = yaml.dump(data, Dumper=_CDUMPER if fast else yaml.SafeDumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=100000)
    return head


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml reads the same YAML, ~30x faster


def read_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """The inverse of `frontmatter`, for the targets' own checks. Raises ValueError when it does not split."""
    if not text.startswith("---\n"):
        raise ValueError("no frontmatter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("frontmatter never closed")
    head = text[4:end + 1]
    data = read_plain(head)  # the head as `plain_yaml` wrote it, most of the time
    if data is None:
        data = yaml.load(head, Loader=_LOADER)
    if not isinstance(data, dict):
        raise ValueError("frontmatter is not a mapping")
    return data, text[end + 5:]


def frontmatter_data(content: FileText) -> dict[str, Any]:
    """`read_frontmatter(as_text(content))[0]`. Of a file held as UTF-8 whose first piece holds
    the frontmatter (`frontmatter_utf8`'s) only that is decoded: the checks never read the 32 KB
    body of an agent. A closing line found in the first piece is the text's first: any that ran
    on into the next piece would begin later."""
    if isinstance(content, Chunks) and content.parts:
        raw = content.parts[0]
        end = raw.find(b"\n---\n", 3)
        if raw.startswith(b"---\n") and end >= 0:  # the delimiters are ASCII: the same split as the text's
            return read_frontmatter(raw[:end + 5].decode("utf-8"))[0]
    return read_frontmatter(as_text(content))[0]


_TYPES = {"string": str, "array": list, "object": dict, "boolean": bool, "integer": int, "number": (int, float)}


def schema_problems(data: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """The problems of `data` against the small JSON Schema subset the targets document their
    formats in (type, enum, required, properties, additionalProperties: false, minLength, pattern, items).
    The tests check the same schemas with the real `jsonschema` validator. A str, a mapping and a
    list are told apart once, and a mapping's path prefix made once: the copilot check walks 24
    values per agent."""
    kind = schema.get("type")
    if kind and not (isinstance(data, _TYPES[kind]) and not (kind in ("integer", "number") and isinstance(data, bool))):
        return [f"{where or 'file'}: expected {kind}, got {type(data).__name__}"]
    out = []
    if "enum" in schema and data not in schema["enum"]:
        out.append(f"{where}: {data!r} is not one of {', '.join(map(str, schema['enum']))}")
    if isinstance(data, str):
        if len(data) < schema.get("minLength", 0):
            out.append(f"{where}: must not be empty")
        if "pattern" in schema and not re.search(schema["pattern"], data):
            out.append(f"{where}: {data[:60]!r} does not match {schema['pattern']}")
    elif isinstance(data, dict):
        props = schema.get("properties", {})
        prefix = f"{where}." if where else ""
        out += [f"{prefix}{k}: required" for k in schema.get("required", ()) if k not in data]
        closed = schema.get("additionalProperties") is False
        for k, v in data.items():
            sub = props.get(k)
            if sub is not None:
                out += schema_problems(v, sub, f"{prefix}{k}")
            elif closed:
                out.append(f"{prefix}{k}: not a documented key")
    elif isinstance(data, list) and "items" in schema:
        items = schema["items"]
        for i, v in enumerate(data):
            out += schema_problems(v, items, f"{where}[{i}]")
    return out
