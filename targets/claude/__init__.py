"""Target `claude`: Claude Code subagent files with frontmatter Claude Code cannot skip.

`.claude/agents/<name>.md` per agent, or a plugin bundle (`.claude-plugin/plugin.json` +
`agents/`). The body is written back byte for byte; only the frontmatter is normalised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from agentc.compiler import lazyre, plainscalar
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.graph import name_counts
from agentc.compiler.ir import AgentIR, ProjectIR, held_body
from agentc.compiler.lazyre import load_yaml
from agentc.compiler.nesting import nesting_report
from agentc.compiler.options import BuildOptions
from agentc.targets import Chunks, Emitted, FileText, Target, encode, joined

# IR field -> frontmatter key, in the order Claude Code's docs list them.
ORDER = (
    ("name", "name"), ("description", "description"), ("tools", "tools"),
    ("disallowed_tools", "disallowedTools"), ("model", "model"), ("permission_mode", "permissionMode"),
    ("max_turns", "maxTurns"), ("skills", "skills"), ("mcp_servers", "mcpServers"), ("hooks", "hooks"),
    ("memory", "memory"), ("background", "background"), ("effort", "effort"), ("isolation", "isolation"),
    ("color", "color"), ("initial_prompt", "initialPrompt"),
)
PLUGIN_IGNORES = ("hooks", "mcpServers", "permissionMode")
COLORS = {"magenta": "purple", "violet": "purple", "grey": None, "gray": None, "white": None, "black": None}
MAX_DEPTH = 5  # subagents may spawn subagents this deep (Claude Code >= 2.1.172)
DOC_COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")


# Agent files to a part (Target.emit_parts). Each part costs the build a validation, a sink and a
# writer call of its own: one part an agent cost ~48K instructions an agent more (100 seed agents,
# callgrind: the emission 49.5M -> 44.7M); a part of 64 seed agents holds ~2 MB of text.
BATCH = 64


def parts(project: ProjectIR, options: BuildOptions) -> Iterator[Emitted]:
    """The agents' files, up to BATCH to a part, then a plugin's manifests and the graph's
    diagnostics. An agent whose path is already in the part starts the next one: the build
    reports a path made twice only across parts (api.build_each, AGC902), a dict would hide it."""
    counts = name_counts(project)
    scopes = sorted({a.scope or "" for a in project.agents})
    bundles = options.plugin and len(scopes) > 1
    files: dict[str, FileText] = {}
    diags: list[Diagnostic] = []
    for a in project.agents:
        own: list[Diagnostic] = []
        name = _output_name(a, counts, options, own)
        if not options.plugin:
            path = f".claude/agents/{name}.md"
        elif bundles:
            path = f"{a.scope or 'agents'}/agents/{a.name}.md"
        else:
            path = f"agents/{a.name}.md"
        if path in files or len(files) == BATCH:
            yield Emitted(files=files, diagnostics=tuple(diags))
            files, diags = {}, []
        files[path] = render(a, name, options, own)
        diags += own
    if files:
        yield Emitted(files=files, diagnostics=tuple(diags))
    diags = []
    files = {}
    if options.plugin:
        from agentc.targets.claude import plugin  # only plugin builds need it (a claude-only build imports one module)

        fields, more = plugin.manifest_fields(options)
        diags += more
        listed = []
        for scope in scopes if bundles else [scopes[0] if len(scopes) == 1 else ""]:
            name = (options.plugin_name if not bundles else None) or scope or "agentc-agents"
            description = f"Agents compiled by agentc ({name})"
            folder = scope or "agents"
            prefix = f"{folder}/" if bundles else ""
            members = [a for a in project.agents if not bundles or (a.scope or "") == scope]
            files[f"{prefix}.claude-plugin/plugin.json"] = plugin.plugin_json(name, description, fields)
            files[f"{prefix}README.md"] = plugin.readme(name, description, members, fields)
            listed.append((name, folder, description))
        if bundles:
            files[".claude-plugin/marketplace.json"] = plugin.marketplace_json(options.plugin_name or "agentc-plugins", listed, fields)
    diags += emit_graph(project, options)
    yield Emitted(files=files, diagnostics=tuple(diags))


emit = joined(parts)


def emit_agent(project: ProjectIR, a: AgentIR, options: BuildOptions) -> Emitted | None:
    """One agent's file, as `emit` writes it; None for plugin bundles (their manifests are shared)."""
    if options.plugin:
        return None
    diags: list[Diagnostic] = []
    name = _output_name(a, name_counts(project), options, diags)
    return Emitted(files={f".claude/agents/{name}.md": render(a, name, options, diags)}, diagnostics=tuple(diags))


def emit_graph(project: ProjectIR, options: BuildOptions) -> tuple[Diagnostic, ...]:
    """What depends on the delegation graph alone: chains deeper than subagents may nest."""
    return tuple(nesting_report(project, MAX_DEPTH, "claude"))


def _output_name(a: AgentIR, counts: dict[str, int], options: BuildOptions, diags: list[Diagnostic]) -> str:
    """In one `.claude/agents/` tree a name must be unique; plugin copies get a plugin prefix."""
    if counts[a.name] > 1 and a.scope and not options.plugin:
        name = f"{a.scope}-{a.name}"
        if name in counts:  # the new name is another agent's own: one file would hide the other
            diags.append(diag("AGC406", a.where("name"), f"'{a.id}' would be written as '{name}', the name of another agent: "
                              "one of the two files would be lost", hint="rename one of them, or build with the plugin option"))
        else:
            diags.append(diag("AGC402", a.where("name"), f"'{a.id}' is written as '{name}': one .claude/agents/ tree holds one agent per name",
                              hint="or build with the plugin option to keep plugin-scoped names"))
        return name
    return a.name


def render(a: AgentIR, name: str, options: BuildOptions, diags: list[Diagnostic]) -> Chunks:
    """The agent's file as UTF-8 in two pieces, the frontmatter (from "---" to its closing
    "---" line) and the body: the 32 KB body is the bytes lowering held (or encoded once), never
    joined to the frontmatter as a str first (a copy of ~64 KB of 2-byte characters an agent)."""
    pairs: list[tuple[str, Any]] = []
    for field, key in ORDER:
        value = name if field == "name" else getattr(a, field)
        if value is None:
            continue
        if options.plugin and key in PLUGIN_IGNORES:
            diags.append(diag("AGC401", a.where(key), f"'{key}' dropped from '{a.name}': Claude Code ignores it in plugin agents"))
            continue
        if key == "color" and value not in DOC_COLORS:
            mapped = COLORS.get(value)
            diags.append(diag("AGC403", a.where("color"), f"color '{value}' of '{a.name}' is not in Claude Code's set; "
                              + (f"written as '{mapped}'" if mapped else "dropped")))
            if mapped is None:
                continue
            value = mapped
        pairs.append((key, value))
    if a.metadata and options.keep_unknown_keys:
        pairs += sorted(a.metadata.items())
    # Unknown keys left out need no AGC401 of their own: AGC121 already reports each key, once.
    head = "".join(_pair(k, v) for k, v in pairs)
    body = held_body(a)  # the file's own UTF-8, as lowering held it, or a str
    return Chunks((encode(f"---\n{head}---\n"), encode(body) if type(body) is str else body))


# json.dumps(s, ensure_ascii=False) of a str: the same text, without the encoder json.dumps makes
# anew for every call with a keyword (~3.6 -> ~0.7 us; a description is quoted for every agent).
_quoted = json.JSONEncoder(ensure_ascii=False).encode
_PLAIN_SAFE = lazyre.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .,()/@+*-]*$")


def _pair(key: str, value: Any) -> str:
    if key == "description":
        return f"{key}: {_text(value)}\n"
    if key in ("tools", "disallowedTools"):
        return f"{key}: {_scalar(', '.join(value))}\n"
    if isinstance(value, str):
        return f"{key}: {_scalar(value)}\n"
    if isinstance(value, (bool, int, float)) or value is None:
        return f"{key}: {json.dumps(value)}\n"
    if isinstance(value, tuple):
        value = list(value)
    yaml = load_yaml()  # here: only a list or mapping value (e.g. hooks) is written by PyYAML
    dumped = yaml.safe_dump({key: value}, sort_keys=True, allow_unicode=True, default_flow_style=False, width=1000)
    return dumped


def _scalar(s: str) -> str:
    """Plain when YAML reads it back as the same string, else double-quoted (JSON escapes).

    `_PLAIN_SAFE` text with no trailing blank is one line of plain scalar that loads as itself
    unless the resolver gives it another type (a bool, null, number or date): asking the
    resolver is what `yaml.load(s) == s` decides, without a loader per value (~4 -> 0.3 us;
    tests/test_render.py compares the two)."""
    if _PLAIN_SAFE.match(s) and not s.endswith(" ") and plainscalar.is_str(s):
        return s
    return _quoted(s)


def _text(s: str) -> str:
    """A description: double-quoted on one line, or a literal block when it spans lines."""
    lines = s.split("\n")
    if len(lines) > 1 and not s.endswith("\n") and all(ln == ln.rstrip() for ln in lines) and not s.startswith((" ", "\t")) and "\t" not in s:
        return "|-\n" + "".join(f"  {ln}\n" if ln else "\n" for ln in lines).rstrip("\n")
    return _quoted(s)


# python-frontmatter's delimiter: a line of three or more dashes (its YAMLHandler.FM_BOUNDARY).
_BOUNDARY = lazyre.lazy_compile(r"^-{3,}\s*$", re.MULTILINE)  # only for text `render` did not write


def read_back(text: str) -> dict[str, Any]:
    """The metadata python-frontmatter reads from `text` (`frontmatter.loads(text).metadata`):
    the YAML between the first two delimiter lines, the first one opening the text; {} when
    there is none or it is no mapping; YAML errors raise. Its split and loader, without the
    two copies of the whole 32 KB file it strips (1000 agents: 78 -> 17 ms);
    tests/test_claude_readback.py compares the two."""
    if _render_split(text):
        head = text[3:-4]
    else:
        marks = _BOUNDARY.finditer(text.lstrip())
        first, second = next(marks, None), next(marks, None)
        if first is None or first.start() != 0 or second is None:
            return {}
        head = second.string[first.end():second.start()]
    data = _simple_mapping(head)
    if data is None:
        yaml = load_yaml()  # here: a frontmatter `render` writes of plain lines needs no YAML loader
        data = yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: the same YAML, ~30x faster
    if not isinstance(data, dict):
        return {}
    if not all(isinstance(key, str) for key in data) or "content" in data or "handler" in data:
        # It hands the keys to Post(content, handler, **metadata), which refuses these: the
        # same refusal (and message) comes from python-frontmatter itself.
        import frontmatter

        return frontmatter.loads(text).metadata
    return data


def _render_split(text: str) -> bool:
    """Whether `_BOUNDARY` finds its two delimiters at the first line and the last, as in the
    frontmatter `render` writes ("---", lines, "---", each ending in a newline): none of the
    lines between starts with "---" (a delimiter starts with it), and the second line starts with
    no whitespace (the first delimiter's trailing whitespace would take it in). Its head is then
    text[3:-4], found without the regex (~15K instructions a seed agent of the build's check)."""
    return (text.startswith("---\n") and text.endswith("\n---\n") and not text[4].isspace()
            and text.find("\n---", 3) == len(text) - 5)


# One line of frontmatter in the forms `_pair` writes most: a key, one space, then a plain scalar
# (`_PLAIN_SAFE`, no blank at its end) or a double-quoted one of printable ASCII without escapes.
# What these say is plain to see, and only the resolver decides whether a plain one is a str.
_SIMPLE_LINE = lazyre.compile(r'([A-Za-z][A-Za-z0-9]*): (?:([A-Za-z0-9_](?:[A-Za-z0-9_ .,()/@+*-]*[A-Za-z0-9_.,()/@+*-])?)|"([ !#-\[\]-~]*)")')


def _simple_mapping(head: str) -> dict[str, str] | None:
    """What YAML loads from `head` when every line of it is empty or a `_SIMPLE_LINE` whose key
    and plain value the resolver reads as str; None for anything else, which YAML then loads
    (and, if it is broken, refuses). libyaml's loader costs ~18 us for the three lines of a seed
    agent: in Python with each line checked this way, ~3 us (1000 agents: ~15 ms of a build).
    tests/test_claude_readback.py compares the two on generated lines."""
    data: dict[str, str] = {}
    for line in head.split("\n"):
        if not line:
            continue
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None:
            return None
        key, plain, quoted = m.groups()  # key and plain: never empty
        if not plainscalar.is_str(key) or (quoted is None and not plainscalar.is_str(plain)):
            return None
        data[key] = plain if quoted is None else quoted
    return data or None


def validate(files: dict[str, str]) -> list[Diagnostic]:
    """Re-read every emitted agent as python-frontmatter does (`read_back`) and apply Claude
    Code's skip rules."""
    out = []
    for path, content in sorted(files.items()):
        text = _front(content)
        if not path.endswith(".md") or (path.endswith("README.md") and not text.startswith("---")):  # a plugin's README
            continue
        try:
            metadata = read_back(text)
        except Exception as exc:  # any parser failure is a defect in this target
            out.append(_defect(path, f"emitted agent does not re-parse: {exc}"))
            continue
        name, desc = metadata.get("name"), metadata.get("description")
        if not isinstance(name, str) or ":" in name or name.startswith("-") or not name:
            out.append(_defect(path, f"emitted name {name!r} breaks Claude Code's rules"))
        if not isinstance(desc, str) or not desc:
            out.append(_defect(path, "emitted description is missing or not a string"))
    return out


def _front(content: FileText) -> str:
    """What `read_back` needs of a file: a str whole; of a Chunks file whose first piece is a
    frontmatter (`render`'s: "---" up to and with a closing line "---"), that piece alone, as
    read_back reads nothing past that line (the body is not decoded again); else all of it."""
    if isinstance(content, str):
        return content
    first = content.parts[0] if content.parts else b""
    if first.startswith(b"---") and first.endswith(b"\n---\n"):
        return first.decode("utf-8")
    return content.text()


def _defect(path: str, message: str) -> Diagnostic:
    """AGC902 at an emitted file: made only when there is one, not a Span per file validated."""
    from agentc.compiler.span import Span

    return diag("AGC902", Span(file=path, line=1), message)


TARGET = Target(
    name="claude",
    summary="Claude Code subagents: .claude/agents/<name>.md (or a plugin bundle)",
    emit=emit,
    emit_parts=parts,
    validate=validate,
    emit_agent=emit_agent,
    emit_graph=emit_graph,
    capabilities=frozenset({"delegation:prose", "examples:prose", "checklists:prose", "model:claude",
                            f"nesting:{MAX_DEPTH}"}),
)
